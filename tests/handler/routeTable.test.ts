import { createHandler } from '../../handlers/generateJwt';
import type { Route } from '../../lib/http/router';
import { ROUTES } from '../../lib/routes';
import { createRuntime, type Runtime } from '../../lib/runtime';
import { invoke } from '../helpers/handler';
import { eventFor, v1Event, v2Event } from '../helpers/events';
import { callerToken, TEST_SECRET } from '../helpers/tokens';

// Adding a route is one table entry and one function: nothing else in the chain changes.

const NOW_MS = Date.parse('2026-01-01T00:00:00Z');

const HEALTH: Route<Runtime> = {
  method: 'GET',
  path: '/health',
  format: 'document',
  serve: async (request) => ({ body: { status: 'ok', shape: request.shape } }),
};

const runtime = createRuntime(
  { SIGNING_SECRET_ID: 'test/signing-secret' },
  { now: () => NOW_MS, fetchSecret: async () => ({ secretString: TEST_SECRET, versionId: 'v1' }) },
);
const handler = createHandler(runtime, [...ROUTES, HEALTH]);

test.each([
  ['API Gateway v2', v2Event],
  ['API Gateway v1', v1Event],
] as const)('serves a route added in a test-only table over %s', async (_name, event) => {
  // Act
  const outcome = await invoke(handler, event({ method: 'GET', path: '/health' }));

  // Assess
  expect(outcome.status).toBe(200);
  expect(JSON.parse(outcome.raw)).toEqual({ status: 'ok', shape: expect.stringMatching(/^http-v[12]$/) });
  expect(outcome.headers['Cache-Control']).toBe('public, max-age=300');
});

test('refuses another method on the added route with 405, like any route', async () => {
  // Act
  const outcome = await invoke(handler, v2Event({ method: 'POST', path: '/health', body: '{}' }));

  // Assess
  expect(outcome.status).toBe(405);
  expect(outcome.envelope).toMatchObject({ code: 405, error: 'METHOD_NOT_ALLOWED', message: 'Use GET /health.' });
});

test('keeps every existing route: a mint still mints beside it', async () => {
  // Prepare
  const authorization = `Bearer ${await callerToken({ nowSeconds: NOW_MS / 1000 })}`;

  // Act
  const outcome = await invoke(handler, eventFor('v2', { authorization, body: { subject: 's' } }));

  // Assess
  expect(outcome.status).toBe(200);
});

test('without the added route the same request is a 404', async () => {
  // Act
  const outcome = await invoke(createHandler(runtime), v2Event({ method: 'GET', path: '/health' }));

  // Assess
  expect(outcome.status).toBe(404);
  expect(outcome.envelope.error).toBe('NOT_FOUND');
});
