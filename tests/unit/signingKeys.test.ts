import { createHmac } from 'node:crypto';
import { MintError } from '../../lib/errors';
import { importSigningKeys, MIN_HS256_KEY_BYTES, PLAIN_SECRET_ALG } from '../../lib/signingKeys';
import { SEED_SECRET } from '../helpers/seed';
import { TEST_SECRET } from '../helpers/tokens';

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
    expect(keys.signingKey).toMatchObject({ kid: undefined, alg: 'HS256' });
    expect(keys.verificationKeys).toEqual([keys.signingKey]);
    expect(keys.signingKey.key.algorithm).toMatchObject({ name: 'HMAC', hash: { name: 'SHA-256' } });
    expect([...keys.signingKey.key.usages].sort()).toEqual(['sign', 'verify']);
    expect(PLAIN_SECRET_ALG).toBe('HS256');
  });

  test('uses the UTF-8 bytes of the secret string as the key, as the original did', async () => {
    // Prepare
    const data = 'header.payload';

    // Act
    const keys = await importSigningKeys(SEED_SECRET);
    const signature = await webCryptoSignature(keys.signingKey.key, data);

    // Assess
    expect(signature).toBe(createHmac('sha256', SEED_SECRET).update(data).digest('base64url'));
  });

  test('imports the key as non-extractable, so it cannot be read back out', async () => {
    // Act
    const keys = await importSigningKeys(TEST_SECRET);

    // Assess
    expect(keys.signingKey.key.extractable).toBe(false);
  });

  test('accepts a secret of exactly 32 bytes (the seed secret)', async () => {
    // Act
    const keys = await importSigningKeys(SEED_SECRET);

    // Assess
    expect(Buffer.byteLength(SEED_SECRET)).toBe(MIN_HS256_KEY_BYTES);
    expect(keys.signingKey.alg).toBe('HS256');
  });

  test('counts bytes, not characters: 16 two-byte characters make a usable key', async () => {
    // Prepare
    const secret = 'é'.repeat(16);

    // Act
    const keys = await importSigningKeys(secret);

    // Assess
    expect(secret).toHaveLength(16);
    expect(keys.signingKey.alg).toBe('HS256');
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
