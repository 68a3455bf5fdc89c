import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { MintError } from '../errors';

/** What another Lambda sends when it invokes jwt-mint directly. */
export interface DirectInvokeEvent {
  readonly authorization?: unknown;
  readonly body?: unknown;
}

export type InboundEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent | DirectInvokeEvent;

/** Which of the three event shapes an event is; the response takes the same shape. */
export type EventShape = 'http-v2' | 'http-v1' | 'direct';

/** The largest request body we read, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Tells the event shapes apart by the fields API Gateway always sets, and that routing reads. An
 * event lacking any of them did not come from API Gateway: it is read as a direct invoke.
 */
export function eventShapeOf(event: unknown): EventShape {
  if (!isRecord(event) || !isRecord(event.requestContext)) return 'direct';
  const http = event.requestContext.http;
  if (event.version === '2.0' && typeof event.routeKey === 'string' && isRecord(http) && typeof http.method === 'string') {
    return 'http-v2';
  }
  if (typeof event.httpMethod === 'string') return 'http-v1';
  return 'direct';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** An HTTP request's route as "METHOD /path", without API Gateway's stage prefix. */
export function routeOf(
  event: APIGatewayProxyEventV2 | APIGatewayProxyEvent,
  shape: EventShape = eventShapeOf(event),
): string {
  // Read the fields of the shape eventShapeOf found, whatever else an odd event carries.
  if (shape === 'http-v1') {
    const rest = event as APIGatewayProxyEvent;
    return `${rest.httpMethod.toUpperCase()} ${rest.resource ?? rest.path}`;
  }
  const http = event as APIGatewayProxyEventV2;
  if (http.routeKey && http.routeKey !== '$default') return http.routeKey;
  return `${http.requestContext.http.method.toUpperCase()} ${http.rawPath}`;
}

/** Header names lower-cased, so `AUTHORIZATION` and `authorization` are one header. */
export function lowerCaseHeaders(headers: Record<string, string | undefined> | null | undefined): Record<string, string> {
  const lowered: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') lowered[name.toLowerCase()] = value;
  }
  return lowered;
}

/** True for `application/json` and `application/<anything>+json`, in any case, with parameters. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/([^;\s]+\+)?json\s*(;|$)/i.test(contentType.trim());
}

/**
 * Refuses a body larger than MAX_BODY_BYTES before anything parses it.
 * @throws MintError BODY_TOO_LARGE (413), or INVALID_REQUEST (400) for a body object too deep to measure.
 */
export function assertBodySize(body: unknown, isBase64Encoded: boolean): void {
  let bytes = 0;
  if (typeof body === 'string') {
    bytes = Buffer.byteLength(body, isBase64Encoded ? 'base64' : 'utf8');
  } else if (body !== undefined && body !== null) {
    bytes = Buffer.byteLength(serialise(body), 'utf8');
  }
  if (bytes > MAX_BODY_BYTES) {
    throw new MintError('BODY_TOO_LARGE', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
}

/**
 * A direct-invoke body object as JSON text, to measure it.
 * @throws MintError INVALID_REQUEST (400) when it is nested too deep to serialise: JSON.stringify
 * recurses and overflows the stack at a few thousand levels, which must not surface as a 500.
 */
function serialise(body: unknown): string {
  try {
    return JSON.stringify(body) ?? '';
  } catch {
    throw new MintError('INVALID_REQUEST', 'The request body is nested too deeply to read.');
  }
}

/**
 * Parses a direct-invoke body, which may be the JSON object itself or a JSON string.
 * @throws MintError MALFORMED_JSON (400).
 */
export function parseDirectBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    throw new MintError('MALFORMED_JSON', 'The request body is not valid JSON.');
  }
}
