import type { JWK } from 'jose';
import { MintError } from '../../../lib/errors';
import { parseKeySet, signerIndexAt } from '../../../lib/keys/keySet';
import { ALL_ALGS, keySetSecret, privateJwk, privateValues, publicHalf, rsaJwkOfBits } from '../../helpers/keys';

const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

function parseError(secretString: string, nowSeconds = NOW): MintError {
  try {
    parseKeySet(secretString, nowSeconds);
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('expected the key set to be refused');
}

describe('the plain string format', () => {
  it('reads a plain string as one HS256 key without a kid, as the original did', () => {
    const keySet = parseKeySet('a-plain-secret-of-at-least-32-bytes!!', NOW);

    expect(keySet.format).toBe('plain');
    expect(keySet.keys).toHaveLength(1);
    expect(keySet.keys[0]).toMatchObject({ kid: undefined, kty: 'oct', alg: 'HS256', hasPrivatePart: true });
    expect(Buffer.from(String(keySet.keys[0]?.jwk.k), 'base64url').toString('utf8')).toBe('a-plain-secret-of-at-least-32-bytes!!');
  });

  it('refuses a plain string shorter than 32 UTF-8 bytes', () => {
    const error = parseError('x'.repeat(31));

    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
    expect(error.message).toContain('31 bytes');
  });

  it('counts UTF-8 bytes, not characters, so 11 three-byte characters are enough', () => {
    expect(parseKeySet('鍵'.repeat(11), NOW).keys).toHaveLength(1);
  });
});

describe('the JWK Set format', () => {
  it('accepts a set with one key of every supported algorithm, keeping its order', async () => {
    const keys = await Promise.all(ALL_ALGS.map((alg) => privateJwk(alg)));

    const keySet = parseKeySet(keySetSecret(...keys), NOW);

    expect(keySet.format).toBe('jwks');
    expect(keySet.keys.map((key) => [key.kid, key.alg])).toEqual(keys.map((jwk) => [jwk.kid, jwk.alg]));
  });

  it('tells the set from a plain string even with white space before the brace', async () => {
    const key = await privateJwk('ES256');

    expect(parseKeySet(`\n  ${keySetSecret(key)}`, NOW).format).toBe('jwks');
  });

  it('accepts an oct key without a kid, which verifies tokens that carry none', async () => {
    const legacy = await privateJwk('HS256', { kid: undefined });
    const signer = await privateJwk('ES256');

    const keySet = parseKeySet(keySetSecret(signer, legacy), NOW);

    expect(keySet.keys[1]).toMatchObject({ kid: undefined, alg: 'HS256' });
  });

  it('accepts a public-only key that can no longer sign because it is retired', async () => {
    const signer = await privateJwk('ES256', { kid: 'new' });
    const retired = publicHalf(await privateJwk('ES256', { kid: 'old', retired_at: NOW - 60 }));

    const keySet = parseKeySet(keySetSecret(signer, retired), NOW);

    expect(keySet.keys[1]).toMatchObject({ kid: 'old', hasPrivatePart: false, retiredAt: NOW - 60 });
  });

  it('accepts a public-only key that never signs because an always-active key comes first', async () => {
    const signer = await privateJwk('RS256', { kid: 'ours' });
    const partner = publicHalf(await privateJwk('EdDSA', { kid: 'partner' }));

    expect(parseKeySet(keySetSecret(signer, partner), NOW).keys).toHaveLength(2);
  });
});

describe('a public-only key is refused exactly when it would sign now or later', () => {
  it('refuses a public-only key placed after the signer, which takes over when that signer retires', async () => {
    // Prepare
    const current = await privateJwk('ES256', { kid: 'current', retired_at: NOW + 600 });
    const successor = publicHalf(await privateJwk('ES256', { kid: 'successor' }));

    // Act
    const error = parseError(keySetSecret(current, successor));

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
  });

  it('accepts a public-only key retired in the past, behind a signer active since before then', async () => {
    // Prepare: the retired key's window [-∞, NOW - 60) starts before the signer's NOW - 100, but
    // only what lies from now on counts.
    const signer = await privateJwk('ES256', { kid: 'signer', nbf: NOW - 100 });
    const retired = publicHalf(await privateJwk('ES256', { kid: 'retired', retired_at: NOW - 60 }));

    // Act
    const keySet = parseKeySet(keySetSecret(signer, retired), NOW);

    // Assess
    expect(keySet.keys.map((key) => [key.kid, key.hasPrivatePart])).toEqual([
      ['signer', true],
      ['retired', false],
    ]);
  });

  it.each([
    { name: 'a minute ago', retiredAt: NOW - 60 },
    { name: 'at this very second', retiredAt: NOW },
  ])('accepts a public-only key retired $name, even placed first in the set', async ({ retiredAt }) => {
    // Prepare
    const retired = publicHalf(await privateJwk('ES256', { kid: 'retired', retired_at: retiredAt }));
    const signer = await privateJwk('ES256', { kid: 'signer' });

    // Act
    const keySet = parseKeySet(keySetSecret(retired, signer), NOW);

    // Assess
    expect(keySet.keys.map((key) => key.kid)).toEqual(['retired', 'signer']);
  });

  it('refuses a public-only key placed first that retires a second from now', async () => {
    // Prepare
    const leaving = publicHalf(await privateJwk('ES256', { kid: 'leaving', retired_at: NOW + 1 }));
    const signer = await privateJwk('ES256', { kid: 'signer' });

    // Act
    const error = parseError(keySetSecret(leaving, signer));

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
  });

  it('accepts a public-only key behind an always-active signer, even with a key published ahead first', async () => {
    // Prepare
    const next = await privateJwk('ES256', { kid: 'next', nbf: NOW + 600 });
    const current = await privateJwk('ES256', { kid: 'current' });
    const partner = publicHalf(await privateJwk('EdDSA', { kid: 'partner' }));

    // Act
    const keySet = parseKeySet(keySetSecret(next, current, partner), NOW);

    // Assess
    expect(keySet.keys).toHaveLength(3);
  });

  it('refuses a public-only key that fills the gap between a signer retiring and the next one starting', async () => {
    // Prepare
    const current = await privateJwk('ES256', { kid: 'current', retired_at: NOW + 600 });
    const next = await privateJwk('ES256', { kid: 'next', nbf: NOW + 900 });
    const gap = publicHalf(await privateJwk('ES256', { kid: 'gap' }));

    // Act
    const error = parseError(keySetSecret(current, next, gap));

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
  });

  it('accepts a public-only key when the signer retiring hands over to the next one at that same second', async () => {
    // Prepare
    const current = await privateJwk('ES256', { kid: 'current', retired_at: NOW + 600 });
    const next = await privateJwk('ES256', { kid: 'next', nbf: NOW + 600 });
    const partner = publicHalf(await privateJwk('ES256', { kid: 'partner' }));

    // Act
    const keySet = parseKeySet(keySetSecret(current, next, partner), NOW);

    // Assess
    expect(keySet.keys).toHaveLength(3);
  });
});

describe('a bad key set is refused with a message naming the problem and the key', () => {
  const cases: { name: string; build: () => Promise<JWK[] | string>; mentions: RegExp }[] = [
    {
      name: 'a duplicate kid',
      build: async () => [await privateJwk('ES256', { kid: 'twin' }), await privateJwk('ES384', { kid: 'twin' })],
      mentions: /kid "twin" appears twice \(keys 1 and 2\)/,
    },
    {
      name: 'an alg that does not fit the kty',
      build: async () => [await privateJwk('ES256', { kid: 'ec-1', alg: 'RS256' })],
      mentions: /key 1 \(kid "ec-1"\) has alg "RS256", which does not fit kty "EC"/,
    },
    {
      name: 'an EC key on the wrong curve for its alg',
      build: async () => [await privateJwk('ES256', { kid: 'ec-2', alg: 'ES384' })],
      mentions: /kid "ec-2"\) has crv "P-256"; ES384 needs "P-384"/,
    },
    {
      name: 'an HS256 key shorter than its hash',
      build: async () => [await privateJwk('HS256', { kid: 'short', k: Buffer.alloc(31, 7).toString('base64url') })],
      mentions: /kid "short"\) is a 31-byte HMAC key; HS256 needs at least 32 bytes/,
    },
    {
      name: 'an HS512 key shorter than its hash',
      build: async () => [await privateJwk('HS512', { kid: 'short-512', k: Buffer.alloc(48, 7).toString('base64url') })],
      mentions: /kid "short-512"\) is a 48-byte HMAC key; HS512 needs at least 64 bytes/,
    },
    {
      name: 'an RSA-1024 key',
      build: async () => [rsaJwkOfBits(1024, { kid: 'rsa-small' })],
      mentions: /kid "rsa-small"\) is a 1024-bit RSA key; RS256 needs at least 2048 bits/,
    },
    {
      name: 'a signing key with only its public half',
      build: async () => [publicHalf(await privateJwk('ES256', { kid: 'no-d' }))],
      mentions: /kid "no-d"\) signs now or later but has only its public half/,
    },
    {
      name: 'a public-only key published ahead that would sign later',
      build: async () => [
        publicHalf(await privateJwk('ES256', { kid: 'next', nbf: NOW + 600 })),
        await privateJwk('ES256', { kid: 'current' }),
      ],
      mentions: /kid "next"\) signs now or later but has only its public half/,
    },
    { name: 'malformed JSON', build: async () => '{"keys": [{"kty": "oct", "k": "c2VjcmV0", }', mentions: /not valid JSON/ },
    { name: 'an empty set', build: async () => [], mentions: /set is empty/ },
    { name: 'JSON that is not a JWK Set', build: async () => '{"signingKey": "abc"}', mentions: /not a JWK Set/ },
    {
      name: 'an unknown kty',
      build: async () => [{ kty: 'AKP', kid: 'pq', alg: 'ML-DSA-44' }],
      mentions: /kid "pq"\) has kty "AKP"/,
    },
    {
      name: 'an asymmetric key without a kid',
      build: async () => [await privateJwk('EdDSA', { kid: undefined })],
      mentions: /key 1 \(no kid\) has no "kid"/,
    },
    {
      name: 'two keys without a kid',
      build: async () => [await privateJwk('HS256', { kid: undefined }), await privateJwk('HS384', { kid: undefined })],
      mentions: /keys 1 and 2 both have no "kid"/,
    },
    {
      name: 'a key without an alg',
      build: async () => [await privateJwk('ES256', { kid: 'no-alg', alg: undefined })],
      mentions: /kid "no-alg"\) has no "alg"/,
    },
    {
      name: 'a key meant for encryption',
      build: async () => [await privateJwk('RS256', { kid: 'enc', use: 'enc' })],
      mentions: /kid "enc"\) has use "enc"/,
    },
    {
      name: 'an nbf that is not epoch seconds',
      build: async () => [await privateJwk('ES256', { kid: 'when', nbf: '2026-01-01' })],
      mentions: /kid "when"\) has an "nbf" that is not whole epoch seconds/,
    },
    {
      name: 'a set whose every key is retired',
      build: async () => [await privateJwk('ES256', { kid: 'gone', retired_at: NOW - 1 })],
      mentions: /no key may sign now/,
    },
    {
      name: 'a set whose only key is not active yet',
      build: async () => [await privateJwk('ES256', { kid: 'soon', nbf: NOW + 1 })],
      mentions: /no key may sign now/,
    },
  ];

  it.each(cases)('refuses $name', async ({ build, mentions }) => {
    const built = await build();
    const secretString = typeof built === 'string' ? built : keySetSecret(...built);

    const error = parseError(secretString);

    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
    expect(error.statusCode).toBe(500);
    expect(error.message).toMatch(mentions);
    for (const value of typeof built === 'string' ? [] : privateValues(...built)) {
      expect(error.message).not.toContain(value);
    }
  });

  it('never quotes the text of malformed JSON, which may be key material', () => {
    const error = parseError('{"keys": [{"kty": "oct", "k": "TOP-SECRET-KEY-BYTES" x}]}');

    expect(error.message).not.toContain('TOP-SECRET');
  });
});

describe('which key signs when', () => {
  const window = (nbf?: number, retiredAt?: number) => ({ nbf, retiredAt });

  it('is the first key when it has no signing window', () => {
    expect(signerIndexAt([window(), window()], NOW)).toBe(0);
  });

  it('skips a key published ahead until its nbf, then picks it from that second on', () => {
    const keys = [window(NOW + 10), window()];

    expect(signerIndexAt(keys, NOW + 9)).toBe(1);
    expect(signerIndexAt(keys, NOW + 10)).toBe(0);
  });

  it('skips a key from its retired_at on', () => {
    const keys = [window(undefined, NOW), window()];

    expect(signerIndexAt(keys, NOW - 1)).toBe(0);
    expect(signerIndexAt(keys, NOW)).toBe(1);
  });

  it('finds no signer when every key is pending or retired', () => {
    expect(signerIndexAt([window(NOW + 1), window(undefined, NOW)], NOW)).toBeUndefined();
  });
});
