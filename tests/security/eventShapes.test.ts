import { testHandler } from '../helpers/handler';
import { eventFor, SHAPES, v1Event, v2Event } from '../helpers/events';
import { expectMinted, expectRefused } from '../helpers/outcomes';
import { callerToken, verifiedHs256Claims } from '../helpers/tokens';
import { NOW_MS, NOW_SECONDS } from '../helpers/defaults';

// The three ways a request arrives: API Gateway payload 2.0 and 1.0, and a direct invoke from
// another Lambda. Odd and malformed events must be refused as the caller's fault, never a 500.

const service = testHandler({ nowMs: NOW_MS });
let authorization: string;
let token: string;

beforeAll(async () => {
  token = await callerToken({ nowSeconds: NOW_SECONDS });
  authorization = `Bearer ${token}`;
});

test.each(SHAPES)('mints over %s', async (shape) => {
  // Act
  const outcome = await service.invoke(eventFor(shape, { authorization, body: { subject: 'svc-1' } }));

  // Assess
  expect(verifiedHs256Claims(expectMinted(outcome, shape))).toMatchObject({ iss: 'caller-1', sub: 'svc-1', aud: 'mfs' });
});

test('a direct invocation with no authorization is refused with 401 MISSING_TOKEN', async () => {
  // Act
  const outcome = await service.invoke({ body: { subject: 'svc-1' } });

  // Assess
  expectRefused(outcome, 'direct', { status: 401, code: 'MISSING_TOKEN' });
});

test('a direct invocation with a JSON-string body mints like an object body', async () => {
  // Act
  const outcome = await service.invoke({ authorization, body: '{"subject":"svc-1"}' });

  // Assess
  verifiedHs256Claims(expectMinted(outcome, 'direct'));
});

test.each([
  { why: 'null', event: null },
  { why: 'a string', event: 'POST /user/generateJwt' },
  { why: 'a number', event: 42 },
  { why: 'true', event: true },
  { why: 'an array', event: [{ body: { subject: 'svc-1' } }] },
  { why: 'an empty object', event: {} },
  { why: 'an object with no body', event: { authorization: 'Bearer x' } },
])('a direct invocation whose event is $why is refused with 400 INVALID_REQUEST', async ({ event }) => {
  // Act
  const outcome = await service.invoke(event);

  // Assess
  expectRefused(outcome, 'direct', { status: 400, code: 'INVALID_REQUEST' });
});

test.each([
  { why: 'a v2 event without requestContext.http', event: { version: '2.0', routeKey: '$default', rawPath: '/user/generateJwt', requestContext: {} } },
  { why: 'a v2 event with a numeric routeKey', event: { version: '2.0', routeKey: 7, requestContext: { http: { method: 'POST' } } } },
  { why: 'a v2 event with a numeric method', event: { version: '2.0', routeKey: '$default', requestContext: { http: { method: 1 } } } },
  { why: 'a v2 event with a null requestContext', event: { version: '2.0', routeKey: 'POST /user/generateJwt', requestContext: null } },
  { why: 'a v1 event with a null requestContext', event: { httpMethod: 'POST', path: '/user/generateJwt', requestContext: null } },
])('an event that only looks like API Gateway ($why) is read as a direct invoke, not a 500', async ({ event }) => {
  // Prepare: the token sits in an HTTP header map, which a direct invoke does not read.
  const lookalike = { ...event, headers: { 'content-type': 'application/json', authorization }, body: '{"subject":"svc-1"}' };

  // Act
  const outcome = await service.invoke(lookalike);

  // Assess
  expectRefused(outcome, 'direct', { status: 401, code: 'MISSING_TOKEN' }, { callerToken: token });
});

test.each([
  { why: 'a numeric httpMethod', extra: { httpMethod: 1 } },
  { why: 'a GET httpMethod', extra: { httpMethod: 'GET', path: '/elsewhere' } },
])('a v2 event that also carries $why is routed by its v2 fields (found by fuzzing)', async ({ extra }) => {
  // Prepare
  const event = { ...v2Event({ headers: { 'content-type': 'application/json', authorization }, body: '{"subject":"svc-1"}' }), ...extra };

  // Act
  const outcome = await service.invoke(event);

  // Assess
  verifiedHs256Claims(expectMinted(outcome, 'v2'));
});

describe.each([
  { shape: 'v2' as const, build: v2Event },
  { shape: 'v1' as const, build: v1Event },
])('routing over $shape', ({ shape, build }) => {
  test.each(['GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'])('%s /user/generateJwt is refused with 405', async (method) => {
    // Prepare
    const event = build({ method, headers: { 'content-type': 'application/json', authorization }, body: '{"subject":"svc-1"}' });

    // Act
    const outcome = await service.invoke(event);

    // Assess
    expectRefused(outcome, shape, { status: 405, code: 'METHOD_NOT_ALLOWED' }, { callerToken: token });
  });

  test.each(['/user/generateJwt/', '/user/generatejwt', '/admin/generateJwt', '/', '/user/generateJwt/../generateJwt'])(
    'POST %s is refused with 404',
    async (path) => {
      // Prepare
      const event = build({ path, headers: { 'content-type': 'application/json', authorization }, body: '{"subject":"svc-1"}' });

      // Act
      const outcome = await service.invoke(event);

      // Assess
      expectRefused(outcome, shape, { status: 404, code: 'NOT_FOUND' }, { callerToken: token });
    },
  );
});

test('a v2 event with headers null is refused with 415, as there is no Content-Type', async () => {
  // Prepare
  const event = { ...v2Event({ body: '{"subject":"svc-1"}' }), headers: null };

  // Act
  const outcome = await service.invoke(event);

  // Assess
  expectRefused(outcome, 'v2', { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
});

test('a v1 event with a null body is refused with 400', async () => {
  // Prepare
  const event = v1Event({ headers: { 'Content-Type': 'application/json', Authorization: authorization } });
  event.body = null;

  // Act
  const outcome = await service.invoke(event);

  // Assess
  expect(outcome.status).toBe(400);
  expectRefused(outcome, 'v1', { status: 400, code: outcome.envelope.error ?? 'INVALID_REQUEST' }, { callerToken: token });
});
