import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { MIN_HMAC_KEY_BYTES, type PublicJwk, type SigningAlg, type StoredJwk } from './jwk';
import { parseKeySet, publishedJwks, signerIndexAt } from './keySet';

/** When a rotation lets the new key sign, and how long retired keys stay. */
export interface RotationPolicy {
  readonly nowSeconds: number;
  /**
   * Seconds between publishing the new key and its first signature: long enough for every container
   * to load the new set and for every cached copy of the JWKS to expire.
   */
  readonly publishDelaySeconds: number;
  /** How long a key stays after it stopped signing: the longest token lifetime plus the cache window. */
  readonly keepRetiredSeconds: number;
  /** Keys to remove now, whatever their age: the response to a leak. */
  readonly dropKids?: readonly string[];
  /** Remove every current key now: the secret value itself leaked, or a plain-string key (no kid) did. */
  readonly dropAll?: boolean;
}

/** What a rotation did, by `kid` only. */
export interface Rotation {
  readonly secretString: string;
  readonly added: string;
  /** Epoch seconds from which the new key signs. */
  readonly signsFrom: number;
  readonly retired: readonly string[];
  readonly dropped: readonly string[];
}

/**
 * The algorithm a rotation uses unless told otherwise: the current signer's, so verifiers see no
 * change; ES256 when leaving the plain string, whose HMAC key only shared-secret holders can use.
 * @throws MintError SIGNING_KEY_UNUSABLE when the secret is not a valid set.
 */
export function defaultRotationAlg(secretString: string, nowSeconds: number): SigningAlg {
  const current = parseKeySet(secretString, nowSeconds);
  if (current.format === 'plain') return 'ES256';
  return current.keys[signerIndexAt(current.keys, nowSeconds) ?? 0]?.alg ?? 'ES256';
}

/** Generates a private JWK for `alg`: the RFC 7638 thumbprint as `kid` for an asymmetric key, random for HMAC. */
export async function generateSigningJwk(alg: SigningAlg): Promise<JWK> {
  if (alg === 'HS256' || alg === 'HS384' || alg === 'HS512') {
    // A thumbprint of an HMAC key would be a hash of the secret in every token header.
    const k = randomBytes(MIN_HMAC_KEY_BYTES[alg]).toString('base64url');
    return { kty: 'oct', kid: randomBytes(12).toString('base64url'), alg, k };
  }
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { kty: jwk.kty, kid: await calculateJwkThumbprint(jwk), alg, ...jwk };
}

/** The secret string of a new key set holding one key, which signs at once. */
export function newKeySetSecret(jwk: JWK): string {
  return formatKeySet([jwk]);
}

/**
 * Puts `newKey` first, signing from now + publishDelaySeconds; stamps `retired_at` on every other
 * key still able to sign then; drops keys retired longer ago than keepRetiredSeconds and those named
 * in dropKids (every key with dropAll). A plain-string secret becomes a set whose old key, without a `kid`, keeps verifying
 * the tokens it signed.
 * @throws MintError SIGNING_KEY_UNUSABLE when the current secret is not a valid set.
 * @throws RangeError when dropKids names an unknown key, or leaves no key to sign until the new one does.
 */
export function rotateKeySet(currentSecret: string, newKey: JWK, policy: RotationPolicy): Rotation {
  const { nowSeconds } = policy;
  const current = parseKeySet(currentSecret, nowSeconds);
  const signsFrom = nowSeconds + policy.publishDelaySeconds;
  const dropKids = new Set(policy.dropKids ?? []);
  for (const kid of dropKids) {
    if (!current.keys.some((key) => key.kid === kid)) throw new RangeError(`--drop ${kid}: the set has no key with that kid.`);
  }
  if (typeof newKey.kid !== 'string' || current.keys.some((key) => key.kid === newKey.kid)) {
    throw new RangeError('The new key needs a kid the set does not hold yet.');
  }

  const retired: string[] = [];
  const dropped: string[] = [];
  const kept: StoredJwk[] = [];
  for (const key of current.keys) {
    const name = key.kid ?? '(no kid)';
    const retiredAt = key.retiredAt === undefined || key.retiredAt > signsFrom ? signsFrom : key.retiredAt;
    if (retiredAt !== key.retiredAt) retired.push(name);
    const expired = retiredAt + policy.keepRetiredSeconds <= nowSeconds;
    if (expired || policy.dropAll === true || (key.kid !== undefined && dropKids.has(key.kid))) {
      dropped.push(name);
      continue;
    }
    kept.push({ ...key.jwk, retired_at: retiredAt });
  }

  const next: StoredJwk = { ...newKey, nbf: signsFrom };
  const keys = [next, ...kept];
  if (signerIndexAt(keys.map(signingWindow), nowSeconds) === undefined) {
    throw new RangeError(
      'After this rotation no key would sign until the new one starts: when dropping the signing key, use --publish-delay 0.',
    );
  }
  const secretString = formatKeySet(keys);
  parseKeySet(secretString, nowSeconds); // The result must load: never write a set the service would refuse.
  return { secretString, added: String(newKey.kid), signsFrom, retired: retired.filter((kid) => !dropped.includes(kid)), dropped };
}

/**
 * The JWKS a verifier needs: the public halves of the secret's asymmetric keys.
 * @throws MintError SIGNING_KEY_UNUSABLE when the secret is not a valid set.
 */
export function publicKeySet(secretString: string, nowSeconds: number): { keys: PublicJwk[] } {
  return { keys: publishedJwks(parseKeySet(secretString, nowSeconds).keys) };
}

function signingWindow(jwk: StoredJwk): { nbf: number | undefined; retiredAt: number | undefined } {
  return { nbf: jwk.nbf, retiredAt: jwk.retired_at };
}

function formatKeySet(keys: readonly JWK[]): string {
  return JSON.stringify({ keys }, null, 2);
}
