import type { AuditFacts } from './audit';

/**
 * The one error type of jwt-mint. Every failure a caller can see is a MintError with a stable
 * `code`; the envelope middleware turns it into a response in one place.
 */

/** Stable error codes, each bound to one HTTP status (see `STATUS_BY_CODE`). */
export type MintErrorCode =
  | 'MALFORMED_JSON'
  | 'INVALID_REQUEST'
  | 'UNKNOWN_FIELD'
  | 'DUPLICATE_HEADER'
  | 'MISSING_TOKEN'
  | 'INVALID_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'INSUFFICIENT_SCOPE'
  | 'SCOPE_ESCALATION'
  | 'AUDIENCE_NOT_ALLOWED'
  | 'DELEGATION_EXCEEDS_CALLER'
  | 'DELEGATION_TOO_DEEP'
  | 'UNSUPPORTED_GRANT_TYPE'
  | 'INVALID_SCOPE'
  | 'EXCHANGE_NOT_ALLOWED'
  | 'CLIENT_AUTHENTICATION_UNSUPPORTED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'SIGNING_KEY_UNUSABLE'
  | 'INTERNAL_ERROR'
  | 'SECRET_UNAVAILABLE'
  | 'ROTATION_REFUSED';

export const STATUS_BY_CODE: Readonly<Record<MintErrorCode, number>> = Object.freeze({
  MALFORMED_JSON: 400,
  INVALID_REQUEST: 400,
  UNKNOWN_FIELD: 400,
  DUPLICATE_HEADER: 400,
  MISSING_TOKEN: 401,
  INVALID_TOKEN: 401,
  TOKEN_EXPIRED: 401,
  INSUFFICIENT_SCOPE: 403,
  SCOPE_ESCALATION: 403,
  AUDIENCE_NOT_ALLOWED: 403,
  DELEGATION_EXCEEDS_CALLER: 403,
  DELEGATION_TOO_DEEP: 403,
  // The token endpoint's own refusals (RFC 6749 §5.2, RFC 8693 §2.2.2). Its OAuth format answers
  // each with its OAuth error code and status (lib/http/oauth.ts); these are their statuses elsewhere.
  UNSUPPORTED_GRANT_TYPE: 400,
  INVALID_SCOPE: 400,
  EXCHANGE_NOT_ALLOWED: 403,
  CLIENT_AUTHENTICATION_UNSUPPORTED: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  SIGNING_KEY_UNUSABLE: 500,
  INTERNAL_ERROR: 500,
  SECRET_UNAVAILABLE: 503,
  // Never an HTTP answer: the rotation function refuses a step (the secret's state does not allow it).
  ROTATION_REFUSED: 409,
});

/** The message a caller sees for a 5xx: the detail stays in the log, never in the response. */
const SERVER_MESSAGE: Partial<Record<MintErrorCode, string>> = {
  SIGNING_KEY_UNUSABLE: 'The signing key is not usable; the operator has been told in the log.',
  INTERNAL_ERROR: 'Internal error.',
  SECRET_UNAVAILABLE: 'The signing key is temporarily unavailable; try again shortly.',
};

/** A failure with a stable code, its HTTP status, and whether its message may reach the caller. */
export class MintError extends Error {
  override readonly name = 'MintError';
  readonly code: MintErrorCode;
  readonly statusCode: number;
  /** True below 500: only then is `message` safe to send to the caller. */
  readonly expose: boolean;
  /** What was known of the request when it was refused, for its audit line. */
  readonly facts: AuditFacts;
  /** For a 503: seconds until trying again can succeed (the HTTP Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: MintErrorCode,
    message: string,
    options?: { cause?: unknown; facts?: AuditFacts; retryAfterSeconds?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = STATUS_BY_CODE[code];
    this.expose = this.statusCode < 500;
    this.facts = Object.freeze({ ...options?.facts });
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** The same refusal, also carrying what the caller of the refusing function knew; the error's own facts win. */
  withFacts(known: AuditFacts): MintError {
    return new MintError(this.code, this.message, {
      cause: this.cause,
      facts: { ...known, ...this.facts },
      ...(this.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: this.retryAfterSeconds }),
    });
  }

  /** The message that may be shown to the caller. */
  get publicMessage(): string {
    return this.expose ? this.message : (SERVER_MESSAGE[this.code] ?? 'Internal error.');
  }
}

/** Narrows an unknown thrown value to a MintError, wrapping anything else as INTERNAL_ERROR. */
export function toMintError(error: unknown): MintError {
  if (error instanceof MintError) return error;
  return new MintError('INTERNAL_ERROR', 'Unexpected error', { cause: error });
}

/** A thrown value as one line for the log: name and message, never the object's other members. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
