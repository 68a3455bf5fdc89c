import { calculateJwkThumbprint, type JWK } from 'jose';
import type { StoredJwk } from '../../../lib/keys/jwk';
import { parseKeySet } from '../../../lib/keys/keySet';
import {
  defaultRotationAlg,
  generateSigningJwk,
  newKeySetSecret,
  publicKeySet,
  rotateKeySet,
  type RotationPolicy,
} from '../../../lib/keys/rotation';
import { importSigningKeys, signingKeyAt } from '../../../lib/keys/signingKeys';
import { ALL_ALGS, keySetSecret, PRIVATE_MEMBERS, privateJwk } from '../../helpers/keys';

const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z
const CACHE = 300;
const MAX_TTL = 86_400;
const POLICY: RotationPolicy = {
  nowSeconds: NOW,
  publishDelaySeconds: 2 * CACHE,
  keepRetiredSeconds: MAX_TTL + CACHE,
};

function storedKeys(secretString: string): StoredJwk[] {
  return (JSON.parse(secretString) as { keys: StoredJwk[] }).keys;
}

const at = (seconds: number) => new Date(seconds * 1000);

describe('generating keys', () => {
  it.each(ALL_ALGS)('generates a %s key that a key set accepts', async (alg) => {
    const jwk = await generateSigningJwk(alg);

    const keySet = parseKeySet(newKeySetSecret(jwk), NOW);

    expect(keySet.keys[0]).toMatchObject({ alg, kid: jwk.kid, hasPrivatePart: true });
  });

  it('names an asymmetric key by its RFC 7638 thumbprint', async () => {
    const jwk = await generateSigningJwk('ES256');

    expect(jwk.kid).toBe(await calculateJwkThumbprint(jwk));
  });

  it('names an HMAC key at random, so the header carries no hash of the secret', async () => {
    const jwk = await generateSigningJwk('HS256');

    expect(jwk.kid).not.toBe(await calculateJwkThumbprint(jwk));
    expect(jwk.kid).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });
});

