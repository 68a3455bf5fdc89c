import type { MintErrorCode } from '../../lib/errors';
import { v1Event, v2Event } from './events';
import type { Outcome } from './handler';

/** The three event shapes the handler serves, for `test.each`. */
export const EVENT_SHAPES = ['v2', 'v1', 'direct'] as const;
export type EventShapeName = (typeof EVENT_SHAPES)[number];

/** Anything that looks like a compact JWS: two base64url JSON segments and a signature. */
export const JWT_PATTERN = /eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*/;

/** A version-4 UUID, as `crypto.randomUUID()` produces. */
export const UUID_V4_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Strings that must never reach a caller: the signing secret, the caller's token. */
export interface Confidential {
  readonly secret: string;
  readonly callerToken?: string;
}

/**
 * Asserts a refusal as the contract describes it: the status, the stable code, `data` null,
 * `code` equal to the status, JSON on HTTP, and nothing secret or token-like in the response.
 */
export function expectRefusal(
  outcome: Outcome,
  shape: EventShapeName,
  expected: { readonly status: number; readonly code: MintErrorCode },
  confidential: Confidential,
): void {
  expect({ status: outcome.status, code: outcome.envelope.code, error: outcome.envelope.error }).toEqual({
    status: expected.status,
    code: expected.status,
    error: expected.code,
  });
  expect(outcome.envelope.data).toBeNull();
  expect(typeof outcome.envelope.message).toBe('string');
  expect(outcome.raw).not.toMatch(JWT_PATTERN);
  expect(outcome.raw).not.toContain(confidential.secret);
  if (confidential.callerToken !== undefined && confidential.callerToken !== '') {
    expect(outcome.raw).not.toContain(confidential.callerToken);
  }
  if (shape !== 'direct') {
    expect(outcome.headers['Content-Type']).toBe('application/json');
  }
}

/**
 * Asserts a successful mint and returns the minted token: 200, the original's envelope exactly,
 * and on HTTP `Content-Type: application/json` with `Cache-Control: no-store`.
 */
export function expectMinted(outcome: Outcome, shape: EventShapeName): string {
  // The error code in the diff says at once why a mint was refused.
  expect({ status: outcome.status, error: outcome.envelope.error }).toEqual({ status: 200, error: undefined });
  const token = outcome.envelope.data;
  if (typeof token !== 'string') throw new Error(`expected a token, got ${outcome.raw}`);
  expect(outcome.envelope).toEqual({ code: 200, message: '操作成功', data: token });
  if (shape !== 'direct') {
    expect(outcome.headers['Content-Type']).toBe('application/json');
    expect(outcome.headers['Cache-Control']).toBe('no-store');
  }
  return token;
}

/** A header's value whatever the case of its name, as HTTP clients read it. */
export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === wanted);
  return found?.[1];
}

/**
 * The three event shapes for a request whose body is sent as raw text: the HTTP body as is, and
 * the direct-invoke body as a JSON string.
 */
export function rawBodyEventsFor(
  authorization: string | undefined,
  rawBody: string,
  contentType = 'application/json',
): Record<EventShapeName, unknown> {
  const authorizationHeader: Record<string, string> = authorization === undefined ? {} : { authorization };
  return {
    v2: v2Event({ headers: { 'content-type': contentType, ...authorizationHeader }, body: rawBody }),
    v1: v1Event({ headers: { 'Content-Type': contentType, ...authorizationHeader }, body: rawBody }),
    direct: { ...authorizationHeader, body: rawBody },
  };
}
