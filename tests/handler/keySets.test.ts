import { createHmac } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWK } from 'jose';
import { logger } from '../../lib/log';
import { testHandler } from '../helpers/handler';
import {
  ALL_ALGS,
  ASYMMETRIC_ALGS,
  callerTokenSignedWith,
  HMAC_ALGS,
  keySetSecret,
  privateJwk,
  privateValues,
  publicHalf,
  rsaJwkOfBits,
} from '../helpers/keys';
import { BEFORE_SEED_EXPIRY_MS, SEED_CALLER_SUB, SEED_CALLER_TOKEN, SEED_SECRET } from '../helpers/seed';
import { eventFor, v2Event } from '../helpers/events';
import { b64url, craftToken, decodeJwt, hmacSignatureValid } from '../helpers/tokens';

const NOW_MS = Date.parse('2026-01-01T00:00:00Z');
const NOW_SECONDS = NOW_MS / 1000;
const MINT_BODY = { subject: 'svc-42' };

function serviceWith(secret: string, env: Record<string, string> = {}) {
  return testHandler({ nowMs: NOW_MS, secret, env });
}

async function mint(service: ReturnType<typeof serviceWith>, token: string) {
  return service.invoke(eventFor('v2', { authorization: `Bearer ${token}`, body: MINT_BODY }));
}

