import type { MintError } from '../errors';
import type { EventShape } from './request';

/** An API Gateway proxy result, for either payload version. */
export interface HttpResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A response before it takes the event's shape. */
export interface ResponseParts {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** How a route's outcomes are answered. */
export interface ResponseFormat {
  success(body: unknown): ResponseParts;
  failure(error: MintError): ResponseParts;
}

/**
 * The formats a route may answer in: `envelope`, the original's `{code, message, data}`;
 * `document`, a public JSON document verifiers may cache (failures still in the envelope); and
 * `oauth`, a token endpoint's response and RFC 6749 §5.2's errors (lib/http/oauth.ts).
 */
export type ResponseFormatName = 'envelope' | 'document' | 'oauth';

/** Headers every HTTP response carries: a token must never sit in a cache or be sniffed as HTML. */
export const BASE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
});

/** The response in the event's shape: a proxy result for API Gateway, the body itself for a direct invoke. */
export function lambdaResult(shape: EventShape, parts: ResponseParts): HttpResult | unknown {
  if (shape === 'direct') return parts.body;
  return { statusCode: parts.status, headers: { ...parts.headers }, body: JSON.stringify(parts.body) };
}

/**
 * A public document that verifiers may cache for `maxAgeSeconds` (the secret cache window: no
 * container serves a key set older than that); failures are answered as `failure` answers them.
 */
export function documentFormat(options: { readonly maxAgeSeconds: number; readonly failure: ResponseFormat }): ResponseFormat {
  const headers = Object.freeze({ ...BASE_HEADERS, 'Cache-Control': `public, max-age=${options.maxAgeSeconds}` });
  return {
    success: (body) => ({ status: 200, headers, body }),
    failure: (error) => options.failure.failure(error),
  };
}
