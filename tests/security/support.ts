import type { MintErrorCode } from '../../lib/errors';
import { v1Event, v2Event, type HttpEventOptions } from '../helpers/events';
import type { Outcome } from '../helpers/handler';
import { callerToken, craftToken, decodeJwt, hmacSignatureValid, TEST_SECRET } from '../helpers/tokens';

/** The frozen "now" of the hostile-input suite, in epoch seconds. */
export const NOW_SECONDS = 1_750_000_000;
export const NOW_MS = NOW_SECONDS * 1000;

/** The service's defaults, restated so that a changed default shows up here as a failure. */
export const CLOCK_TOLERANCE_SECONDS = 30;
export const MAX_TTL_SECONDS = 86_400;
export const DEFAULT_TTL_SECONDS = 43_200;

/** A secret that is not ours: what an attacker signs with. */
export const ATTACKER_SECRET = 'attacker-controlled-secret-0123456789-abcdef';

/** The scopes of the default valid caller. */
export const CALLER_SCOPES = ['generateJwt', 'push', 'query'] as const;

/** The claims of a caller token that is valid at NOW_SECONDS. */
export function validClaims(): Record<string, unknown> {
  return { sub: 'caller-1', aud: 'mfs', exp: NOW_SECONDS + 3600, scope: [...CALLER_SCOPES] };
}

/** A caller token valid at NOW_SECONDS, signed with the service's secret. */
export function validCallerToken(): Promise<string> {
  return callerToken({ nowSeconds: NOW_SECONDS });
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

export const SHAPES = ['v2', 'v1', 'direct'] as const;
export type Shape = (typeof SHAPES)[number];
export const HTTP_SHAPES = ['v2', 'v1'] as const;

/** One request, described once and built for any of the three event shapes. */
export interface RequestSpec {
  /** The Authorization header value (HTTP) or `authorization` field (direct); absent when undefined. */
  readonly authorization?: string;
  /** A body to send as JSON; ignored when `rawBody` is set. */
  readonly body?: unknown;
  /** The body text exactly as sent; for direct invocation it is the `body` string. */
  readonly rawBody?: string;
  /** HTTP only; `null` sends no Content-Type at all. */
  readonly contentType?: string | null;
  /** HTTP only. */
  readonly isBase64Encoded?: boolean;
}

/** Builds the event a request arrives as, in one of the three shapes. */
export function eventFor(shape: Shape, spec: RequestSpec): unknown {
  const text = spec.rawBody ?? JSON.stringify(spec.body ?? { subject: 'svc-1' });
  if (shape === 'direct') {
    return {
      ...(spec.authorization === undefined ? {} : { authorization: spec.authorization }),
      body: spec.rawBody ?? spec.body ?? { subject: 'svc-1' },
    };
  }
  const headers: Record<string, string> = {};
  const contentType = spec.contentType === undefined ? 'application/json' : spec.contentType;
  if (contentType !== null) headers[shape === 'v1' ? 'Content-Type' : 'content-type'] = contentType;
  if (spec.authorization !== undefined) headers[shape === 'v1' ? 'Authorization' : 'authorization'] = spec.authorization;
  const options = { headers, body: text, isBase64Encoded: spec.isBase64Encoded ?? false };
  return shape === 'v1' ? v1Event(options) : v2Event(options);
}

/** An API Gateway event of either payload version. */
export function v1OrV2Event(shape: 'v1' | 'v2', options: HttpEventOptions): unknown {
  return shape === 'v1' ? v1Event(options) : v2Event(options);
}

/** Any compact JWS: three base64url runs joined by dots, long enough not to be prose. */
const JWS_LIKE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;

/** Strings that must never come back to a caller. */
export interface Confidential {
  readonly callerToken?: string;
  readonly secrets?: readonly string[];
}

/** Asserts that the response carries neither a secret, nor the caller token or any part of it. */
export function expectNothingEchoed(outcome: Outcome, confidential: Confidential): void {
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

/** Asserts the headers every HTTP response must carry, whatever its status. */
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
 * Asserts a refusal: the exact status, the whole envelope (`code` equal to the status, `data` null,
 * the stable error code), the hardened headers, no token and nothing confidential in the response.
 */
export function expectRefused(
  outcome: Outcome,
  shape: Shape,
  expected: { readonly status: number; readonly code: MintErrorCode },
  confidential: Confidential = {},
): void {
  expect({ status: outcome.status, error: outcome.envelope.error }).toEqual({ status: expected.status, error: expected.code });
  expect(outcome.envelope).toEqual({ code: expected.status, message: expect.any(String), data: null, error: expected.code });
  expect(outcome.envelope.message.length).toBeGreaterThan(0);
  expect(outcome.raw).not.toMatch(JWS_LIKE);
  expectHardenedHeaders(outcome, shape);
  expectNothingEchoed(outcome, confidential);
}

/** Asserts a mint: 200, the original's envelope, a token that verifies with the secret; returns its claims. */
export function expectIssued(outcome: Outcome, shape: Shape, secret: string = TEST_SECRET): Record<string, unknown> {
  expect({ status: outcome.status, error: outcome.envelope.error }).toEqual({ status: 200, error: undefined });
  const token = outcome.envelope.data;
  if (typeof token !== 'string') throw new Error(`expected a token, got ${outcome.raw}`);
  expect(outcome.envelope).toEqual({ code: 200, message: '操作成功', data: token });
  expect(hmacSignatureValid(token, secret)).toBe(true);
  expect(decodeJwt(token).header).toEqual({ alg: 'HS256', typ: 'JWT' });
  expectHardenedHeaders(outcome, shape);
  return decodeJwt(token).payload;
}
