import { MintError, STATUS_BY_CODE, toMintError, type MintErrorCode } from '../../lib/errors';

describe('STATUS_BY_CODE', () => {
  test('binds each stable code to the status the contract gives it', () => {
    // Assess
    expect(STATUS_BY_CODE).toEqual({
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
      ROTATION_REFUSED: 409,
    });
    expect(Object.isFrozen(STATUS_BY_CODE)).toBe(true);
  });
});

describe('MintError', () => {
  test('carries its code, status and name, and is an Error', () => {
    // Act
    const error = new MintError('SCOPE_ESCALATION', 'Authority "root" is not among the caller\'s scopes.');

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'MintError', code: 'SCOPE_ESCALATION', statusCode: 403, expose: true });
  });

  test.each(Object.entries(STATUS_BY_CODE) as Array<[MintErrorCode, number]>)(
    'exposes its message for %s only when the status is below 500',
    (code, status) => {
      // Act
      const error = new MintError(code, 'the detail');

      // Assess
      expect(error.expose).toBe(status < 500);
      expect(error.publicMessage === 'the detail').toBe(status < 500);
    },
  );

  test('carries no facts unless it is given some', () => {
    // Act
    const error = new MintError('MISSING_TOKEN', 'x');

    // Assess
    expect(error.facts).toEqual({});
  });

  test('withFacts returns the same refusal with what the caller knew, its own facts winning', () => {
    // Prepare
    const cause = new Error('jose said no');
    const refused = new MintError('INSUFFICIENT_SCOPE', 'no scope', { cause, facts: { callerSub: 'genuine' } });

    // Act
    const audited = refused.withFacts({ subject: 'svc-1', callerSub: 'from the request' });

    // Assess
    expect(audited).toMatchObject({ code: 'INSUFFICIENT_SCOPE', statusCode: 403, message: 'no scope', cause });
    expect(audited.facts).toEqual({ subject: 'svc-1', callerSub: 'genuine' });
    expect(refused.facts).toEqual({ callerSub: 'genuine' });
  });

  test('keeps the cause for the log', () => {
    // Prepare
    const cause = new Error('socket hang up');

    // Act
    const error = new MintError('SECRET_UNAVAILABLE', 'Fetching failed', { cause });

    // Assess
    expect(error.cause).toBe(cause);
  });

  test('gives a 5xx a public message that names neither the detail nor the cause', () => {
    // Act
    const error = new MintError('SIGNING_KEY_UNUSABLE', 'The signing secret is 12 bytes long', { cause: new Error('inner') });

    // Assess
    expect(error.publicMessage).not.toContain('12 bytes');
    expect(error.publicMessage).not.toContain('inner');
    expect(error.publicMessage.length).toBeGreaterThan(0);
  });
});

describe('toMintError', () => {
  test('returns a MintError unchanged', () => {
    // Prepare
    const error = new MintError('INVALID_TOKEN', 'bad');

    // Act
    const result = toMintError(error);

    // Assess
    expect(result).toBe(error);
  });

  test.each([new TypeError('x is undefined'), 'a thrown string', undefined, { statusCode: 400 }])(
    'wraps %p as INTERNAL_ERROR (500) with it as the cause',
    (thrown) => {
      // Act
      const result = toMintError(thrown);

      // Assess
      expect(result).toMatchObject({ code: 'INTERNAL_ERROR', statusCode: 500, expose: false });
      expect(result.cause).toBe(thrown);
    },
  );
});
