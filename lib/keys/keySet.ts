/**
 * The signing secret's two formats, told apart by the first character: a JSON JWK Set when it
 * starts with "{", otherwise the original's plain string (one HS256 key, no `kid`). Everything here
 * is pure: it parses and checks, and never imports a key or reads the clock.
 *
 * Two JWK members are ours (RFC 7517 §4 allows members it does not define):
 * - `nbf`: epoch seconds before which the key does not sign. It is published and verifies at once,
 *   so verifiers that cache the JWKS have seen it before the first token it signs reaches them.
 * - `retired_at`: epoch seconds from which the key no longer signs. It still verifies until it is
 *   removed from the set; `npm run keys -- rotate` stamps it and later drops the key.
 * The key that signs at an instant is the first in the set whose [nbf, retired_at) holds it.
 */
import { checkKey, clip, describeKey, isRecord, MIN_HMAC_KEY_BYTES, PLAIN_SECRET_ALG, publicJwkOf, unusable, type KeySpec, type PublicJwk } from './jwk';

/** The secret, parsed and checked. */
export interface KeySet {
  readonly format: 'plain' | 'jwks';
  /** In the set's order, which decides which key signs. */
  readonly keys: readonly KeySpec[];
}

/**
 * Parses the signing secret and checks the whole set: formats, unique `kid`s, `alg` fitting `kty`,
 * key sizes, and that a key signs now and every key that may sign from now on has its private part.
 * @throws MintError SIGNING_KEY_UNUSABLE naming the problem and the key, never the key material.
 */
export function parseKeySet(secretString: string, nowSeconds: number): KeySet {
  if (!secretString.trimStart().startsWith('{')) return { format: 'plain', keys: [plainKey(secretString)] };
  let document: unknown;
  try {
    document = JSON.parse(secretString);
  } catch {
    // The parser's message quotes the text around the fault, which may be key material.
    throw unusable('The signing secret starts with "{" but is not valid JSON; a key set must be a JSON JWK Set.');
  }
  const entries = isRecord(document) ? document.keys : undefined;
  if (!Array.isArray(entries)) {
    throw unusable('The signing secret is JSON but not a JWK Set: expected {"keys": [...]}.');
  }
  if (entries.length === 0) throw unusable('The signing key set is empty: "keys" must hold at least one key.');
  const keys = entries.map((entry, index) => checkKey(entry, index));
  checkKids(keys);
  checkSigningWindows(keys, nowSeconds);
  return { format: 'jwks', keys };
}

/** The key that signs at `nowSeconds`: the first whose [nbf, retired_at) holds it, or undefined. */
export function signerIndexAt(keys: readonly Pick<KeySpec, 'nbf' | 'retiredAt'>[], nowSeconds: number): number | undefined {
  const index = keys.findIndex((key) => (key.nbf ?? -Infinity) <= nowSeconds && nowSeconds < (key.retiredAt ?? Infinity));
  return index === -1 ? undefined : index;
}

/** The JWKS of a set: the public halves of its asymmetric keys, in the set's order. */
export function publishedJwks(keys: readonly KeySpec[]): PublicJwk[] {
  return keys.map(publicJwkOf).filter((jwk): jwk is PublicJwk => jwk !== undefined);
}

function plainKey(secretString: string): KeySpec {
  const keyBytes = new TextEncoder().encode(secretString);
  const minimum = MIN_HMAC_KEY_BYTES[PLAIN_SECRET_ALG];
  if (keyBytes.length < minimum) {
    throw unusable(`The signing secret is ${keyBytes.length} bytes long; an HS256 key needs at least ${minimum}.`);
  }
  return {
    kid: undefined,
    kty: 'oct',
    alg: PLAIN_SECRET_ALG,
    jwk: { kty: 'oct', alg: PLAIN_SECRET_ALG, k: Buffer.from(keyBytes).toString('base64url') },
    hasPrivatePart: true,
    nbf: undefined,
    retiredAt: undefined,
  };
}

function checkKids(keys: readonly KeySpec[]): void {
  const seen = new Map<string | undefined, number>();
  keys.forEach((key, index) => {
    const earlier = seen.get(key.kid);
    if (earlier !== undefined) {
      throw unusable(
        key.kid === undefined
          ? `Signing key set: keys ${earlier + 1} and ${index + 1} both have no "kid"; at most one key (an oct key) may go without.`
          : `Signing key set: kid "${clip(key.kid)}" appears twice (keys ${earlier + 1} and ${index + 1}); every kid must be unique.`,
      );
    }
    seen.set(key.kid, index);
  });
}

/** A key must sign now, and any key that may sign from now on must be able to. */
function checkSigningWindows(keys: readonly KeySpec[], nowSeconds: number): void {
  if (signerIndexAt(keys, nowSeconds) === undefined) {
    throw unusable(
      'Signing key set: no key may sign now; every key is either not active yet ("nbf") or retired ("retired_at").',
    );
  }
  keys.forEach((key, index) => {
    if (key.hasPrivatePart) return;
    if (signsFrom(keys, index, nowSeconds)) {
      throw unusable(
        `Signing key set: ${describeKey(index, key.kid)} signs now or later but has only its public half (no "d").`,
      );
    }
  });
}

/** Whether key `index` is the signer at some instant at or after `fromSeconds`. */
export function signsFrom(keys: readonly Pick<KeySpec, 'nbf' | 'retiredAt'>[], index: number, fromSeconds: number): boolean {
  const own = keys[index] as Pick<KeySpec, 'nbf' | 'retiredAt'>;
  const open = ([from, to]: [number, number]): boolean => from < to;
  const ownStretch: [number, number] = [Math.max(own.nbf ?? -Infinity, fromSeconds), own.retiredAt ?? Infinity];
  // Its own window may already be closed: the first key has no earlier keys to filter it out below.
  let stretches = [ownStretch].filter(open);
  for (const earlier of keys.slice(0, index)) {
    const start = earlier.nbf ?? -Infinity;
    const end = earlier.retiredAt ?? Infinity;
    stretches = stretches.flatMap(([from, to]): [number, number][] => [
      [from, Math.min(to, start)],
      [Math.max(from, end), to],
    ]);
    stretches = stretches.filter(open);
  }
  return stretches.length > 0;
}

