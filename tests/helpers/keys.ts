import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { SigningAlg } from '../../lib/keys/jwk';
import { callerClaims } from './tokens';

/** Every algorithm a key set may use. */
export const ALL_ALGS: readonly SigningAlg[] = ['HS256', 'HS384', 'HS512', 'ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'];
export const HMAC_ALGS = ['HS256', 'HS384', 'HS512'] as const;
export const ASYMMETRIC_ALGS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as const;

/** The members of a private JWK that must never be published. */
export const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The bytes of each HMAC algorithm's hash: the shortest key it may have. */
const HASH_BYTES = { HS256: 32, HS384: 48, HS512: 64 } as const;

/** Generates a private JWK for `alg`, made in the test and never committed. */
export async function privateJwk(alg: SigningAlg, members: Record<string, unknown> = {}): Promise<JWK> {
  const kid = `test-${alg.toLowerCase()}`;
  if (alg === 'HS256' || alg === 'HS384' || alg === 'HS512') {
    return { kty: 'oct', kid, alg, k: randomBytes(HASH_BYTES[alg]).toString('base64url'), ...members };
  }
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg, ...members };
}

/** An RSA private JWK with a modulus of the given size, below what jose will generate. */
export function rsaJwkOfBits(bits: number, members: Record<string, unknown> = {}): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), alg: 'RS256', kid: `rsa-${bits}`, ...members };
}

/** The JWK without its private members: what a verifier holds. */
export function publicHalf(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  return copy as JWK;
}

/** The secret string of a JWK Set holding these keys, in order. */
export function keySetSecret(...keys: readonly JWK[]): string {
  return JSON.stringify({ keys });
}

/** The values of every private member of these keys: none may ever appear in a log or a response. */
export function privateValues(...keys: readonly JWK[]): string[] {
  return keys.flatMap((jwk) =>
    PRIVATE_MEMBERS.map((member) => (jwk as Record<string, unknown>)[member]).filter(
      (value): value is string => typeof value === 'string',
    ),
  );
}

/** A valid caller token signed with this private JWK, its `kid` in the header when it has one. */
export async function callerTokenSignedWith(
  jwk: JWK,
  options: { nowSeconds: number; claims?: JWTPayload; header?: Record<string, unknown> },
): Promise<string> {
  const alg = String(jwk.alg);
  const key = await importJWK(jwk, alg);
  return new SignJWT(callerClaims(options.nowSeconds, options.claims))
    .setProtectedHeader({ alg, typ: 'JWT', ...(jwk.kid === undefined ? {} : { kid: jwk.kid }), ...options.header })
    .sign(key);
}
