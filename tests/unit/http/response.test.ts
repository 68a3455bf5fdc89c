import { MintError } from '../../../lib/errors';
import { envelopeFormat } from '../../../lib/http/envelope';
import { BASE_HEADERS, documentFormat, lambdaResult } from '../../../lib/http/response';

describe('BASE_HEADERS', () => {
  test('mark every HTTP response as JSON, never to be cached or sniffed', () => {
    // Assess
    expect(BASE_HEADERS).toEqual({
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    expect(Object.isFrozen(BASE_HEADERS)).toBe(true);
  });
});

describe('lambdaResult', () => {
  const parts = { status: 404, headers: { 'Content-Type': 'application/json' }, body: { code: 404 } };

  test.each(['http-v2', 'http-v1'] as const)('gives an %s event a proxy result with the body as JSON text', (shape) => {
    // Act
    const result = lambdaResult(shape, parts);

    // Assess
    expect(result).toEqual({ statusCode: 404, headers: { 'Content-Type': 'application/json' }, body: '{"code":404}' });
  });

  test('gives a direct invoke the body itself', () => {
    // Act
    const result = lambdaResult('direct', parts);

    // Assess
    expect(result).toEqual({ code: 404 });
  });
});

describe('documentFormat', () => {
  const format = documentFormat({ maxAgeSeconds: 120, failure: envelopeFormat({ requiredScope: 'generateJwt' }) });

  test('serves a document as public, cacheable for the given seconds', () => {
    // Act
    const parts = format.success({ keys: [] });

    // Assess
    expect(parts).toEqual({
      status: 200,
      headers: { ...BASE_HEADERS, 'Cache-Control': 'public, max-age=120' },
      body: { keys: [] },
    });
  });

  test('answers a failure in the format it is given, never cacheable', () => {
    // Act
    const parts = format.failure(new MintError('SECRET_UNAVAILABLE', 'detail'));

    // Assess
    expect(parts.status).toBe(503);
    expect(parts.headers['Cache-Control']).toBe('no-store');
    expect(parts.body).toMatchObject({ code: 503, data: null, error: 'SECRET_UNAVAILABLE' });
  });
});
