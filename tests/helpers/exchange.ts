import { fakeContext, v1Event, v2Event, type Shape } from './events';
import { TOKEN_LIKE } from './outcomes';
import { ATTACKER_SECRET, TEST_SECRET } from './tokens';

/** The token exchange grant and the two token types the endpoint serves. */
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
export const TOKEN_PATH = '/oauth2/token';

/** Form fields: a value, or several for a field sent more than once. */
export type Fields = Record<string, string | readonly string[]>;

/** The fields of an exchange of `subjectToken` for an access token, with any other fields added. */
export function exchangeFields(subjectToken: string, extra: Fields = {}): Fields {
  return { grant_type: TOKEN_EXCHANGE, subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_TYPE, ...extra };
}

/** Fields as application/x-www-form-urlencoded text, a repeated field once per value. */
export function formText(fields: Fields): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const entry of [value].flat()) form.append(name, entry);
  return form.toString();
}

/** A token exchange request as any of the three event shapes; a direct invoke names the path and carries the fields. */
export function exchangeEvent(
  shape: Shape,
  fields: Fields,
  options: { headers?: Record<string, string>; rawBody?: string; contentType?: string | null; isBase64Encoded?: boolean } = {},
): unknown {
  if (shape === 'direct') return { path: TOKEN_PATH, body: options.rawBody ?? fields };
  const contentType = options.contentType === undefined ? 'application/x-www-form-urlencoded' : options.contentType;
  const headers: Record<string, string> = { ...(contentType === null ? {} : { 'content-type': contentType }), ...options.headers };
  const event = { path: TOKEN_PATH, headers, body: options.rawBody ?? formText(fields), isBase64Encoded: options.isBase64Encoded ?? false };
  return shape === 'v1' ? v1Event(event) : v2Event(event);
}

/** A token endpoint answer: the status (undefined for a direct invoke, which has none), headers and JSON body. */
export interface OAuthOutcome {
  readonly status: number | undefined;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown>;
  readonly raw: string;
}

/** Invokes a handler with a token endpoint event and reads the answer the same way for every shape. */
export async function invokeOAuth(handler: (event: never, context: never) => Promise<unknown>, event: unknown): Promise<OAuthOutcome> {
  const result = (await handler(event as never, fakeContext() as never)) as Record<string, unknown>;
  if (typeof result.statusCode === 'number') {
    const raw = String(result.body);
    return { status: result.statusCode, headers: result.headers as Record<string, string>, body: JSON.parse(raw), raw };
  }
  return { status: undefined, headers: {}, body: result, raw: JSON.stringify(result) };
}

/** Headers of every token endpoint answer over HTTP (RFC 6749 §5.1); none on a direct invoke. */
function expectOAuthHeaders(outcome: OAuthOutcome, shape: Shape): void {
  if (shape === 'direct') {
    expect(outcome.headers).toEqual({});
    return;
  }
  expect(outcome.headers).toMatchObject({
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  expect(outcome.headers).not.toHaveProperty('WWW-Authenticate');
}

/**
 * Asserts an RFC 6749 §5.2 refusal: the status (over HTTP), exactly `{error, error_description}`,
 * the headers, no token, and none of the secrets or tokens sent, nor a piece of one.
 */
export function expectOAuthError(
  outcome: OAuthOutcome,
  shape: Shape,
  expected: { readonly status: number; readonly error: string },
  confidential: readonly string[] = [],
): void {
  expect({ status: outcome.status, error: outcome.body.error }).toEqual({ status: shape === 'direct' ? undefined : expected.status, error: expected.error });
  expect(outcome.body).toEqual({ error: expected.error, error_description: expect.any(String) });
  expect(outcome.body.error_description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/);
  expect(outcome.raw).not.toMatch(TOKEN_LIKE);
  expectOAuthHeaders(outcome, shape);
  for (const secret of [TEST_SECRET, ATTACKER_SECRET, ...confidential]) {
    expect(outcome.raw).not.toContain(secret);
    for (const piece of secret.split(/[.\s]/).filter((segment) => segment.length >= 12)) expect(outcome.raw).not.toContain(piece);
  }
}

/** Asserts a token response (RFC 8693 §2.2.1) and returns the issued token. */
export function expectIssued(outcome: OAuthOutcome, shape: Shape): string {
  expect({ status: outcome.status, error: outcome.body.error }).toEqual({ status: shape === 'direct' ? undefined : 200, error: undefined });
  expect(outcome.body).toEqual({
    access_token: expect.any(String),
    issued_token_type: expect.stringMatching(/^urn:ietf:params:oauth:token-type:(access_token|jwt)$/),
    token_type: 'Bearer',
    expires_in: expect.any(Number),
    scope: expect.any(String),
  });
  expectOAuthHeaders(outcome, shape);
  return outcome.body.access_token as string;
}
