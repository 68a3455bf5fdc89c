import { createLogger, logThreshold } from '../../lib/logger';

const NOW = '2026-01-02T03:04:05.678Z';
let stdout: string[];
let stderr: string[];

beforeEach(() => {
  // Prepare: capture both streams at the method the logger calls, and freeze the clock.
  jest.useFakeTimers({ now: new Date(NOW) });
  stdout = [];
  stderr = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
});

afterEach(() => {
  jest.restoreAllMocks();
  jest.useRealTimers();
});

const lines = (written: string[]) => written.map((chunk) => JSON.parse(chunk) as Record<string, unknown>);

test('writes one JSON line per INFO call on stdout, with the fields Powertools Logger wrote', () => {
  createLogger('jwt-mint', {}).info('issued', { requestId: 'r-1', scope: ['push'], exp: 42 });

  expect(stdout).toHaveLength(1);
  expect(stdout[0]?.endsWith('}\n')).toBe(true);
  expect(lines(stdout)).toEqual([
    { level: 'INFO', message: 'issued', timestamp: NOW, service: 'jwt-mint', sampling_rate: 0, requestId: 'r-1', scope: ['push'], exp: 42 },
  ]);
  expect(stderr).toEqual([]);
});

test('writes WARN and ERROR lines on stderr', () => {
  const logger = createLogger('jwt-mint', {});

  logger.warn('denied', { status: 403 });
  logger.error('request failed', { code: 'INTERNAL_ERROR' });

  expect(lines(stderr).map((line) => [line.level, line.message])).toEqual([
    ['WARN', 'denied'],
    ['ERROR', 'request failed'],
  ]);
  expect(stdout).toEqual([]);
});

test('drops lines below the level POWERTOOLS_LOG_LEVEL asks for', () => {
  const logger = createLogger('jwt-mint', { POWERTOOLS_LOG_LEVEL: 'warn' });

  logger.info('issued');
  logger.warn('denied');

  expect(stdout).toEqual([]);
  expect(lines(stderr).map((line) => line.message)).toEqual(['denied']);
});

test('writes nothing at SILENT', () => {
  const logger = createLogger('jwt-mint', { POWERTOOLS_LOG_LEVEL: 'SILENT' });

  logger.info('issued');
  logger.error('request failed');

  expect([...stdout, ...stderr]).toEqual([]);
});

test("takes Lambda's own log level over POWERTOOLS_LOG_LEVEL, as Powertools did", () => {
  expect(logThreshold({ AWS_LAMBDA_LOG_LEVEL: 'ERROR', POWERTOOLS_LOG_LEVEL: 'DEBUG' })).toBe(logThreshold({ POWERTOOLS_LOG_LEVEL: 'ERROR' }));
  expect(logThreshold({ AWS_LAMBDA_LOG_LEVEL: 'FATAL' })).toBe(logThreshold({ POWERTOOLS_LOG_LEVEL: 'CRITICAL' }));
  expect(logThreshold({ LOG_LEVEL: 'WARN' })).toBe(logThreshold({ POWERTOOLS_LOG_LEVEL: 'WARN' }));
});

test('falls back to INFO for a level name it does not know', () => {
  expect(logThreshold({ POWERTOOLS_LOG_LEVEL: 'LOUD' })).toBe(logThreshold({}));
  expect(logThreshold({})).toBe(logThreshold({ POWERTOOLS_LOG_LEVEL: 'INFO' }));
});

test('never lets an attribute overwrite a reserved field, and leaves out empty attributes', () => {
  createLogger('jwt-mint', {}).info('issued', { level: 'DEBUG', message: 'forged', service: 'other', reason: undefined, cause: null, detail: '' });

  expect(lines(stdout)).toEqual([{ level: 'INFO', message: 'issued', timestamp: NOW, service: 'jwt-mint', sampling_rate: 0 }]);
});

test("adds the X-Ray trace id of the current invocation from Lambda's environment", () => {
  const env: Record<string, string> = {};
  const logger = createLogger('jwt-mint', env);

  env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
  logger.info('issued');

  expect(lines(stdout)[0]).toMatchObject({ xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793' });
});

test('never throws on attributes JSON cannot hold', () => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const logger = createLogger('jwt-mint', {});

  logger.info('big', { count: 10n, failure: new TypeError('bad input') });
  logger.info('circular', { circular });

  const [big, fallback] = lines(stdout);
  expect(big).toMatchObject({ count: '10', failure: { name: 'TypeError', message: 'bad input' } });
  expect(fallback).toEqual({ level: 'INFO', message: 'circular', timestamp: NOW, service: 'jwt-mint', logError: 'attributes could not be serialised' });
});