async function publishedJwks(service: ReturnType<typeof serviceWith>): Promise<JSONWebKeySet> {
  const response = await service.invoke(v2Event({ method: 'GET', path: '/.well-known/jwks.json' }));
  expect(response.status).toBe(200);
  return JSON.parse(response.raw) as JSONWebKeySet;
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('every supported algorithm mints tokens an independent verifier accepts', () => {
  it.each(ASYMMETRIC_ALGS)('a %s token verifies with jose over the published JWKS', async (alg) => {
    const jwk = await privateJwk(alg);
    const service = serviceWith(keySetSecret(jwk));

    const response = await mint(service, await callerTokenSignedWith(jwk, { nowSeconds: NOW_SECONDS }));

    expect(response.status).toBe(200);
    const minted = String(response.envelope.data);
    expect(decodeJwt(minted).header).toEqual({ alg, typ: 'JWT', kid: jwk.kid });
    const verifier = createLocalJWKSet(await publishedJwks(service));
    const { payload } = await jwtVerify(minted, verifier, { algorithms: [alg], currentDate: new Date(NOW_MS) });
    expect(payload).toMatchObject({ sub: 'svc-42', iss: 'caller-1', aud: 'mfs' });
  });

  it.each(HMAC_ALGS)('a %s token verifies with node crypto and the key bytes', async (alg) => {
    const jwk = await privateJwk(alg);
    const service = serviceWith(keySetSecret(jwk));

    const response = await mint(service, await callerTokenSignedWith(jwk, { nowSeconds: NOW_SECONDS }));

    expect(response.status).toBe(200);
    const minted = String(response.envelope.data);
    expect(decodeJwt(minted).header).toEqual({ alg, typ: 'JWT', kid: jwk.kid });
    const [header, payload, signature] = minted.split('.');
    const hash = `sha${alg.slice(2)}`;
    const expected = createHmac(hash, Buffer.from(String(jwk.k), 'base64url')).update(`${header}.${payload}`).digest('base64url');
    expect(signature).toBe(expected);
  });
});

describe('the plain string secret keeps the original behaviour', () => {
  it('accepts the seed caller token and mints HS256 without a kid, verifiable with the seed secret', async () => {
    const service = testHandler({ nowMs: BEFORE_SEED_EXPIRY_MS, secret: SEED_SECRET });

    const response = await service.invoke(eventFor('v2', { authorization: `Bearer ${SEED_CALLER_TOKEN}`, body: { subject: 'test1' } }));

    expect(response.status).toBe(200);
    const minted = String(response.envelope.data);
    expect(decodeJwt(minted).header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(decodeJwt(minted).payload).toMatchObject({ iss: SEED_CALLER_SUB, sub: 'test1' });
    expect(hmacSignatureValid(minted, SEED_SECRET)).toBe(true);
  });

  it('publishes an empty JWKS, since an HMAC key has no public half', async () => {
    expect(await publishedJwks(serviceWith(SEED_SECRET))).toEqual({ keys: [] });
  });
});

describe('caller tokens are verified against the whole set', () => {
  it('picks the verifying key by the kid in the header, not only the signing key', async () => {
    const signer = await privateJwk('ES256', { kid: 'signer' });
    const other = await privateJwk('HS384', { kid: 'callers' });
    const service = serviceWith(keySetSecret(signer, other));

    const response = await mint(service, await callerTokenSignedWith(other, { nowSeconds: NOW_SECONDS }));

    expect(response.status).toBe(200);
    expect(decodeJwt(String(response.envelope.data)).header.kid).toBe('signer');
  });

  it('rejects a caller token naming a kid the set does not hold with 401', async () => {
    const signer = await privateJwk('ES256', { kid: 'signer' });
    const stranger = await privateJwk('ES256', { kid: 'stranger' });
    const service = serviceWith(keySetSecret(signer));

    const response = await mint(service, await callerTokenSignedWith(stranger, { nowSeconds: NOW_SECONDS }));

    expect(response.status).toBe(401);
    expect(response.envelope).toMatchObject({ code: 401, data: null, error: 'INVALID_TOKEN' });
  });

  it('verifies a caller token without a kid against the set\'s HMAC key without a kid', async () => {
    const signer = await privateJwk('EdDSA', { kid: 'signer' });
    const legacy: JWK = { kty: 'oct', alg: 'HS256', k: b64url(SEED_SECRET) };
    const service = testHandler({ nowMs: BEFORE_SEED_EXPIRY_MS, secret: keySetSecret(signer, legacy) });

    const response = await service.invoke(eventFor('v2', { authorization: `Bearer ${SEED_CALLER_TOKEN}`, body: { subject: 'test1' } }));

    expect(response.status).toBe(200);
    expect(decodeJwt(String(response.envelope.data)).header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: 'signer' });
  });

  it('rejects a caller token without a kid when the set has no HMAC key without a kid', async () => {
    const signer = await privateJwk('HS256', { kid: 'named' });
    const service = serviceWith(keySetSecret(signer));
    // Signed with the right key, but without saying which: only an unnamed HMAC key may be tried.
    const token = await callerTokenSignedWith({ ...signer, kid: undefined }, { nowSeconds: NOW_SECONDS });

    const response = await mint(service, token);

    expect(response.status).toBe(401);
    expect(response.envelope.error).toBe('INVALID_TOKEN');
  });

  it('rejects a token whose header names an HMAC alg for an asymmetric kid: the key\'s alg decides', async () => {
    const signer = await privateJwk('RS256', { kid: 'rsa' });
    const service = serviceWith(keySetSecret(signer));
    // The classic confusion: HMAC keyed with the public modulus a verifier could download.
    const forged = craftToken(
      JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'rsa' }),
      JSON.stringify({ sub: 'mallory', aud: 'mfs', exp: NOW_SECONDS + 60, scope: ['generateJwt'] }),
      { secret: String(signer.n) },
    );

    const response = await mint(service, forged);

    expect(response.status).toBe(401);
    expect(response.envelope.error).toBe('INVALID_TOKEN');
  });

  it('rejects an unsigned token (alg none) that names a known kid', async () => {
    const signer = await privateJwk('ES256', { kid: 'ec' });
    const service = serviceWith(keySetSecret(signer));
    const unsigned = craftToken(
      JSON.stringify({ alg: 'none', kid: 'ec' }),
      JSON.stringify({ sub: 'mallory', aud: 'mfs', exp: NOW_SECONDS + 60, scope: ['generateJwt'] }),
      { signature: '' },
    );

    expect((await mint(service, unsigned)).status).toBe(401);
  });

  it('accepts tokens signed by a retired key and by a key published ahead, as both still verify', async () => {
    const next = await privateJwk('ES384', { kid: 'next', nbf: NOW_SECONDS + 600 });
    const current = await privateJwk('ES256', { kid: 'current' });
    const retired = await privateJwk('PS256', { kid: 'retired', retired_at: NOW_SECONDS - 600 });
    const service = serviceWith(keySetSecret(next, current, retired));

    for (const jwk of [next, retired]) {
      const response = await mint(service, await callerTokenSignedWith(jwk, { nowSeconds: NOW_SECONDS }));
      expect(response.status).toBe(200);
    }
  });
});

describe('publish before use', () => {
  it('publishes a key with a future nbf at once, and signs with it only from its nbf', async () => {
    const next = await privateJwk('ES256', { kid: 'next', nbf: NOW_SECONDS + 600 });
    const current = await privateJwk('ES256', { kid: 'current' });
    const service = serviceWith(keySetSecret(next, current));
    const caller = await callerTokenSignedWith(current, { nowSeconds: NOW_SECONDS, claims: { exp: NOW_SECONDS + 7200 } });

    const before = await mint(service, caller);
    const jwks = await publishedJwks(service);
    service.setNow((NOW_SECONDS + 600) * 1000);
    const after = await mint(service, caller);

    expect(jwks.keys.map((key) => key.kid)).toEqual(['next', 'current']);
    expect(decodeJwt(String(before.envelope.data)).header.kid).toBe('current');
    expect(decodeJwt(String(after.envelope.data)).header.kid).toBe('next');
    // A verifier holding the JWKS fetched before the switch already knows the new key.
    await expect(
      jwtVerify(String(after.envelope.data), createLocalJWKSet(jwks), { currentDate: new Date((NOW_SECONDS + 600) * 1000) }),
    ).resolves.toBeDefined();
  });
});

