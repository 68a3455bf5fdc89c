import { MintError } from '../../lib/errors';
import { createRuntime } from '../../lib/runtime';
import { createHandler } from '../../handlers/generateJwt';
import { invoke, testHandler, type Outcome } from '../helpers/handler';
import { eventFor, HTTP_SHAPES, type Shape } from '../helpers/events';
import { expectHardenedHeaders } from '../helpers/outcomes';
import { callerToken, TEST_SECRET } from '../helpers/tokens';
import { NOW_MS, NOW_SECONDS } from '../helpers/defaults';

// Every HTTP response, whatever its status, says: never cache me (it may hold a token), and do not
// sniff me as anything but JSON.

let authorization: string;

beforeAll(async () => {
  authorization = `Bearer ${await callerToken({ nowSeconds: NOW_SECONDS })}`;
});

const service = testHandler({ nowMs: NOW_MS });
const unavailable = testHandler({
  nowMs: NOW_MS,
  fetchSecret: async () => {
    throw new MintError('SECRET_UNAVAILABLE', 'scripted outage');
  },
});
const unusable = testHandler({ nowMs: NOW_MS, secret: 'too-short' });
const broken = createHandler(
  createRuntime(
    { SIGNING_SECRET_ID: 'test/signing-secret' },
    {
      now: () => NOW_MS,
      fetchSecret: async () => ({ secretString: TEST_SECRET, versionId: 'v1' }),
      newJti: () => {
        throw new Error('scripted bug');
      },
    },
  ),
);

type Scenario = (shape: Shape) => Promise<Outcome>;

const scenarios: ReadonlyArray<{ readonly status: number; readonly why: string; readonly run: Scenario }> = [
  { status: 200, why: 'a mint', run: (shape) => service.invoke(eventFor(shape, { authorization })) },
  { status: 400, why: 'malformed JSON', run: (shape) => service.invoke(eventFor(shape, { authorization, rawBody: '{' })) },
  { status: 401, why: 'no token', run: (shape) => service.invoke(eventFor(shape, {})) },
  { status: 403, why: 'escalation', run: (shape) => service.invoke(eventFor(shape, { authorization, body: { subject: 's', authorities: ['admin'] } })) },
  {
    status: 404,
    why: 'an unknown route',
    run: (shape) => {
      const event = eventFor(shape, { authorization }) as Record<string, unknown>;
      return service.invoke(shape === 'v1' ? { ...event, path: '/x', resource: '/x' } : { ...event, routeKey: 'POST /x' });
    },
  },
  {
    status: 405,
    why: 'a GET',
    run: (shape) => {
      const event = eventFor(shape, { authorization }) as Record<string, unknown>;
      return service.invoke(shape === 'v1' ? { ...event, httpMethod: 'GET' } : { ...event, routeKey: 'GET /user/generateJwt' });
    },
  },
  { status: 413, why: 'a body over 16 KiB', run: (shape) => service.invoke(eventFor(shape, { authorization, rawBody: ' '.repeat(16 * 1024 + 1) })) },
  { status: 415, why: 'text/plain', run: (shape) => service.invoke(eventFor(shape, { authorization, contentType: 'text/plain' })) },
  { status: 500, why: 'an unusable key', run: (shape) => unusable.invoke(eventFor(shape, { authorization })) },
  { status: 500, why: 'a bug', run: (shape) => invoke(broken, eventFor(shape, { authorization })) },
  { status: 503, why: 'Secrets Manager down', run: (shape) => unavailable.invoke(eventFor(shape, { authorization })) },
];

describe.each(HTTP_SHAPES)('response headers over %s', (shape) => {
  test.each(scenarios)('a $status ($why) carries Cache-Control: no-store and X-Content-Type-Options: nosniff', async ({ status, run }) => {
    // Act
    const outcome = await run(shape);

    // Assess
    expect(outcome.status).toBe(status);
    expect(outcome.envelope.code).toBe(status);
    expectHardenedHeaders(outcome, shape);
  });
});
