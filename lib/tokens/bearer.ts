import { MintError } from '../errors';

/** Longest Authorization header we read; a longer one is not a token we issued. */
const MAX_AUTHORIZATION_LENGTH = 8192;

/**
 * Takes the token out of the Authorization header, given every value it arrived with.
 * @throws MintError DUPLICATE_HEADER for more than one value (never resolved by order: a proxy or log
 * that read another would see another credential), MISSING_TOKEN when there is no bearer token,
 * INVALID_TOKEN when it is malformed.
 */
export function extractBearerToken(values: readonly string[]): string {
  if (values.length > 1) {
    throw new MintError('DUPLICATE_HEADER', 'The request has more than one Authorization header; send exactly one.');
  }
  const authorization = values[0];
  if (authorization === undefined || authorization.trim() === '') {
    throw new MintError('MISSING_TOKEN', 'The Authorization header is missing; send "Authorization: Bearer <token>".');
  }
  if (authorization.length > MAX_AUTHORIZATION_LENGTH) {
    throw new MintError('INVALID_TOKEN', 'The Authorization header is too long to hold a token.');
  }
  const match = /^Bearer +([^\s]+) *$/i.exec(authorization);
  if (!match?.[1]) {
    const scheme = authorization.trim().split(/\s+/)[0] ?? '';
    if (/^bearer$/i.test(scheme)) {
      throw new MintError('INVALID_TOKEN', 'The Authorization header must hold exactly one bearer token.');
    }
    throw new MintError('MISSING_TOKEN', 'The Authorization header must use the Bearer scheme.');
  }
  return match[1];
}
