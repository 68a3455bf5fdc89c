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
import type { JWK } from 'jose';
import { MintError } from '../errors';

/** The algorithms a key may carry, by key type. */
export const ALGS_BY_KTY = Object.freeze({
  oct: ['HS256', 'HS384', 'HS512'],
  EC: ['ES256', 'ES384'],
  OKP: ['EdDSA'],
  RSA: ['RS256', 'PS256'],
} as const);

export type KeyType = keyof typeof ALGS_BY_KTY;
export type SigningAlg = (typeof ALGS_BY_KTY)[KeyType][number];

/** The only algorithm a plain-string secret can mean: the original's HS256. */
export const PLAIN_SECRET_ALG = 'HS256';

/** The fewest key bytes per HMAC algorithm: the length of its hash, per RFC 7518 §3.2. */
export const MIN_HMAC_KEY_BYTES: Readonly<Record<'HS256' | 'HS384' | 'HS512', number>> = Object.freeze({
  HS256: 32,
  HS384: 48,
  HS512: 64,
});

/** The fewest bits of an RSA modulus, per RFC 7518 §3.3. */
export const MIN_RSA_BITS = 2048;

/** The curve each elliptic-curve algorithm requires. */
const CURVE_BY_ALG: Readonly<Record<string, string>> = Object.freeze({ ES256: 'P-256', ES384: 'P-384', EdDSA: 'Ed25519' });

