/**
 * One key of the signing secret: the algorithms each key type may carry, the checks one JWK must
 * pass, and its public half. Pure: it parses and checks, and never imports a key or reads the clock.
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

type KeyType = keyof typeof ALGS_BY_KTY;
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
const MIN_RSA_BITS = 2048;

/** The curve each elliptic-curve algorithm requires. */
const CURVE_BY_ALG: Readonly<Record<string, string>> = Object.freeze({ ES256: 'P-256', ES384: 'P-384', EdDSA: 'Ed25519' });

/** The members that make up each key type's public half; nothing else is ever published. */
const PUBLIC_MEMBERS = Object.freeze({ EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'], RSA: ['n', 'e'] } as const);

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

/** Checks one JWK of a set, at `index`, naming it in every message by position and `kid`. */
export function checkKey(entry: unknown, index: number): KeySpec {
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
  if (typeof entry.alg !== 'string') throw problem(`has no "alg"; an ${keyType} key needs one of ${allowed.join(', ')}.`);
  if (!allowed.includes(entry.alg)) {
    throw problem(`has alg ${quote(entry.alg)}, which does not fit kty "${keyType}" (expected ${allowed.join(', ')}).`);
  }
  const alg = entry.alg as SigningAlg;
  if (entry.use !== undefined && entry.use !== 'sig') throw problem(`has use ${quote(entry.use)}; a signing key has "sig" or none.`);
  const nbf = epochSecondsMember(entry.nbf, () => problem('has an "nbf" that is not whole epoch seconds.'));
  const retiredAt = epochSecondsMember(entry.retired_at, () => problem('has a "retired_at" that is not whole epoch seconds.'));

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

function epochSecondsMember(value: unknown, problem: () => MintError): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw problem();
  return value;
}

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A member's value for a message, only for the non-secret members (kty, alg, use, crv, kid). */
function quote(value: unknown): string {
  if (value === undefined) return 'missing';
  return typeof value === 'string' ? `"${clip(value)}"` : 'of the wrong type';
}

/** A `kid` or other short member cut to a length fit for a message. */
export function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

/** A refusal of the signing secret. */
export function unusable(message: string): MintError {
  return new MintError('SIGNING_KEY_UNUSABLE', message);
}
