import { MintError, STATUS_BY_CODE, type MintErrorCode } from '../../../lib/errors';
import { OAUTH_HEADERS, oauthErrorOf, oauthFormat } from '../../../lib/http/oauth';

// ROTATION_REFUSED is never an HTTP answer: only the rotation function refuses a step with it.
const ALL_CODES = (Object.keys(STATUS_BY_CODE) as MintErrorCode[]).filter((code) => code !== 'ROTATION_REFUSED');

/** RFC 6749 §5.2: the characters error_description may hold. */
const DESCRIPTION_CHARACTERS = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

describe('oauthErrorOf', () => {
  test.each([
    ['INVALID_REQUEST', 'invalid_request', 400],
    ['MALFORMED_JSON', 'invalid_request', 400],
    ['DUPLICATE_HEADER', 'invalid_request', 400],
    ['INVALID_TOKEN', 'invalid_grant', 400],
    ['TOKEN_EXPIRED', 'invalid_grant', 400],
    ['EXCHANGE_NOT_ALLOWED', 'invalid_grant', 400],
    ['DELEGATION_TOO_DEEP', 'invalid_grant', 400],
    ['SCOPE_ESCALATION', 'invalid_scope', 400],
    ['INVALID_SCOPE', 'invalid_scope', 400],
    ['AUDIENCE_NOT_ALLOWED', 'invalid_target', 400],
    ['UNSUPPORTED_GRANT_TYPE', 'unsupported_grant_type', 400],
    ['CLIENT_AUTHENTICATION_UNSUPPORTED', 'invalid_client', 401],
    ['NOT_FOUND', 'invalid_request', 404],
    ['METHOD_NOT_ALLOWED', 'invalid_request', 405],
    ['BODY_TOO_LARGE', 'invalid_request', 413],
    ['UNSUPPORTED_MEDIA_TYPE', 'invalid_request', 415],
    ['SIGNING_KEY_UNUSABLE', 'server_error', 500],
    ['INTERNAL_ERROR', 'server_error', 500],
    ['SECRET_UNAVAILABLE', 'temporarily_unavailable', 503],
  ] as const)('answers %s as %s with %i', (code, error, status) => {
    // Act
    const answer = oauthErrorOf(new MintError(code, 'detail'));

    // Assess
    expect(answer).toEqual({ status, body: { error, error_description: expect.any(String) } });
  });

  test.each(ALL_CODES)('answers %s with an OAuth error, a status of the same class, and a description RFC 6749 allows', (code) => {
    // Act
    const { status, body } = oauthErrorOf(new MintError(code, 'Field "x" has \\ a \u2028 "quote" and ünïcode.'));

    // Assess
    expect(Math.floor(status / 100)).toBe(Math.floor(STATUS_BY_CODE[code] / 100) === 5 ? 5 : 4);
    expect(body.error_description).toMatch(DESCRIPTION_CHARACTERS);
    expect(Object.keys(body)).toEqual(['error', 'error_description']);
  });

  test('keeps a client error\'s message, with its double quotes made single', () => {
    // Act
    const { body } = oauthErrorOf(new MintError('INVALID_REQUEST', 'Parameter "grant_type" is required.'));

    // Assess
    expect(body.error_description).toBe("Parameter 'grant_type' is required.");
  });

  test.each(['SIGNING_KEY_UNUSABLE', 'INTERNAL_ERROR', 'SECRET_UNAVAILABLE'] as const)('never shows the detail of a %s', (code) => {
    // Act
    const { body } = oauthErrorOf(new MintError(code, 'Fetching secret "arn:aws:secretsmanager:prod" failed: AccessDenied'));

    // Assess
    expect(body.error_description).not.toContain('arn:');
    expect(body.error_description).not.toContain('AccessDenied');
  });

  test('bounds the description', () => {
    // Act
    const { body } = oauthErrorOf(new MintError('INVALID_REQUEST', 'x'.repeat(5000)));

    // Assess
    expect(body.error_description.length).toBeLessThanOrEqual(300);
  });
});

describe('oauthFormat', () => {
  test('answers a success with 200, the body itself, and no-store and no-cache', () => {
    // Act
    const parts = oauthFormat().success({ access_token: 'a.b.c' });

    // Assess
    expect(parts).toEqual({ status: 200, headers: OAUTH_HEADERS, body: { access_token: 'a.b.c' } });
    expect(OAUTH_HEADERS).toEqual({
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
  });

  test('answers a failure with no-store and no-cache, and no WWW-Authenticate challenge even for a bad token', () => {
    // Act
    const parts = oauthFormat().failure(new MintError('INVALID_TOKEN', 'The subject token has expired.'));

    // Assess
    expect(parts).toEqual({ status: 400, headers: OAUTH_HEADERS, body: { error: 'invalid_grant', error_description: 'The subject token has expired.' } });
  });

  test('keeps Retry-After on a 503', () => {
    // Act
    const parts = oauthFormat().failure(new MintError('SECRET_UNAVAILABLE', 'down', { retryAfterSeconds: 7 }));

    // Assess
    expect(parts.status).toBe(503);
    expect(parts.headers).toEqual({ ...OAUTH_HEADERS, 'Retry-After': '7' });
  });
});
