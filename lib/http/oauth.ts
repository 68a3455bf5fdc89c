/**
 * The OAuth format: how the token endpoint answers, as RFC 6749 §5.1 and §5.2 say a token endpoint
 * does. A success is the token response itself; a failure is `{"error", "error_description"}`.
 * The one error type stays MintError: each of its stable codes is answered with the OAuth error
 * code that says the same thing, so the audit line keeps the precise reason and the client reads
 * the standard one.
 */
import type { MintError, MintErrorCode } from '../errors';
import { BASE_HEADERS, type ResponseFormat } from './response';

/** The error codes of RFC 6749 §5.2 and RFC 8693 §2.2.2 this endpoint answers, and the two 5xx ones. */
type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'server_error'
  | 'temporarily_unavailable';

/** RFC 6749 §5.2's error response. */
export interface OAuthError {
  readonly error: OAuthErrorCode;
  readonly error_description: string;
}

/**
 * Each MintError code as an OAuth error, with the HTTP status it is answered with: 400 unless RFC
 * 6749 §5.2 says otherwise (401 for a client authentication failure), or the status belongs to HTTP
 * itself (404, 405, 413, 415), or the server failed (500, 503). A bad subject or actor token is
 * `invalid_grant`: the token is the grant being exchanged.
 */
const OAUTH_ERROR_BY_CODE: Readonly<Record<MintErrorCode, { readonly error: OAuthErrorCode; readonly status: number }>> = Object.freeze({
  MALFORMED_JSON: { error: 'invalid_request', status: 400 },
  INVALID_REQUEST: { error: 'invalid_request', status: 400 },
  UNKNOWN_FIELD: { error: 'invalid_request', status: 400 },
  DUPLICATE_HEADER: { error: 'invalid_request', status: 400 },
  MISSING_TOKEN: { error: 'invalid_request', status: 400 },
  INVALID_TOKEN: { error: 'invalid_grant', status: 400 },
  TOKEN_EXPIRED: { error: 'invalid_grant', status: 400 },
  INSUFFICIENT_SCOPE: { error: 'invalid_grant', status: 400 },
  EXCHANGE_NOT_ALLOWED: { error: 'invalid_grant', status: 400 },
  DELEGATION_EXCEEDS_CALLER: { error: 'invalid_grant', status: 400 },
  DELEGATION_TOO_DEEP: { error: 'invalid_grant', status: 400 },
  SCOPE_ESCALATION: { error: 'invalid_scope', status: 400 },
  INVALID_SCOPE: { error: 'invalid_scope', status: 400 },
  AUDIENCE_NOT_ALLOWED: { error: 'invalid_target', status: 400 },
  UNSUPPORTED_GRANT_TYPE: { error: 'unsupported_grant_type', status: 400 },
  CLIENT_AUTHENTICATION_UNSUPPORTED: { error: 'invalid_client', status: 401 },
  NOT_FOUND: { error: 'invalid_request', status: 404 },
  METHOD_NOT_ALLOWED: { error: 'invalid_request', status: 405 },
  BODY_TOO_LARGE: { error: 'invalid_request', status: 413 },
  UNSUPPORTED_MEDIA_TYPE: { error: 'invalid_request', status: 415 },
  SIGNING_KEY_UNUSABLE: { error: 'server_error', status: 500 },
  INTERNAL_ERROR: { error: 'server_error', status: 500 },
  ROTATION_REFUSED: { error: 'server_error', status: 500 },
  SECRET_UNAVAILABLE: { error: 'temporarily_unavailable', status: 503 },
});

/** Headers of every token endpoint response (RFC 6749 §5.1): never cached, by HTTP/1.1 caches or HTTP/1.0 ones. */
export const OAUTH_HEADERS: Readonly<Record<string, string>> = Object.freeze({ ...BASE_HEADERS, Pragma: 'no-cache' });

/** The longest error_description we send: a sentence, never a body or a token echoed back. */
const MAX_DESCRIPTION = 300;

/** The OAuth error a MintError is answered with, and its status. */
export function oauthErrorOf(error: MintError): { readonly status: number; readonly body: OAuthError } {
  const { error: code, status } = OAUTH_ERROR_BY_CODE[error.code];
  return { status, body: { error: code, error_description: describe(error.publicMessage) } };
}

/** The token endpoint's format: the token response, or RFC 6749 §5.2's error, never the envelope. */
export function oauthFormat(): ResponseFormat {
  return {
    success: (body) => ({ status: 200, headers: OAUTH_HEADERS, body }),
    failure: (error) => {
      const { status, body } = oauthErrorOf(error);
      return {
        status,
        headers: error.retryAfterSeconds === undefined ? OAUTH_HEADERS : { ...OAUTH_HEADERS, 'Retry-After': String(error.retryAfterSeconds) },
        body,
      };
    },
  };
}

/**
 * RFC 6749 §5.2: error_description holds only %x20-21 / %x23-5B / %x5D-7E. Double quotes become
 * single ones, any other character outside that set a question mark, and the text is bounded.
 */
function describe(message: string): string {
  const text = message.replaceAll('"', "'").replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 3)}...` : text;
}
