/**
 * The request edge's first step: any event this function accepts (API Gateway HTTP API payload
 * 2.0, REST API payload 1.0, or a direct invoke from another Lambda) becomes one InboundRequest.
 * The event itself is never changed.
 */
import { MintError } from '../errors';

/** Which of the three event shapes a request arrived as; the response takes the same shape. */
export type EventShape = 'http-v2' | 'http-v1' | 'direct';

/** One request, whatever event it arrived in. */
export interface InboundRequest {
  readonly shape: EventShape;
  /** Upper-case; a direct invoke is a POST. */
  readonly method: string;
  /**
   * The route's path without API Gateway's stage prefix. A direct invoke: the `path` it names, or
   * undefined when it names none (the original's direct invoke).
   */
  readonly path: string | undefined;
  /** Header names lower-cased, each with every value it arrived with, in order. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  /** HTTP: the body text as sent. Direct: the `body` member as given (an object or a string). */
  readonly body: unknown;
  /** HTTP only: the body text is base64 of the bytes sent. */
  readonly isBase64Encoded: boolean;
}

/**
 * Turns an event into the request it carries. An event lacking any field API Gateway always sets
 * did not come from API Gateway: it is read as a direct invoke, and anything that is not an
 * object as a direct invoke with nothing in it.
 */
export function normalizeEvent(event: unknown): InboundRequest {
  const shape = eventShapeOf(event);
  if (shape === 'direct') return directRequest(event);
  const http = event as Record<string, unknown> & { requestContext: Record<string, unknown> };
  const isBase64Encoded = http.isBase64Encoded === true;
  const body = typeof http.body === 'string' ? http.body : undefined;
  if (shape === 'http-v1') {
    const path = typeof http.resource === 'string' ? http.resource : http.path;
    return {
      shape,
      method: (http.httpMethod as string).toUpperCase(),
      path: typeof path === 'string' ? path : '',
      headers: headerValues(http.multiValueHeaders, http.headers),
      body,
      isBase64Encoded,
    };
  }
  // A named route key ("POST /user/generateJwt") is the route API Gateway matched, its path without
  // any stage or base-path prefix; `$default` leaves only the request's own method and raw path.
  const requestMethod = ((http.requestContext.http as Record<string, unknown>).method as string).toUpperCase();
  const routeKey = http.routeKey as string;
  const space = routeKey.indexOf(' ');
  const named = routeKey !== '$default' && space > 0;
  const keyMethod = routeKey.slice(0, space).toUpperCase();
  return {
    shape,
    method: named && keyMethod !== 'ANY' ? keyMethod : requestMethod,
    path: named ? routeKey.slice(space + 1) : typeof http.rawPath === 'string' ? http.rawPath : '',
    headers: headerValues(undefined, http.headers),
    body,
    isBase64Encoded,
  };
}

/** Every value of one header, by its name in any case. */
export function headerValuesOf(request: Pick<InboundRequest, 'headers'>, name: string): readonly string[] {
  return request.headers[name.toLowerCase()] ?? [];
}

/**
 * The one value of a header that may appear once, or undefined when it is absent.
 * @throws MintError DUPLICATE_HEADER when it came with more than one value: never resolved by order.
 */
export function singleHeaderValue(request: Pick<InboundRequest, 'headers'>, name: string): string | undefined {
  const values = headerValuesOf(request, name);
  if (values.length > 1) throw new MintError('DUPLICATE_HEADER', `The request has more than one ${name} header; send exactly one.`);
  return values[0];
}

/**
 * A direct invoke is a POST. Without a `path` it is the original's direct invoke; with one it asks
 * for that route (`{"path": "/oauth2/token", "body": ...}`), and a `path` that is not a string names
 * no route.
 */
function directRequest(event: unknown): InboundRequest {
  const direct = isRecord(event) && !Array.isArray(event) ? event : {};
  const authorization = typeof direct.authorization === 'string' ? [direct.authorization] : [];
  return {
    shape: 'direct',
    method: 'POST',
    path: direct.path === undefined ? undefined : typeof direct.path === 'string' ? direct.path : '',
    headers: Object.assign(Object.create(null), authorization.length > 0 ? { authorization } : {}),
    body: direct.body,
    isBase64Encoded: false,
  };
}

/**
 * Tells the shapes apart by the fields API Gateway always sets and that routing reads, so that an
 * odd event carrying fields of both shapes is read by the ones of the shape it is.
 */
function eventShapeOf(event: unknown): EventShape {
  if (!isRecord(event) || !isRecord(event.requestContext)) return 'direct';
  const http = event.requestContext.http;
  if (event.version === '2.0' && typeof event.routeKey === 'string' && isRecord(http) && typeof http.method === 'string') {
    return 'http-v2';
  }
  if (typeof event.httpMethod === 'string') return 'http-v1';
  return 'direct';
}

/**
 * Header values by lower-cased name. A REST API event repeats each header's last value in
 * `headers` and lists them all in `multiValueHeaders`; both are read and a value is kept once, so
 * that no value, in any spelling of the name, is hidden by another.
 */
function headerValues(multi: unknown, single: unknown): Record<string, string[]> {
  // No prototype: a header named "__proto__" or "constructor" is a header like any other.
  const values: Record<string, string[]> = Object.create(null);
  const add = (name: string, value: unknown) => {
    if (typeof value !== 'string') return;
    const key = name.toLowerCase();
    const list = values[key] ?? (values[key] = []);
    if (!list.includes(value)) list.push(value);
  };
  if (isRecord(multi)) {
    for (const [name, list] of Object.entries(multi)) if (Array.isArray(list)) for (const value of list) add(name, value);
  }
  if (isRecord(single)) for (const [name, value] of Object.entries(single)) add(name, value);
  return values;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
