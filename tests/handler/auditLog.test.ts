import type * as HandlerHelpers from '../helpers/handler';
import { eventsFor } from '../helpers/events';
import { JWT_PATTERN } from '../helpers/outcomes';
import { callerToken, TEST_SECRET } from '../helpers/tokens';
import { MintError } from '../../lib/errors';

const NOW_SECONDS = 1_900_000_000;
const NOW_MS = NOW_SECONDS * 1000;
const SHORT_SECRET = 'short-secret-only-31-bytes-long';

/** One parsed line of the service's structured log. */
type LogLine = Record<string, unknown>;

let helpers: typeof HandlerHelpers;
let previousLogLevel: string | undefined;
let capture: OutputCapture;

/** Everything written to stdout and stderr while it is installed; nothing reaches the terminal. */
class OutputCapture {
  private readonly chunks: string[] = [];
  private readonly spies: jest.SpyInstance[];

  constructor() {
    const write = (chunk: string | Uint8Array): boolean => {
      this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
    this.spies = [
      jest.spyOn(process.stdout, 'write').mockImplementation(write),
      jest.spyOn(process.stderr, 'write').mockImplementation(write),
    ];
  }

  get text(): string {
    return this.chunks.join('');
  }

  get lines(): LogLine[] {
    return this.text
      .split('\n')
      .filter((line) => line.trim().startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  }

  /** Waits until a line matching `wanted` has been written, or gives up after `timeoutMs`. */
  async waitFor(wanted: (line: LogLine) => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.lines.some(wanted) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  restore(): void {
    for (const spy of this.spies) spy.mockRestore();
  }
}

/** The report of the handler module's own warm-up, which fetches SIGNING_SECRET_ID from tests/setupEnv.ts. */
const isWarmUpFailure = (line: LogLine): boolean =>
  line.message === 'signing secret refresh failed' &&
  typeof line.detail === 'string' &&
  line.detail.includes(String(process.env.SIGNING_SECRET_ID));

beforeAll(async () => {
  // lib/log.ts reads the level when the module is first loaded, and tests/setupEnv.ts silences it:
  // load the handler afresh with INFO so the audit lines are really written.
  previousLogLevel = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  // The handler module warms its key cache at import only inside a Lambda container.
  process.env.AWS_LAMBDA_FUNCTION_NAME = 'jwt-mint-test-generateJwt';
  capture = new OutputCapture();
  await jest.isolateModulesAsync(async () => {
    helpers = await import('../helpers/handler');
  });
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
});

afterAll(() => {
  capture.restore();
  process.env.POWERTOOLS_LOG_LEVEL = previousLogLevel;
});

function auditLine(lines: readonly LogLine[], requestId: string): LogLine | undefined {
  return lines.find((line) => line.function_request_id === requestId && typeof line.audit === 'string');
}

describe('audit log', () => {
  let output: string;
  let lines: LogLine[];
  const callerTokens: string[] = [];
  const statuses: Record<string, number> = {};

  beforeAll(async () => {
    const valid = await callerToken({ nowSeconds: NOW_SECONDS });
    const expired = await callerToken({ nowSeconds: NOW_SECONDS, claims: { exp: NOW_SECONDS - 3600 } });
    const shortSecretCaller = await callerToken({ nowSeconds: NOW_SECONDS, secret: SHORT_SECRET });
    callerTokens.push(valid, expired, shortSecretCaller);

    const service = helpers.testHandler({ nowMs: NOW_MS });
    const unavailable = helpers.testHandler({
      nowMs: NOW_MS,
      fetchSecret: async () => {
        throw new MintError('SECRET_UNAVAILABLE', 'Scripted outage: AccessDeniedException');
      },
    });
    const unusable = helpers.testHandler({ nowMs: NOW_MS, secret: SHORT_SECRET });

    const record = async (requestId: string, run: Promise<HandlerHelpers.Outcome>) => {
      statuses[requestId] = (await run).status;
    };
    await record('req-issued-v2', service.invoke(eventsFor(`Bearer ${valid}`, { subject: 'audited-v2' }).v2, 'req-issued-v2'));
    await record('req-issued-direct', service.invoke(eventsFor(`Bearer ${valid}`, { subject: 'audited-direct' }).direct, 'req-issued-direct'));
    await record(
      'req-escalation',
      service.invoke(eventsFor(`Bearer ${valid}`, { subject: 'greedy', authorities: ['root'] }).v1, 'req-escalation'),
    );
    await record('req-expired', service.invoke(eventsFor(`Bearer ${expired}`, { subject: 'late' }).v2, 'req-expired'));
    await record('req-missing', service.invoke(eventsFor(undefined, { subject: 'anonymous' }).v2, 'req-missing'));
    await record('req-unknown-field', service.invoke(eventsFor(`Bearer ${valid}`, { subject: 'typo', scopes: ['push'] }).v2, 'req-unknown-field'));
    await record('req-unavailable', unavailable.invoke(eventsFor(`Bearer ${valid}`, { subject: 'outage' }).v2, 'req-unavailable'));
    await record(
      'req-unusable',
      unusable.invoke(eventsFor(`Bearer ${shortSecretCaller}`, { subject: 'bad-key' }).direct, 'req-unusable'),
    );
    // The module's init-time warm-up goes to a closed port (tests/setupEnv.ts): wait for its report,
    // so that it lands in the capture rather than on the terminal after the tests.
    await capture.waitFor(isWarmUpFailure, 15_000);
    output = capture.text;
    lines = capture.lines;
  });

  test('the scripted requests reach the outcomes the audit lines describe', () => {
    // Assess
    expect(statuses).toEqual({
      'req-issued-v2': 200,
      'req-issued-direct': 200,
      'req-escalation': 403,
      'req-expired': 401,
      'req-missing': 401,
      'req-unknown-field': 400,
      'req-unavailable': 503,
      'req-unusable': 500,
    });
  });

  test.each([
    { requestId: 'req-issued-v2', subject: 'audited-v2' },
    { requestId: 'req-issued-direct', subject: 'audited-direct' },
  ])('writes an "issued" line for $requestId with the caller, subject, audience, scope, jti and exp', ({ requestId, subject }) => {
    // Assess
    expect(auditLine(lines, requestId)).toMatchObject({
      message: 'issued',
      audit: 'issued',
      function_request_id: requestId,
      status: 200,
      callerSub: 'caller-1',
      subject,
      aud: 'mfs',
      scope: ['generateJwt', 'push', 'query'],
      jti: expect.any(String),
      exp: NOW_SECONDS + 43_200,
    });
  });

  test.each([
    { requestId: 'req-escalation', reason: 'SCOPE_ESCALATION', status: 403, subject: 'greedy', callerSub: 'caller-1' },
    { requestId: 'req-expired', reason: 'TOKEN_EXPIRED', status: 401, subject: 'late', callerSub: undefined },
    { requestId: 'req-missing', reason: 'MISSING_TOKEN', status: 401, subject: 'anonymous', callerSub: undefined },
    { requestId: 'req-unknown-field', reason: 'UNKNOWN_FIELD', status: 400, subject: undefined, callerSub: undefined },
    { requestId: 'req-unavailable', reason: 'SECRET_UNAVAILABLE', status: 503, subject: 'outage', callerSub: undefined },
    { requestId: 'req-unusable', reason: 'SIGNING_KEY_UNUSABLE', status: 500, subject: 'bad-key', callerSub: undefined },
  ])('writes a "denied" line for $requestId with reason $reason', ({ requestId, reason, status, subject, callerSub }) => {
    // Assess
    const line = auditLine(lines, requestId);
    expect(line).toMatchObject({ message: 'denied', audit: 'denied', function_request_id: requestId, reason, status });
    expect(line?.subject).toBe(subject);
    expect(line?.callerSub).toBe(callerSub);
  });

  test('writes exactly one audit line per request', () => {
    // Assess
    const audited = lines.filter((line) => typeof line.audit === 'string').map((line) => line.function_request_id);
    expect(audited.sort()).toEqual(Object.keys(statuses).sort());
  });

  test('reports a failed warm-up at init as a warning, not as a crash or an unhandled rejection', () => {
    // Assess
    const warmUp = lines.filter(isWarmUpFailure);
    expect(warmUp).toEqual([expect.objectContaining({ level: 'WARN', servingStale: false, code: 'SECRET_UNAVAILABLE' })]);
  });

  test('logs the failure behind a 5xx for the operator', () => {
    // Assess
    expect(lines).toContainEqual(expect.objectContaining({ message: 'request failed', code: 'SECRET_UNAVAILABLE' }));
    expect(lines).toContainEqual(expect.objectContaining({ message: 'request failed', code: 'SIGNING_KEY_UNUSABLE' }));
  });

  test('never writes the signing secret, a caller token or any other JWT to stdout or stderr', () => {
    // Assess
    expect(output.length).toBeGreaterThan(0);
    expect(output).not.toContain(TEST_SECRET);
    expect(output).not.toContain(SHORT_SECRET);
    for (const token of callerTokens) {
      expect(output).not.toContain(token);
      expect(output).not.toContain(token.split('.')[2]);
    }
    expect(output).not.toMatch(JWT_PATTERN);
  });
});
