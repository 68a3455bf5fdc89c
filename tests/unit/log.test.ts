import type { Context } from 'aws-lambda';
import { fakeContext } from '../helpers/events';
import { logLines } from '../helpers/logs';

let written: string[];

beforeEach(() => {
  // Prepare: capture both streams.
  written = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
});

afterEach(() => {
  jest.restoreAllMocks();
});

/** lib/log afresh, as a new container loads it: its request id starts unset. */
async function freshLog() {
  let loaded: typeof import('../../lib/log') | undefined;
  await jest.isolateModulesAsync(async () => {
    loaded = await import('../../lib/log');
  });
  return loaded!;
}

/** Runs the middleware's `before` as middy would at the start of an invocation. */
async function startInvocation(log: typeof import('../../lib/log'), requestId: string) {
  const context: Context = fakeContext(requestId);
  await log.requestIdInLogs().before?.({ event: {}, context, response: undefined, error: null, internal: {} });
}

test('off Lambda, writes one line in Lambda\'s JSON log format: time, level, request id, and the event with its fields as message', async () => {
  // Prepare
  const log = await freshLog();
  const logger = log.createLogger({ LOG_LEVEL: 'INFO' });
  await startInvocation(log, 'r-1');

  // Act
  logger.info('issued', { scope: ['push'], exp: 42 });

  // Assess
  expect(written).toHaveLength(1);
  expect(written[0]?.endsWith('\n')).toBe(true);
  expect(JSON.parse(written[0] as string)).toEqual({
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    level: 'INFO',
    requestId: 'r-1',
    message: { event: 'issued', scope: ['push'], exp: 42 },
  });
});

test('a line written before the first invocation carries no request id; each invocation\'s lines carry their own', async () => {
  // Prepare
  const log = await freshLog();
  const logger = log.createLogger({});

  // Act
  logger.warn('signing secret refresh failed');
  await startInvocation(log, 'r-1');
  logger.info('issued');
  await startInvocation(log, 'r-2');
  logger.info('issued');

  // Assess
  expect(logLines(written.join('')).map((line) => line.requestId)).toEqual([undefined, 'r-1', 'r-2']);
});

test.each([
  { env: { LOG_LEVEL: 'WARN' }, kept: ['denied', 'request failed'] },
  { env: { LOG_LEVEL: 'warn' }, kept: ['denied', 'request failed'] },
  { env: { AWS_LAMBDA_LOG_LEVEL: 'ERROR', LOG_LEVEL: 'DEBUG' }, kept: ['request failed'] },
  { env: {}, kept: ['issued', 'denied', 'request failed'] },
  { env: { LOG_LEVEL: 'VERBOSE' }, kept: ['issued', 'denied', 'request failed'] },
  { env: { LOG_LEVEL: 'SILENT' }, kept: [] },
])('off Lambda, honours the level: $env keeps $kept', async ({ env, kept }) => {
  // Prepare
  const { createLogger } = await freshLog();
  const logger = createLogger(env);

  // Act
  logger.info('issued', { requestId: 'r-1' });
  logger.warn('denied', { status: 403 });
  logger.error('request failed', { code: 'INTERNAL_ERROR' });

  // Assess
  expect(logLines(written.join('')).map((line) => line.event)).toEqual(kept);
  expect(logLines(written.join('')).map((line) => line.level)).toEqual(kept.map((event) => ({ issued: 'INFO', denied: 'WARN' })[event] ?? 'ERROR'));
});

test('in Lambda (logFormat JSON), hands the record to the runtime\'s console at its level and writes nothing itself', async () => {
  // Prepare: Lambda's runtime replaces these and stamps time, level and request id itself.
  const { createLogger } = await freshLog();
  const info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const logger = createLogger({ AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'ERROR' });

  // Act
  logger.info('issued', { audit: 'issued', exp: 42 });
  logger.warn('denied', { reason: 'INVALID_TOKEN' });
  logger.error('request failed', { code: 'INTERNAL_ERROR' });

  // Assess: the runtime, not this module, drops lines below applicationLogLevel.
  expect(info.mock.calls).toEqual([[{ event: 'issued', audit: 'issued', exp: 42 }]]);
  expect(warn.mock.calls).toEqual([[{ event: 'denied', reason: 'INVALID_TOKEN' }]]);
  expect(error.mock.calls).toEqual([[{ event: 'request failed', code: 'INTERNAL_ERROR' }]]);
  expect(written).toEqual([]);
});

test('the service\'s logger reads its level from the environment it was loaded in', async () => {
  // Prepare
  const previous = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'WARN';
  const { logger } = await freshLog();
  process.env.LOG_LEVEL = previous;

  // Act
  logger.info('issued');
  logger.warn('denied');

  // Assess
  expect(logLines(written.join('')).map((line) => line.event)).toEqual(['denied']);
});
