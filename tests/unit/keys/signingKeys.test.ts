import { createHmac } from 'node:crypto';
import { MintError } from '../../../lib/errors';
import { MIN_HMAC_KEY_BYTES, PLAIN_SECRET_ALG } from '../../../lib/keys/jwk';
import { importSigningKeys, signingKeyAt } from '../../../lib/keys/signingKeys';
import { compactVerify, importJWK, SignJWT } from 'jose';
import { ASYMMETRIC_ALGS, HMAC_ALGS, keySetSecret, privateJwk, publicHalf } from '../../helpers/keys';
import { SEED_MINTED_TOKEN, SEED_SECRET } from '../../helpers/seed';
import { TEST_SECRET } from '../../helpers/tokens';

async function importFailure(secretString: string): Promise<MintError> {
  try {
    await importSigningKeys(secretString);
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('importSigningKeys accepted a secret it should refuse');
}

/** Signs `data` with an imported key through WebCrypto, as jose does. */
async function webCryptoSignature(key: CryptoKey, data: string): Promise<string> {
  const signature = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(data));
  return Buffer.from(signature).toString('base64url');
}

describe('importSigningKeys', () => {
  test('turns a plain secret into one unnamed HS256 key that signs and verifies', async () => {
    // Act
    const keys = await importSigningKeys(TEST_SECRET);

    // Assess
    const signingKey = signingKeyAt(keys, new Date());
    expect(signingKey).toMatchObject({ kid: undefined, alg: 'HS256' });
    expect(keys.verificationKeys).toEqual([signingKey]);
    expect(signingKey.key.algorithm).toMatchObject({ name: 'HMAC', hash: { name: 'SHA-256' } });
    expect([...signingKey.key.usages].sort()).toEqual(['sign', 'verify']);
    expect(PLAIN_SECRET_ALG).toBe('HS256');
  });

  test('uses the UTF-8 bytes of the secret string as the key, as the original did', async () => {
    // Prepare
    const data = 'header.payload';

    // Act
    const keys = await importSigningKeys(SEED_SECRET);
    const signature = await webCryptoSignature(signingKeyAt(keys, new Date()).key, data);

    // Assess
    expect(signature).toBe(createHmac('sha256', SEED_SECRET).update(data).digest('base64url'));
  });

  test('imports the key as non-extractable, so it cannot be read back out', async () => {
    // Act
    const keys = await importSigningKeys(TEST_SECRET);

    // Assess
    expect(signingKeyAt(keys, new Date()).key.extractable).toBe(false);
  });

  test('accepts a secret of exactly 32 bytes (the seed secret)', async () => {
    // Act
    const keys = await importSigningKeys(SEED_SECRET);

    // Assess
    expect(Buffer.byteLength(SEED_SECRET)).toBe(MIN_HMAC_KEY_BYTES.HS256);
    expect(signingKeyAt(keys, new Date()).alg).toBe('HS256');
  });

  test('counts bytes, not characters: 16 two-byte characters make a usable key', async () => {
    // Prepare
    const secret = 'é'.repeat(16);

    // Act
    const keys = await importSigningKeys(secret);

    // Assess
    expect(secret).toHaveLength(16);
    expect(signingKeyAt(keys, new Date()).alg).toBe('HS256');
  });

  test.each([
    { name: 'an empty secret', secret: '' },
    { name: 'a 31-byte secret', secret: SEED_SECRET.slice(0, 31) },
    { name: 'a 31-byte secret of multi-byte characters', secret: `${'é'.repeat(15)}x` },
  ])('refuses $name with SIGNING_KEY_UNUSABLE (500), never naming the key', async ({ secret }) => {
    // Act
    const error = await importFailure(secret);

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
    expect(error.statusCode).toBe(500);
    expect(error.expose).toBe(false);
    if (secret !== '') expect(error.message).not.toContain(secret);
  });
});

const NOW = new Date('2026-01-01T00:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;

describe('importing the plain string', () => {
  it('verifies the seed minted token with the seed secret, so the original format is unchanged', async () => {
    const keys = await importSigningKeys(SEED_SECRET, NOW);

    const [verifier] = keys.verificationKeys;
    await expect(compactVerify(SEED_MINTED_TOKEN, verifier!.key, { algorithms: ['HS256'] })).resolves.toBeDefined();
    expect(keys).toMatchObject({ format: 'plain', publicKeys: [] });
  });

  it('signs with HS256, no kid, and the same HMAC as node computes over the secret bytes', async () => {
    const keys = await importSigningKeys(SEED_SECRET, NOW);
    const signer = signingKeyAt(keys, NOW);

    const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: signer.alg }).sign(signer.key);

    expect(signer).toMatchObject({ kid: undefined, alg: 'HS256' });
    const [header, payload, signature] = token.split('.');
    expect(signature).toBe(createHmac('sha256', SEED_SECRET).update(`${header}.${payload}`).digest('base64url'));
  });
});

