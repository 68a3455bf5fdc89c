import { importJWK, type JWK } from 'jose';
import { MintError } from '../errors';
import { epochSeconds } from '../time';
import { describeKey, publicJwkOf, type KeySpec, type PublicJwk, type SigningAlg } from './jwk';
import { parseKeySet, publishedJwks, signerIndexAt } from './keySet';

/** A key with the one algorithm it may be used with. */
export interface KeyEntry {
  readonly kid: string | undefined;
  readonly alg: SigningAlg;
  readonly key: CryptoKey;
}

/** A key's signing window and, when it has one, its private half. */
interface SignerEntry {
  readonly kid: string | undefined;
  readonly alg: SigningAlg;
  /** Undefined for a public-only key: it verifies but can never be the signer. */
  readonly privateKey: CryptoKey | undefined;
  readonly nbf: number | undefined;
  readonly retiredAt: number | undefined;
}

/** The keys loaded from one version of the signing secret. */
export interface SigningKeys {
  readonly format: 'plain' | 'jwks';
  /** Every key in the set's order; the one that signs is picked per request by `signingKeyAt`. */
  readonly signers: readonly SignerEntry[];
  /** Verify callers' tokens: the secret of an HMAC key, the public half of the others. */
  readonly verificationKeys: readonly KeyEntry[];
  /** The public halves of the asymmetric keys, in the set's order: the JWKS we publish. */
  readonly publicKeys: readonly PublicJwk[];
}

/**
 * Turns the signing secret's SecretString into imported keys. A plain string is the original's
 * format: its UTF-8 bytes are one HS256 key. A JSON JWK Set is checked whole first (see keySet.ts).
 * @throws MintError SIGNING_KEY_UNUSABLE, with a message that names the problem but never the key.
 */
export async function importSigningKeys(secretString: string, now: Date = new Date()): Promise<SigningKeys> {
  const keySet = parseKeySet(secretString, epochSeconds(now));
  const imported = await Promise.all(keySet.keys.map((spec, index) => importKey(spec, index)));
  return {
    format: keySet.format,
    signers: imported.map(({ signer }) => signer),
    verificationKeys: imported.map(({ verifier }) => verifier),
    publicKeys: publishedJwks(keySet.keys),
  };
}

/**
 * The key that signs at `now`: the first in the set whose [nbf, retired_at) holds it.
 * @throws MintError SIGNING_KEY_UNUSABLE when no key may sign at that instant.
 */
export function signingKeyAt(keys: SigningKeys, now: Date): KeyEntry {
  const index = signerIndexAt(keys.signers, epochSeconds(now));
  const signer = index === undefined ? undefined : keys.signers[index];
  if (signer === undefined) {
    throw new MintError(
      'SIGNING_KEY_UNUSABLE',
      `No key in the signing set may sign at ${now.toISOString()}: every key is not active yet ("nbf") or retired ("retired_at").`,
    );
  }
  if (signer.privateKey === undefined) {
    throw new MintError(
      'SIGNING_KEY_UNUSABLE',
      `The signing key at ${now.toISOString()} is ${describeKey(index as number, signer.kid)}, which has no private half.`,
    );
  }
  return { kid: signer.kid, alg: signer.alg, key: signer.privateKey };
}

async function importKey(spec: KeySpec, index: number): Promise<{ signer: SignerEntry; verifier: KeyEntry }> {
  const window = { kid: spec.kid, alg: spec.alg, nbf: spec.nbf, retiredAt: spec.retiredAt };
  try {
    if (spec.kty === 'oct') {
      const secret = await importHmacKey(spec);
      return { signer: { ...window, privateKey: secret }, verifier: { kid: spec.kid, alg: spec.alg, key: secret } };
    }
    const publicKey = await importAsymmetric(publicJwkOf(spec) as JWK, spec.alg);
    const privateKey = spec.hasPrivatePart ? await importAsymmetric(spec.jwk, spec.alg) : undefined;
    return { signer: { ...window, privateKey }, verifier: { kid: spec.kid, alg: spec.alg, key: publicKey } };
  } catch (error) {
    // WebCrypto's reasons ("Invalid keyData") name no key material; the key's own members stay out.
    const reason = error instanceof Error ? error.message : 'unknown reason';
    throw new MintError('SIGNING_KEY_UNUSABLE', `Signing key set: ${describeKey(index, spec.kid)} cannot be imported as ${spec.alg}: ${reason}`);
  }
}

async function importHmacKey(spec: KeySpec): Promise<CryptoKey> {
  const keyBytes = Buffer.from(String(spec.jwk.k), 'base64url');
  const hash = `SHA-${spec.alg.slice(2)}`;
  return crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash }, false, ['sign', 'verify']);
}

async function importAsymmetric(jwk: Readonly<JWK>, alg: SigningAlg): Promise<CryptoKey> {
  // Our own members are not WebCrypto's business; `key_ops` and `ext` are, and it honours them.
  const { nbf: _nbf, retired_at: _retiredAt, ...standard } = jwk as JWK & Record<string, unknown>;
  const key = await importJWK({ ...standard, alg }, alg);
  if (key instanceof Uint8Array) throw new TypeError(`importJWK returned raw bytes for ${alg}`);
  return key;
}
