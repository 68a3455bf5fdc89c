import type { MintErrorCode } from '../../lib/errors';
import type { Shape } from './events';
import type { Outcome } from './handler';
import { ATTACKER_SECRET, TEST_SECRET } from './tokens';

/** Anything shaped like a compact JWS: three base64url runs joined by dots, long enough not to be prose. */
export const TOKEN_LIKE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;

/** A version-4 UUID, as `crypto.randomUUID()` produces. */
export const UUID_V4_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** What must never come back to a caller, besides TEST_SECRET and ATTACKER_SECRET. */
export interface Confidential {
  readonly callerToken?: string;
  readonly secrets?: readonly string[];
}

/** Asserts the headers every HTTP response must carry, whatever its status; a direct invoke has none. */
export function expectHardenedHeaders(outcome: Outcome, shape: Shape): void {
  if (shape === 'direct') {
    expect(outcome.headers).toEqual({});
    return;
  }
  expect(outcome.headers).toMatchObject({
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
}

/**
 * Asserts a refusal as the contract describes it: the exact status, the whole envelope (`code`
 * equal to the status, `data` null, the stable error code, a message), the hardened headers, no
 * token, and neither a secret nor the caller's token or any piece of it in the response.
 */
export function expectRefused(
  outcome: Outcome,
  shape: Shape,
  expected: { readonly status: number; readonly code: MintErrorCode },
  confidential: Confidential = {},
): void {
  // The error code in the diff says at once what was refused instead.
  expect({ status: outcome.status, error: outcome.envelope.error }).toEqual({ status: expected.status, error: expected.code });
  expect(outcome.envelope).toEqual({ code: expected.status, message: expect.any(String), data: null, error: expected.code });
  expect(outcome.envelope.message.length).toBeGreaterThan(0);
  expect(outcome.raw).not.toMatch(TOKEN_LIKE);
  expectHardenedHeaders(outcome, shape);
  for (const secret of [TEST_SECRET, ATTACKER_SECRET, ...(confidential.secrets ?? [])]) {
    expect(outcome.raw).not.toContain(secret);
  }
  const token = confidential.callerToken;
  if (token !== undefined && token.trim() !== '') {
    expect(outcome.raw).not.toContain(token);
    // Not even a piece of it: a header or payload segment echoed back is an oracle for an attacker.
    for (const piece of token.split(/[.\s]/).filter((segment) => segment.length >= 12)) {
      expect(outcome.raw).not.toContain(piece);
    }
  }
}

/** Asserts a mint: 200, the original's envelope exactly, the hardened headers; returns the token. */
export function expectMinted(outcome: Outcome, shape: Shape): string {
  expect({ status: outcome.status, error: outcome.envelope.error }).toEqual({ status: 200, error: undefined });
  const token = outcome.envelope.data;
  if (typeof token !== 'string') throw new Error(`expected a token, got ${outcome.raw}`);
  expect(outcome.envelope).toEqual({ code: 200, message: '操作成功', data: token });
  expectHardenedHeaders(outcome, shape);
  return token;
}