describe('rotating a key set', () => {
  it('publishes the new key first and lets it sign only after two cache windows, retiring the old then', async () => {
    const old = await privateJwk('ES256', { kid: 'old' });
    const fresh = await privateJwk('ES256', { kid: 'fresh' });

    const rotation = rotateKeySet(keySetSecret(old), fresh, POLICY);

    const signsFrom = NOW + 2 * CACHE;
    expect(rotation).toMatchObject({ added: 'fresh', signsFrom, retired: ['old'], dropped: [] });
    expect(storedKeys(rotation.secretString).map((jwk) => [jwk.kid, jwk.nbf, jwk.retired_at])).toEqual([
      ['fresh', signsFrom, undefined],
      ['old', undefined, signsFrom],
    ]);
    const keys = await importSigningKeys(rotation.secretString, at(NOW));
    expect(keys.publicKeys.map((jwk) => jwk.kid)).toEqual(['fresh', 'old']);
    expect(signingKeyAt(keys, at(signsFrom - 1)).kid).toBe('old');
    expect(signingKeyAt(keys, at(signsFrom)).kid).toBe('fresh');
  });

  it('turns a plain string into a set whose old key, without a kid, still verifies tokens without one', async () => {
    const fresh = await privateJwk('EdDSA', { kid: 'fresh' });
    const plain = 'the-original-plain-secret-of-32-bytes-or-more';

    const rotation = rotateKeySet(plain, fresh, POLICY);

    const [, legacy] = storedKeys(rotation.secretString);
    expect(legacy).toEqual({ kty: 'oct', alg: 'HS256', k: Buffer.from(plain).toString('base64url'), retired_at: NOW + 2 * CACHE });
    const keys = await importSigningKeys(rotation.secretString, at(NOW));
    expect(keys.verificationKeys.map((entry) => [entry.kid, entry.alg])).toEqual([
      ['fresh', 'EdDSA'],
      [undefined, 'HS256'],
    ]);
    expect(signingKeyAt(keys, at(NOW)).kid).toBeUndefined();
  });

  it('drops keys retired longer ago than the longest token lifetime plus the cache window, and keeps younger ones', async () => {
    const current = await privateJwk('ES256', { kid: 'current' });
    const young = await privateJwk('ES256', { kid: 'young', retired_at: NOW - MAX_TTL - CACHE + 1 });
    const expired = await privateJwk('ES256', { kid: 'expired', retired_at: NOW - MAX_TTL - CACHE });

    const rotation = rotateKeySet(keySetSecret(current, young, expired), await privateJwk('ES256', { kid: 'fresh' }), POLICY);

    expect(storedKeys(rotation.secretString).map((jwk) => jwk.kid)).toEqual(['fresh', 'current', 'young']);
    expect(rotation.dropped).toEqual(['expired']);
    expect(rotation.retired).toEqual(['current']);
  });

  it('keeps the retired_at a key already had rather than moving it later', async () => {
    const current = await privateJwk('ES256', { kid: 'current' });
    const retired = await privateJwk('ES256', { kid: 'retired', retired_at: NOW - 60 });

    const rotation = rotateKeySet(keySetSecret(current, retired), await privateJwk('ES256', { kid: 'fresh' }), POLICY);

    expect(storedKeys(rotation.secretString).find((jwk) => jwk.kid === 'retired')?.retired_at).toBe(NOW - 60);
  });

  it('rotating twice in a row leaves the second new key signing last and both older keys verifying', async () => {
    const first = rotateKeySet(keySetSecret(await privateJwk('ES256', { kid: 'k1' })), await privateJwk('ES256', { kid: 'k2' }), POLICY);
    const second = rotateKeySet(first.secretString, await privateJwk('ES256', { kid: 'k3' }), {
      ...POLICY,
      nowSeconds: NOW + 60,
    });

    const keys = await importSigningKeys(second.secretString, at(NOW + 60));
    expect(keys.publicKeys.map((jwk) => jwk.kid)).toEqual(['k3', 'k2', 'k1']);
    expect(signingKeyAt(keys, at(NOW + 60)).kid).toBe('k1');
    expect(signingKeyAt(keys, at(NOW + 2 * CACHE)).kid).toBe('k2');
    expect(signingKeyAt(keys, at(NOW + 60 + 2 * CACHE)).kid).toBe('k3');
  });

  it('after a leak drops the signing key at once and signs with the new key now when the delay is 0', async () => {
    const leaked = await privateJwk('ES256', { kid: 'leaked' });

    const rotation = rotateKeySet(keySetSecret(leaked), await privateJwk('ES256', { kid: 'fresh' }), {
      ...POLICY,
      publishDelaySeconds: 0,
      dropKids: ['leaked'],
    });

    expect(rotation.dropped).toEqual(['leaked']);
    expect(storedKeys(rotation.secretString).map((jwk) => jwk.kid)).toEqual(['fresh']);
    expect(signingKeyAt(await importSigningKeys(rotation.secretString, at(NOW)), at(NOW)).kid).toBe('fresh');
  });

  it('after the secret value leaked replaces every key, the plain string\'s unnamed one included', async () => {
    const fromPlain = rotateKeySet('a-plain-secret-that-has-leaked-0123456789', await privateJwk('ES256', { kid: 'k2' }), POLICY);

    const rotation = rotateKeySet(fromPlain.secretString, await privateJwk('EdDSA', { kid: 'fresh' }), {
      ...POLICY,
      publishDelaySeconds: 0,
      dropAll: true,
    });

    expect(rotation.dropped).toEqual(['k2', '(no kid)']);
    expect(storedKeys(rotation.secretString).map((jwk) => [jwk.kid, jwk.nbf])).toEqual([['fresh', NOW]]);
  });

  it('refuses to drop the signing key while the new key waits to be published, which would leave no signer', async () => {
    const leaked = await privateJwk('ES256', { kid: 'leaked' });

    expect(() =>
      rotateKeySet(keySetSecret(leaked), { kty: 'oct', kid: 'x', alg: 'HS256', k: 'a'.repeat(43) }, { ...POLICY, dropKids: ['leaked'] }),
    ).toThrow(/--publish-delay 0/);
  });

  it('refuses to drop a kid the set does not hold', async () => {
    const current = await privateJwk('ES256', { kid: 'current' });

    expect(() => rotateKeySet(keySetSecret(current), { kid: 'x' }, { ...POLICY, dropKids: ['typo'] })).toThrow(RangeError);
  });

  it('refuses to rotate a set the service would refuse', async () => {
    const twin = await privateJwk('ES256', { kid: 'twin' });

    expect(() => rotateKeySet(keySetSecret(twin, twin), { kid: 'fresh' }, POLICY)).toThrow(
      expect.objectContaining({ code: 'SIGNING_KEY_UNUSABLE' }),
    );
  });
});

describe('defaults of a rotation', () => {
  it('keeps the algorithm of the key signing now', async () => {
    const next = await privateJwk('RS256', { kid: 'next', nbf: NOW + 10 });
    const current = await privateJwk('EdDSA', { kid: 'current' });

    expect(defaultRotationAlg(keySetSecret(next, current), NOW)).toBe('EdDSA');
  });

  it('moves a plain string secret to ES256', () => {
    expect(defaultRotationAlg('x'.repeat(40), NOW)).toBe('ES256');
  });
});

describe('the public key set for verifiers', () => {
  it('holds the public halves of every asymmetric key and nothing private', async () => {
    const jwks: JWK[] = await Promise.all(ALL_ALGS.map((alg) => privateJwk(alg)));

    const published = publicKeySet(keySetSecret(...jwks), NOW);

    expect(published.keys).toHaveLength(5);
    for (const key of published.keys) for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
  });
});