describe('importing a key set', () => {
  it.each(HMAC_ALGS)('imports a %s key that signs what node verifies with the same hash', async (alg) => {
    const jwk = await privateJwk(alg);
    const keys = await importSigningKeys(keySetSecret(jwk), NOW);
    const signer = signingKeyAt(keys, NOW);

    const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg }).sign(signer.key);

    const [header, payload, signature] = token.split('.');
    const hash = `sha${alg.slice(2)}`;
    const secret = Buffer.from(String(jwk.k), 'base64url');
    expect(signature).toBe(createHmac(hash, secret).update(`${header}.${payload}`).digest('base64url'));
  });

  it.each(ASYMMETRIC_ALGS)('imports a %s key whose signature verifies with its public half', async (alg) => {
    const jwk = await privateJwk(alg);
    const keys = await importSigningKeys(keySetSecret(jwk), NOW);
    const signer = signingKeyAt(keys, NOW);

    const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg, kid: signer.kid }).sign(signer.key);

    const verifier = await importJWK(publicHalf(jwk), alg);
    await expect(compactVerify(token, verifier, { algorithms: [alg] })).resolves.toBeDefined();
    expect(keys.verificationKeys[0]?.key.type).toBe('public');
    expect(keys.publicKeys).toEqual([expect.objectContaining({ kid: jwk.kid, alg })]);
  });

  it('keeps every key for verification, in the set order, and publishes only the asymmetric ones', async () => {
    const jwks = [await privateJwk('ES256'), await privateJwk('HS384'), await privateJwk('EdDSA')];

    const keys = await importSigningKeys(keySetSecret(...jwks), NOW);

    expect(keys.verificationKeys.map((entry) => entry.kid)).toEqual(jwks.map((jwk) => jwk.kid));
    expect(keys.publicKeys.map((jwk) => jwk.kid)).toEqual([jwks[0]?.kid, jwks[2]?.kid]);
  });

  it('refuses a key whose members do not form a key, naming its kid', async () => {
    const jwk = await privateJwk('ES256', { kid: 'broken', x: Buffer.alloc(32, 1).toString('base64url') });

    const failure = importSigningKeys(keySetSecret(jwk), NOW);

    await expect(failure).rejects.toBeInstanceOf(MintError);
    await expect(failure).rejects.toMatchObject({
      code: 'SIGNING_KEY_UNUSABLE',
      message: expect.stringContaining('key 1 (kid "broken") cannot be imported as ES256'),
    });
  });
});

describe('choosing the signing key per instant', () => {
  it('signs with the current key until the key published ahead reaches its nbf', async () => {
    const next = await privateJwk('ES256', { kid: 'next', nbf: NOW_SECONDS + 600 });
    const current = await privateJwk('ES256', { kid: 'current' });
    const keys = await importSigningKeys(keySetSecret(next, current), NOW);

    expect(signingKeyAt(keys, NOW).kid).toBe('current');
    expect(signingKeyAt(keys, new Date((NOW_SECONDS + 599) * 1000)).kid).toBe('current');
    expect(signingKeyAt(keys, new Date((NOW_SECONDS + 600) * 1000)).kid).toBe('next');
  });

  it('fails closed when the only signing key retires while the set is cached', async () => {
    const only = await privateJwk('ES256', { kid: 'only', retired_at: NOW_SECONDS + 60 });
    const keys = await importSigningKeys(keySetSecret(only), NOW);

    expect(() => signingKeyAt(keys, new Date((NOW_SECONDS + 60) * 1000))).toThrow(
      expect.objectContaining({
        code: 'SIGNING_KEY_UNUSABLE',
        message: 'No key in the signing set may sign at 2026-01-01T00:01:00.000Z: every key is not active yet ("nbf") or retired ("retired_at").',
      }),
    );
  });
});

describe('a public-only key', () => {
  it('is imported for verification only: it has no private half to sign with', async () => {
    // Prepare
    const signer = await privateJwk('ES256', { kid: 'signer' });
    const retired = publicHalf(await privateJwk('ES256', { kid: 'retired', retired_at: NOW_SECONDS - 60 }));

    // Act
    const keys = await importSigningKeys(keySetSecret(signer, retired), NOW);

    // Assess
    expect(keys.signers.map((entry) => [entry.kid, entry.privateKey?.type])).toEqual([
      ['signer', 'private'],
      ['retired', undefined],
    ]);
    expect(keys.verificationKeys.map((entry) => [entry.kid, entry.key.type])).toEqual([
      ['signer', 'public'],
      ['retired', 'public'],
    ]);
  });

  it('never signs, even at an instant when it is the signer: SIGNING_KEY_UNUSABLE', async () => {
    // Prepare: checked at NOW, the set is sound; a clock set back to before the signer's nbf makes
    // the public-only key the signer.
    const signer = await privateJwk('ES256', { kid: 'signer', nbf: NOW_SECONDS - 10 });
    const retired = publicHalf(await privateJwk('ES256', { kid: 'retired', retired_at: NOW_SECONDS - 5 }));
    const keys = await importSigningKeys(keySetSecret(signer, retired), NOW);

    // Act
    const signAt = () => signingKeyAt(keys, new Date((NOW_SECONDS - 20) * 1000));

    // Assess
    expect(signAt).toThrow(MintError);
    expect(signAt).toThrow(
      expect.objectContaining({
        code: 'SIGNING_KEY_UNUSABLE',
        message: 'The signing key at 2025-12-31T23:59:40.000Z is key 2 (kid "retired"), which has no private half.',
      }),
    );
  });
});