describe('a bad key set fails closed, and the service recovers at the first fetch after the back-off', () => {
  const badSets: { name: string; build: () => Promise<{ secret: string; material: string[] }>; mentions: RegExp }[] = [
    {
      name: 'a duplicate kid',
      build: async () => material([await privateJwk('ES256', { kid: 'twin' }), await privateJwk('HS256', { kid: 'twin' })]),
      mentions: /kid "twin" appears twice/,
    },
    {
      name: 'an alg that does not fit the kty',
      build: async () => material([await privateJwk('EdDSA', { kid: 'ed', alg: 'ES256' })]),
      mentions: /kid "ed"\) has alg "ES256", which does not fit kty "OKP"/,
    },
    {
      name: 'a short HMAC key',
      build: async () => material([await privateJwk('HS384', { kid: 'short', k: b64url(Buffer.alloc(40, 9)) })]),
      mentions: /kid "short"\) is a 40-byte HMAC key; HS384 needs at least 48 bytes/,
    },
    {
      name: 'an RSA-1024 key',
      build: async () => material([rsaJwkOfBits(1024, { kid: 'weak' })]),
      mentions: /kid "weak"\) is a 1024-bit RSA key/,
    },
    {
      name: 'a public-only signing key',
      build: async () => {
        const jwk = await privateJwk('ES384', { kid: 'pub' });
        return { secret: keySetSecret(publicHalf(jwk)), material: privateValues(jwk) };
      },
      mentions: /kid "pub"\) signs now or later but has only its public half/,
    },
    {
      name: 'malformed JSON',
      build: async () => {
        const jwk = await privateJwk('HS256', { kid: 'cut' });
        const secret = keySetSecret(jwk).slice(0, -3);
        return { secret, material: privateValues(jwk) };
      },
      mentions: /not valid JSON/,
    },
    { name: 'an empty set', build: async () => ({ secret: '{"keys": []}', material: [] }), mentions: /set is empty/ },
  ];

  async function material(jwks: JWK[]) {
    return { secret: keySetSecret(...jwks), material: privateValues(...jwks) };
  }

  it.each(badSets)('$name: 500 in the envelope, a log line naming it, no key material', async ({ build, mentions }) => {
    const bad = await build();
    const good = await privateJwk('ES256', { kid: 'fixed' });
    let secret = bad.secret;
    const logged: unknown[][] = [];
    for (const level of ['error', 'warn', 'info'] as const) {
      jest.spyOn(logger, level).mockImplementation((...args: unknown[]) => void logged.push(args));
    }
    const service = testHandler({ nowMs: NOW_MS, fetchSecret: async () => ({ secretString: secret, versionId: 'v' }) });
    const caller = await callerTokenSignedWith(good, { nowSeconds: NOW_SECONDS });

    const minting = await mint(service, caller);
    const publishing = await service.invoke(v2Event({ method: 'GET', path: '/.well-known/jwks.json' }));

    for (const response of [minting, publishing]) {
      expect(response.status).toBe(500);
      expect(response.envelope).toMatchObject({ code: 500, data: null, error: 'SIGNING_KEY_UNUSABLE' });
      expect(response.headers['Cache-Control']).toBe('no-store');
      for (const value of bad.material) expect(response.raw).not.toContain(value);
    }
    const failures = logged.filter(([message]) => message === 'request failed').map(([, extra]) => extra);
    expect(failures).toEqual([
      expect.objectContaining({ code: 'SIGNING_KEY_UNUSABLE', detail: expect.stringMatching(mentions) }),
      expect.objectContaining({ code: 'SIGNING_KEY_UNUSABLE', detail: expect.stringMatching(mentions) }),
    ]);
    const log = JSON.stringify(logged);
    for (const value of bad.material) expect(log).not.toContain(value);

    secret = keySetSecret(good);
    // The refused set is remembered for the back-off (at most 1 s after a first failure).
    service.setNow(NOW_MS + 1000);
    const recovered = await mint(service, caller);
    expect(recovered.status).toBe(200);
    expect(decodeJwt(String(recovered.envelope.data)).header.kid).toBe('fixed');
  });
});

describe('the JWKS never carries a private parameter', () => {
  it('publishes only public members of a set holding every algorithm', async () => {
    const jwks = await Promise.all(ALL_ALGS.map((alg) => privateJwk(alg)));
    const service = serviceWith(keySetSecret(...jwks));

    const response = await service.invoke(v2Event({ method: 'GET', path: '/.well-known/jwks.json' }));

    const published = JSON.parse(response.raw) as JSONWebKeySet;
    expect(published.keys.map((key) => key.kid)).toEqual(jwks.filter((jwk) => jwk.kty !== 'oct').map((jwk) => jwk.kid));
    for (const key of published.keys) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) expect(key).not.toHaveProperty(member);
    }
    for (const value of privateValues(...jwks)) expect(response.raw).not.toContain(value);
  });
});
