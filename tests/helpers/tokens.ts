import { createHmac } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';

export const TEST_SECRET = 'test-signing-secret-0123456789-abcdefghij';

/** A secret that is not ours: what an attacker signs with. */
export const ATTACKER_SECRET = 'attacker-controlled-secret-0123456789-abcdef';

/** The claims of a valid caller for an hour from `nowSeconds`, with any of them overridden. */
export function callerClaims(nowSeconds: number, overrides?: JWTPayload): JWTPayload {
  return { sub: 'caller-1', aud: 'mfs', exp: nowSeconds + 3600, scope: ['generateJwt', 'push', 'query'], ...overrides };
}

/** Signs a caller token with HS256 and the given secret; claims default to a valid caller. */
export async function callerToken(
  options: { secret?: string; nowSeconds: number; claims?: JWTPayload; header?: Record<string, unknown> },
): Promise<string> {
  return new SignJWT(callerClaims(options.nowSeconds, options.claims))
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...options.header })
    .sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

/** base64url of a string or buffer. */
export function b64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

/** Builds a token byte by byte: any header and payload text, signed with HMAC-SHA256 (or not at all). */
export function craftToken(
  header: string,
  payload: string,
  options: { secret?: string; hash?: 'sha256' | 'sha384' | 'sha512'; signature?: string } = {},
): string {
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  const signature =
    options.signature ??
    createHmac(options.hash ?? 'sha256', options.secret ?? TEST_SECRET).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** Decodes a JWT's header and payload without verifying it. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')),
  };
}

/** Verifies an HS256 token's signature with node's own crypto, independently of jose. */
export function hmacSignatureValid(token: string, secret: string, hash: 'sha256' | 'sha384' | 'sha512' = 'sha256'): boolean {
  const [header, payload, signature] = token.split('.');
  const expected = createHmac(hash, secret).update(`${header}.${payload}`).digest('base64url');
  return expected === signature;
}

/** An HS256 token over exactly these claims, with any header and secret. */
export function signedClaims(
  claims: Record<string, unknown>,
  options: { header?: Record<string, unknown>; secret?: string } = {},
): string {
  return craftToken(JSON.stringify({ alg: 'HS256', typ: 'JWT', ...options.header }), JSON.stringify(claims), {
    secret: options.secret ?? TEST_SECRET,
  });
}

/**
 * Asserts that a minted token is HS256 with the original's header and verifies with `secret` by
 * node's own crypto, independently of jose; returns its claims.
 */
export function verifiedHs256Claims(token: string, secret: string = TEST_SECRET): Record<string, unknown> {
  expect(hmacSignatureValid(token, secret)).toBe(true);
  const { header, payload } = decodeJwt(token);
  expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
  return payload;
}
