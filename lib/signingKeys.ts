import { MintError } from './errors';

/** The only algorithm a plain-string secret can mean: the original's HS256. */
export const PLAIN_SECRET_ALG = 'HS256';

/** The fewest key bytes we accept for HS256: the length of its hash, per RFC 7518 §3.2. */
export const MIN_HS256_KEY_BYTES = 32;

/** A key that signs or verifies, with the one algorithm it may be used with. */
export interface KeyEntry {
  readonly kid: string | undefined;
  readonly alg: string;
  readonly key: CryptoKey;
}

/** The keys loaded from one version of the signing secret. */
export interface SigningKeys {
  /** Signs every minted token. */
  readonly signingKey: KeyEntry;
  /** Verify callers' tokens; the signing key is always among them. */
  readonly verificationKeys: readonly KeyEntry[];
}

/**
 * Turns the signing secret's SecretString into imported keys.
 * A plain string is the original's format: its UTF-8 bytes are one HS256 key.
 * @throws MintError SIGNING_KEY_UNUSABLE, with a message that names the problem but never the key.
 */
export async function importSigningKeys(secretString: string): Promise<SigningKeys> {
  const keyBytes = new TextEncoder().encode(secretString);
  if (keyBytes.length < MIN_HS256_KEY_BYTES) {
    throw new MintError(
      'SIGNING_KEY_UNUSABLE',
      `The signing secret is ${keyBytes.length} bytes long; an HS256 key needs at least ${MIN_HS256_KEY_BYTES}.`,
    );
  }
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
  const entry: KeyEntry = { kid: undefined, alg: PLAIN_SECRET_ALG, key };
  return { signingKey: entry, verificationKeys: [entry] };
}