/** The members that make up each key type's public half; nothing else is ever published. */
const PUBLIC_MEMBERS = Object.freeze({ EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'], RSA: ['n', 'e'] } as const);

/** The members of a private JWK that must never leave the secret. */
export const PRIVATE_MEMBERS = Object.freeze(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const);

const RSA_PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A private JWK as stored in the secret, with our two signing-window members. */
export type StoredJwk = JWK & { nbf?: number; retired_at?: number };

/** A public JWK as published in the JWKS. */
export interface PublicJwk {
  readonly kty: 'EC' | 'OKP' | 'RSA';
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly use: 'sig';
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly n?: string;
  readonly e?: string;
}

/** One checked key of the secret. */
export interface KeySpec {
  /** Undefined only for an `oct` key: the plain string, or a set's key for tokens without `kid`. */
  readonly kid: string | undefined;
  readonly kty: KeyType;
  readonly alg: SigningAlg;
  /** The JWK as stored, private members included. */
  readonly jwk: Readonly<JWK>;
  /** Whether the key can sign: an `oct` key always, an asymmetric key when it holds `d`. */
  readonly hasPrivatePart: boolean;
  /** Epoch seconds from which it may sign; undefined means it always could. */
  readonly nbf: number | undefined;
  /** Epoch seconds from which it no longer signs; undefined means not retired. */
  readonly retiredAt: number | undefined;
}

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

/** The public half of an asymmetric key, with only the members a verifier needs; undefined for `oct`. */
export function publicJwkOf(key: KeySpec): PublicJwk | undefined {
  if (key.kty === 'oct' || key.kid === undefined) return undefined;
  const published: Record<string, string> = { kty: key.kty, kid: key.kid, alg: key.alg, use: 'sig' };
  for (const member of PUBLIC_MEMBERS[key.kty]) {
    const value = key.jwk[member];
    if (typeof value === 'string') published[member] = value;
  }
  return published as unknown as PublicJwk;
}

/** Names a key in log lines and messages by position and `kid`; never by anything secret. */
export function describeKey(index: number, kid: unknown): string {
  return typeof kid === 'string' && kid !== '' ? `key ${index + 1} (kid "${clip(kid)}")` : `key ${index + 1} (no kid)`;
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

function checkKey(entry: unknown, index: number): KeySpec {
  if (!isRecord(entry)) throw unusable(`${describeKey(index, undefined)} is not a JSON object.`);
  const name = describeKey(index, entry.kid);
  const problem = (text: string) => unusable(`Signing key set: ${name} ${text}`);

  const kty = entry.kty;
  if (typeof kty !== 'string' || !Object.hasOwn(ALGS_BY_KTY, kty)) {
    throw problem(`has kty ${quote(kty)}; expected one of ${Object.keys(ALGS_BY_KTY).join(', ')}.`);
  }
  const keyType = kty as KeyType;
  if (entry.kid !== undefined && (typeof entry.kid !== 'string' || entry.kid === '')) {
    throw problem('has a "kid" that is not a non-empty string.');
  }
  if (entry.kid === undefined && keyType !== 'oct') {
    throw problem(`has no "kid"; every ${keyType} key needs one, so that verifiers can find it in the JWKS.`);
  }
  const allowed: readonly string[] = ALGS_BY_KTY[keyType];
  if (typeof entry.alg !== 'string') throw problem(`has no "alg"; a ${keyType} key needs one of ${allowed.join(', ')}.`);
  if (!allowed.includes(entry.alg)) {
    throw problem(`has alg ${quote(entry.alg)}, which does not fit kty "${keyType}" (expected ${allowed.join(', ')}).`);
  }
  const alg = entry.alg as SigningAlg;
  if (entry.use !== undefined && entry.use !== 'sig') throw problem(`has use ${quote(entry.use)}; a signing key has "sig" or none.`);
  const nbf = epochSeconds(entry.nbf, () => problem('has an "nbf" that is not whole epoch seconds.'));
  const retiredAt = epochSeconds(entry.retired_at, () => problem('has a "retired_at" that is not whole epoch seconds.'));

  let hasPrivatePart: boolean;
  if (keyType === 'oct') {
    const keyBytes = base64urlMember(entry, 'k', problem);
    const minimum = MIN_HMAC_KEY_BYTES[alg as keyof typeof MIN_HMAC_KEY_BYTES];
    if (keyBytes.length < minimum) throw problem(`is a ${keyBytes.length}-byte HMAC key; ${alg} needs at least ${minimum} bytes.`);
    hasPrivatePart = true;
  } else {
    if (keyType === 'RSA') {
      const bits = modulusBits(base64urlMember(entry, 'n', problem));
      if (bits < MIN_RSA_BITS) throw problem(`is a ${bits}-bit RSA key; ${alg} needs at least ${MIN_RSA_BITS} bits.`);
      base64urlMember(entry, 'e', problem);
    } else {
      const curve = CURVE_BY_ALG[alg];
      if (entry.crv !== curve) throw problem(`has crv ${quote(entry.crv)}; ${alg} needs "${curve}".`);
      for (const member of PUBLIC_MEMBERS[keyType]) if (member !== 'crv') base64urlMember(entry, member, problem);
    }
    hasPrivatePart = entry.d !== undefined;
    if (hasPrivatePart) {
      const privateMembers = keyType === 'RSA' ? RSA_PRIVATE_MEMBERS : (['d'] as const);
      for (const member of privateMembers) base64urlMember(entry, member, problem);
    }
  }
  return {
    kid: entry.kid as string | undefined,
    kty: keyType,
    alg,
    jwk: entry as JWK,
    hasPrivatePart,
    nbf,
    retiredAt,
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
function signsFrom(keys: readonly KeySpec[], index: number, fromSeconds: number): boolean {
  const own = keys[index] as KeySpec;
  let stretches: [number, number][] = [[Math.max(own.nbf ?? -Infinity, fromSeconds), own.retiredAt ?? Infinity]];
  for (const earlier of keys.slice(0, index)) {
    const start = earlier.nbf ?? -Infinity;
    const end = earlier.retiredAt ?? Infinity;
    stretches = stretches.flatMap(([from, to]): [number, number][] => [
      [from, Math.min(to, start)],
      [Math.max(from, end), to],
    ]);
    stretches = stretches.filter(([from, to]) => from < to);
  }
  return stretches.length > 0;
}

function base64urlMember(entry: Record<string, unknown>, member: string, problem: (text: string) => MintError): Buffer {
  const value = entry[member];
  if (typeof value !== 'string' || !BASE64URL.test(value)) {
    throw problem(`has no valid "${member}" (a base64url string).`);
  }
  return Buffer.from(value, 'base64url');
}

function modulusBits(modulus: Buffer): number {
  let index = 0;
  while (index < modulus.length && modulus[index] === 0) index++;
  if (index === modulus.length) return 0;
  return (modulus.length - index) * 8 - Math.clz32(modulus[index] as number) + 24;
}

function epochSeconds(value: unknown, problem: () => MintError): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw problem();
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A member's value for a message, only for the non-secret members (kty, alg, use, crv, kid). */
function quote(value: unknown): string {
  if (value === undefined) return 'missing';
  return typeof value === 'string' ? `"${clip(value)}"` : 'of the wrong type';
}

function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

function unusable(message: string): MintError {
  return new MintError('SIGNING_KEY_UNUSABLE', message);
}
