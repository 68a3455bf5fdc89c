let written: string[];

beforeEach(() => {
  // Prepare: capture both streams, where Powertools Logger's console writes.
  written = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
});

afterEach(() => {
  jest.restoreAllMocks();
});

/** Loads lib/log afresh with the given log level, as a new container would. */
async function loggerAt(level: string) {
  const previous = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = level;
  let loaded: typeof import('../../lib/log') | undefined;
  await jest.isolateModulesAsync(async () => {
    loaded = await import('../../lib/log');
  });
  process.env.POWERTOOLS_LOG_LEVEL = previous;
  return loaded!.logger;
}

const parsed = () => written.map((chunk) => JSON.parse(chunk) as Record<string, unknown>);

test('writes one JSON line per call, naming the service and carrying the attributes', async () => {
  const logger = await loggerAt('INFO');

  logger.info('issued', { requestId: 'r-1', scope: ['push'], exp: 42 });

  expect(parsed()).toEqual([
    expect.objectContaining({ level: 'INFO', message: 'issued', service: 'jwt-mint', requestId: 'r-1', scope: ['push'], exp: 42 }),
  ]);
  expect(written[0]?.endsWith('\n')).toBe(true);
});

test('honours the configured level: WARN drops INFO lines and keeps warnings and errors', async () => {
  const logger = await loggerAt('WARN');

  logger.info('issued', { requestId: 'r-1' });
  logger.warn('denied', { status: 403 });
  logger.error('request failed', { code: 'INTERNAL_ERROR' });

  expect(parsed().map((line) => [line.level, line.message])).toEqual([
    ['WARN', 'denied'],
    ['ERROR', 'request failed'],
  ]);
});

test('writes nothing at all when silenced', async () => {
  const logger = await loggerAt('SILENT');

  logger.error('request failed', { code: 'INTERNAL_ERROR' });

  expect(written).toEqual([]);
});
