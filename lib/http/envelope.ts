import type { MintError, MintErrorCode } from '../errors';
import { BASE_HEADERS, type ResponseFormat } from './response';

/** The original's success message ("operation succeeded"), kept byte for byte for existing clients. */
export const SUCCESS_MESSAGE = '操作成功';

/** The original service's response body; `code` always equals the HTTP status. */
export interface Envelope {
  readonly code: number;
  readonly message: string;
  readonly data: string | null;
  /** On errors only: the stable error code, for programs; `message` is for people. */
  readonly error?: MintErrorCode;
}

/** The envelope of a minted token. */
export function successEnvelope(token: string): Envelope {
  return { code: 200, message: SUCCESS_MESSAGE, data: token };
}

/** The envelope of a failure: only what is safe for the caller. */
export function errorEnvelope(error: MintError): Envelope {
  return { code: error.statusCode, message: error.publicMessage, data: null, error: error.code };
}

/** The RFC 6750 challenge for an authentication or scope failure, if the error calls for one. */
export function challengeFor(error: MintError, requiredScope: string): string | undefined {
  switch (error.code) {
    case 'MISSING_TOKEN':
      return 'Bearer';
    case 'INVALID_TOKEN':
    case 'TOKEN_EXPIRED':
      return 'Bearer error="invalid_token"';
    case 'INSUFFICIENT_SCOPE':
      return `Bearer error="insufficient_scope", scope="${requiredScope}"`;
    default:
      return undefined;
  }
}

/** The original route's format: every outcome in the envelope, with `code` equal to the status. */
export function envelopeFormat(options: { readonly requiredScope: string }): ResponseFormat {
  return {
    success: (body) => ({ status: (body as Envelope).code, headers: BASE_HEADERS, body }),
    failure: (error) => {
      const challenge = challengeFor(error, options.requiredScope);
      return {
        status: error.statusCode,
        headers: {
          ...BASE_HEADERS,
          ...(challenge === undefined ? {} : { 'WWW-Authenticate': challenge }),
          ...(error.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(error.retryAfterSeconds) }),
        },
        body: errorEnvelope(error),
      };
    },
  };
}
