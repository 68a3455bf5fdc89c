import { challengeFor, envelopeFormat, errorEnvelope, SUCCESS_MESSAGE, successEnvelope } from '../../../lib/http/envelope';
import { MintError, STATUS_BY_CODE, type MintErrorCode } from '../../../lib/errors';

const ALL_CODES = Object.keys(STATUS_BY_CODE) as MintErrorCode[];

describe('successEnvelope', () => {
  test('is the original response byte for byte: code 200, "操作成功", the token as data', () => {
    // Act
    const envelope = successEnvelope('a.b.c');

    // Assess
    expect(JSON.stringify(envelope)).toBe('{"code":200,"message":"操作成功","data":"a.b.c"}');
    expect(SUCCESS_MESSAGE).toBe('操作成功');
  });
});

describe('errorEnvelope', () => {
  test.each(ALL_CODES)('gives %s its status as code, null data and the stable error code', (code) => {
    // Act
    const envelope = errorEnvelope(new MintError(code, 'detail for the log'));

    // Assess
    expect(envelope).toEqual({ code: STATUS_BY_CODE[code], message: expect.any(String), data: null, error: code });
  });

  test('shows the caller the message of a client error', () => {
    // Act
    const envelope = errorEnvelope(new MintError('UNKNOWN_FIELD', 'Unknown field "scopes".'));

    // Assess
    expect(envelope.message).toBe('Unknown field "scopes".');
  });

  test.each(['SIGNING_KEY_UNUSABLE', 'INTERNAL_ERROR', 'SECRET_UNAVAILABLE'] as const)(
    'keeps the detail of a %s out of the envelope',
    (code) => {
      // Prepare
      const detail = 'Fetching secret "arn:aws:secretsmanager:eu-west-1:123:secret:prod" failed: AccessDenied';

      // Act
      const envelope = errorEnvelope(new MintError(code, detail, { cause: new Error('sdk detail') }));

      // Assess
      expect(JSON.stringify(envelope)).not.toContain('arn:aws');
      expect(JSON.stringify(envelope)).not.toContain('sdk detail');
      expect(envelope.message).not.toBe('');
    },
  );
});

describe('challengeFor', () => {
  test.each<{ code: MintErrorCode; challenge: string }>([
    { code: 'MISSING_TOKEN', challenge: 'Bearer' },
    { code: 'INVALID_TOKEN', challenge: 'Bearer error="invalid_token"' },
    { code: 'TOKEN_EXPIRED', challenge: 'Bearer error="invalid_token"' },
    { code: 'INSUFFICIENT_SCOPE', challenge: 'Bearer error="insufficient_scope", scope="generateJwt"' },
  ])('answers $code with the RFC 6750 challenge $challenge', ({ code, challenge }) => {
    // Act
    const header = challengeFor(new MintError(code, 'x'), 'generateJwt');

    // Assess
    expect(header).toBe(challenge);
  });

  test('names the configured required scope in an insufficient_scope challenge', () => {
    // Act
    const header = challengeFor(new MintError('INSUFFICIENT_SCOPE', 'x'), 'mint:tokens');

    // Assess
    expect(header).toBe('Bearer error="insufficient_scope", scope="mint:tokens"');
  });

  test.each(ALL_CODES.filter((code) => !['MISSING_TOKEN', 'INVALID_TOKEN', 'TOKEN_EXPIRED', 'INSUFFICIENT_SCOPE'].includes(code)))(
    'sends no challenge for %s',
    (code) => {
      // Act
      const header = challengeFor(new MintError(code, 'x'), 'generateJwt');

      // Assess
      expect(header).toBeUndefined();
    },
  );
});

describe('envelopeFormat', () => {
  const format = envelopeFormat({ requiredScope: 'generateJwt' });

  test('answers a mint with status 200 and the envelope as it is', () => {
    // Act
    const parts = format.success(successEnvelope('a.b.c'));

    // Assess
    expect(parts).toEqual({ status: 200, headers: expect.objectContaining({ 'Cache-Control': 'no-store' }), body: successEnvelope('a.b.c') });
  });

  test('answers a refusal with its status, the error envelope and its RFC 6750 challenge', () => {
    // Act
    const parts = format.failure(new MintError('INSUFFICIENT_SCOPE', 'x'));

    // Assess
    expect(parts.status).toBe(403);
    expect(parts.body).toEqual({ code: 403, message: 'x', data: null, error: 'INSUFFICIENT_SCOPE' });
    expect(parts.headers['WWW-Authenticate']).toBe('Bearer error="insufficient_scope", scope="generateJwt"');
  });

  test('sends no WWW-Authenticate with a refusal that calls for none', () => {
    // Act
    const parts = format.failure(new MintError('BODY_TOO_LARGE', 'x'));

    // Assess
    expect(parts.headers).not.toHaveProperty('WWW-Authenticate');
  });
});
