import { createHandler } from '../../handlers/generateJwt';
import type { Route } from '../../lib/http/router';
import { ROUTES } from '../../lib/routes';
import { createRuntime, type Runtime } from '../../lib/runtime';
import { invoke } from '../helpers/handler';
import { fakeContext, v1Event, v2Event } from '../helpers/events';
import { TEST_SECRET } from '../helpers/tokens';

// A route that reads a form (application/x-www-form-urlencoded) and answers in the OAuth format,
// added in a test-only table: how the edge reads a form, whatever route serves it.

const NOW_MS = Date.parse('2026-01-01T00:00:00Z');
const FORM = 'application/x-www-form-urlencoded';

const ECHO: Route<Runtime> = {
  method: 'POST',
  path: '/test/form',
  body: 'form',
  format: 'oauth',
  directInvoke: 'byPath',
  serve: async (request) => ({ body: { fields: { ...(request.body as object) } } }),
};

const runtime = createRuntime(
  { SIGNING_SECRET_ID: 'test/signing-secret' },
  { now: () => NOW_MS, fetchSecret: async () => ({ secretString: TEST_SECRET, versionId: 'v1' }) },
);
const handler = createHandler(runtime, [...ROUTES, ECHO]);

const OAUTH_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache', 'Content-Type': 'application/json' };

async function post(body: string, headers: Record<string, string> = { 'content-type': FORM }, isBase64Encoded = false) {
  const outcome = await invoke(handler, v2Event({ path: '/test/form', headers, body, isBase64Encoded }));
  return { ...outcome, json: JSON.parse(outcome.raw) as Record<string, unknown> };
}

describe('a form route', () => {
  test.each([
    ['API Gateway v2', v2Event, 'content-type'],
    ['API Gateway v1', v1Event, 'Content-Type'],
  ] as const)('reads the form over %s, "+" and percent escapes decoded', async (_shape, event, header) => {
    // Act
    const outcome = await invoke(handler, event({ path: '/test/form', headers: { [header]: FORM }, body: 'grant_type=a%3Ab&scope=push+query' }));

    // Assess
    expect(outcome.status).toBe(200);
    expect(JSON.parse(outcome.raw)).toEqual({ fields: { grant_type: 'a:b', scope: 'push query' } });
    expect(outcome.headers).toMatchObject(OAUTH_HEADERS);
  });

  test.each(['Application/X-WWW-Form-URLEncoded', `${FORM}; charset=UTF-8`])('reads the media type %p in any case, with parameters', async (contentType) => {
    // Act
    const outcome = await post('a=1', { 'content-type': contentType });

    // Assess
    expect(outcome.json).toEqual({ fields: { a: '1' } });
  });

  test('reads a base64 body', async () => {
    // Act
    const outcome = await post(Buffer.from('a=1&b=2').toString('base64'), { 'content-type': FORM }, true);

    // Assess
    expect(outcome.json).toEqual({ fields: { a: '1', b: '2' } });
  });

  test('keeps every value of a field sent more than once, in order', async () => {
    // Act
    const outcome = await post('audience=a&audience=b&x=1');

    // Assess
    expect(outcome.json).toEqual({ fields: { audience: ['a', 'b'], x: '1' } });
  });

  test('reads "__proto__" as no field at all and pollutes no prototype', async () => {
    // Act
    const outcome = await post('__proto__=a&__proto__=b&constructor=c&a=1');

    // Assess
    expect(outcome.status).toBe(200);
    expect(outcome.json).toEqual({ fields: { constructor: 'c', a: '1' } });
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });

  test.each([
    ['no Content-Type', {}],
    ['JSON', { 'content-type': 'application/json' }],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
  ])('refuses %s with 415 in the OAuth format', async (_case, headers: Record<string, string>) => {
    // Act
    const outcome = await post('a=1', headers);

    // Assess
    expect(outcome.status).toBe(415);
    expect(outcome.json).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('application/x-www-form-urlencoded') });
    expect(outcome.headers).toMatchObject(OAUTH_HEADERS);
  });

  test('refuses two Content-Type values with 400 invalid_request', async () => {
    // Act
    const outcome = await invoke(
      handler,
      { ...v1Event({ path: '/test/form', body: 'a=1' }), multiValueHeaders: { 'Content-Type': [FORM, 'application/json'] } },
    );

    // Assess
    expect(outcome.status).toBe(400);
    expect(JSON.parse(outcome.raw)).toMatchObject({ error: 'invalid_request' });
  });

  test('refuses a body over 16 KiB with 413 invalid_request', async () => {
    // Act
    const outcome = await post(`a=${'x'.repeat(16 * 1024)}`);

    // Assess
    expect(outcome.status).toBe(413);
    expect(outcome.json).toMatchObject({ error: 'invalid_request' });
  });

  test('refuses more fields than the parser reads, rather than lose the rest unseen', async () => {
    // Act
    const outcome = await post(`${'k=&'.repeat(1000)}a=1`);

    // Assess
    expect(outcome.status).toBe(400);
    expect(outcome.json).toMatchObject({ error: 'invalid_request' });
  });

  test('refuses text that is not a form with 400 invalid_request', async () => {
    // Act
    const outcome = await post('grant_type');

    // Assess
    expect(outcome.status).toBe(400);
    expect(outcome.json).toMatchObject({ error: 'invalid_request' });
  });

  test('answers GET on the path with 405 in the OAuth format: all its routes speak OAuth', async () => {
    // Act
    const outcome = await invoke(handler, v2Event({ method: 'GET', path: '/test/form' }));

    // Assess
    expect(outcome.status).toBe(405);
    expect(JSON.parse(outcome.raw)).toEqual({ error: 'invalid_request', error_description: 'Use POST /test/form.' });
    expect(outcome.headers).toMatchObject(OAUTH_HEADERS);
  });
});

describe('a form route invoked directly', () => {
  test.each([
    ['an object', { a: '1', audience: ['x', 'y'] }],
    ['urlencoded text', 'a=1&audience=x&audience=y'],
  ])('reads the form given as %s, and answers with the body itself', async (_case, body) => {
    // Act
    const result = await handler({ path: '/test/form', body } as never, fakeContext() as never);

    // Assess
    expect(result).toEqual({ fields: { a: '1', audience: ['x', 'y'] } });
  });

  test('answers a form that is not one in the OAuth format', async () => {
    // Act
    const result = await handler({ path: '/test/form', body: { a: 1 } } as never, fakeContext() as never);

    // Assess
    expect(result).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
  });

  test('still serves the original direct invoke, which names no path, in the envelope', async () => {
    // Act
    const result = await handler({ body: { subject: 's' } } as never, fakeContext() as never);

    // Assess
    expect(result).toMatchObject({ code: 401, data: null, error: 'MISSING_TOKEN' });
  });
});
