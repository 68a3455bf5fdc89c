import type { createHandler as CreateHandler } from '../../handlers/generateJwt';
import type { createRuntime as CreateRuntime } from '../../lib/runtime';
import type { Outcome } from '../helpers/handler';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from '../../scripts/secretsManagerStandIn';
import { callerTokenSignedWith, keySetSecret, privateJwk, privateValues } from '../helpers/keys';
import { eventFor, type RequestSpec, type Shape } from '../helpers/events';
import { ATTACKER_SECRET, callerClaims, callerToken, craftToken, decodeJwt, signedClaims, TEST_SECRET } from '../helpers/tokens';
import { NOW_MS, NOW_SECONDS } from '../helpers/defaults';
import { logLines, type LogLine } from '../helpers/logs';

// One structured JSON line per decision, and never a secret or a token in any line. The logger
// reads LOG_LEVEL when lib/log.ts is first loaded, and tests/setupEnv.ts silences
// it: so nothing that loads the logger is imported statically here (the imports above are types,
// test helpers and the stand-in), and the handler is loaded in beforeAll with INFO set.

const SHORT_SECRET = 'only-twenty-one-bytes';
const STORED_SECRET = 'stand-in-stored-secret-0123456789-abcdefghij';
const SECRET_ID = 'jwt-mint/audit/signing-secret';

let createHandler: typeof CreateHandler;
let createRuntime: typeof CreateRuntime;
let invoke: (handler: ReturnType<typeof CreateHandler>, event: unknown, requestId: string) => Promise<Outcome>;
let standIn: SecretsManagerStandIn;

const previousEnv = { ...process.env };
const written: string[] = [];
/** The private members of the JWK Set secret: like the plain secrets, never to be logged. */
const keySetPrivates: string[] = [];
const spies: jest.SpyInstance[] = [];
const callerTokens: string[] = [];
const outcomes = new Map<string, Outcome>();
let lines: LogLine[] = [];
let output = '';

function captureOutput(): void {
  const write = (chunk: string | Uint8Array): boolean => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  spies.push(jest.spyOn(process.stdout, 'write').mockImplementation(write));
  spies.push(jest.spyOn(process.stderr, 'write').mockImplementation(write));
}

const parsedLines = (): LogLine[] => logLines(written.join(''));

/** A handler over the real chain with a frozen clock and the secret as given. */
function handlerWith(secret: string | (() => Promise<never>)) {
  return createHandler(
    createRuntime(
      { SIGNING_SECRET_ID: 'test/signing-secret', ALLOWED_AUDIENCES: 'mfs,push-gateway' },
      {
        now: () => NOW_MS,
        fetchSecret: typeof secret === 'string' ? async () => ({ secretString: secret, versionId: 'v1' }) : secret,
      },
    ),
  );
}

/** Requests whose audit lines the tests read, by request id. */
const requests: Array<{ requestId: string; handler: () => ReturnType<typeof CreateHandler>; shape: Shape; spec: () => RequestSpec }> = [];
const tokens: Record<string, string> = {};

beforeAll(async () => {
  process.env.LOG_LEVEL = 'INFO';
  captureOutput();
  // The handler module warms its key cache at import only inside a Lambda container; its default
  // runtime fetches SIGNING_SECRET_ID from a closed port (tests/setupEnv.ts), so the warm-up fails.
  process.env.AWS_LAMBDA_FUNCTION_NAME = 'jwt-mint-test-generateJwt';
  ({ createHandler } = await import('../../handlers/generateJwt'));
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  const warmUpDeadline = Date.now() + 15_000;
  while (!parsedLines().some(isWarmUpFailure) && Date.now() < warmUpDeadline) await new Promise((done) => setTimeout(done, 25));
  ({ createRuntime } = await import('../../lib/runtime'));
  ({ invoke } = await import('../helpers/handler'));

  tokens.valid = await callerToken({ nowSeconds: NOW_SECONDS });
  tokens.expired = signedClaims({ ...callerClaims(NOW_SECONDS), exp: NOW_SECONDS - 3600 });
  tokens.forged = signedClaims({ ...callerClaims(NOW_SECONDS), sub: 'forged-sub' }, { secret: ATTACKER_SECRET });
  tokens.noScope = signedClaims({ ...callerClaims(NOW_SECONDS), sub: 'caller-without-scope', scope: ['push'] });
  tokens.shortSecret = signedClaims(callerClaims(NOW_SECONDS), { secret: SHORT_SECRET });
  // Lives through the outage below, which moves the clock on by more than an hour.
  tokens.stored = signedClaims({ ...callerClaims(NOW_SECONDS), exp: NOW_SECONDS + 86_400 }, { secret: STORED_SECRET });
  callerTokens.push(...Object.values(tokens));

  const service = handlerWith(TEST_SECRET);
  const unusable = handlerWith(SHORT_SECRET);
  const signer = await privateJwk('ES256', { kid: 'signer' });
  const callers = await privateJwk('HS256', { kid: 'callers' });
  keySetPrivates.push(...privateValues(signer, callers));
  const keySet = handlerWith(keySetSecret(signer, callers));
  tokens.keySet = await callerTokenSignedWith(callers, { nowSeconds: NOW_SECONDS });
  tokens.keySetForged = craftToken('{"alg":"HS256","kid":"signer"}', JSON.stringify(callerClaims(NOW_SECONDS)), { secret: String(signer.x) });
  callerTokens.push(tokens.keySet, tokens.keySetForged);
  const down = handlerWith(async () => {
    const { MintError } = await import('../../lib/errors');
    throw new MintError('SECRET_UNAVAILABLE', 'scripted outage');
  });
  const auth = (name: string) => `Bearer ${tokens[name]}`;
  const body = { subject: 'svc-1' };
  requests.push(
    { requestId: 'issued-v2', handler: () => service, shape: 'v2', spec: () => ({ authorization: auth('valid'), body: { subject: 'svc-v2', audience: ['mfs', 'push-gateway'], authorities: ['push'], expiresAt: NOW_SECONDS + 600 } }) },
    { requestId: 'issued-v1', handler: () => service, shape: 'v1', spec: () => ({ authorization: auth('valid'), body: { subject: 'svc-v1' } }) },
    { requestId: 'issued-direct', handler: () => service, shape: 'direct', spec: () => ({ authorization: auth('valid'), body: { subject: 'svc-direct' } }) },
    { requestId: 'missing-token', handler: () => service, shape: 'v2', spec: () => ({ body }) },
    { requestId: 'forged', handler: () => service, shape: 'v2', spec: () => ({ authorization: auth('forged'), body }) },
    { requestId: 'expired', handler: () => service, shape: 'v1', spec: () => ({ authorization: auth('expired'), body }) },
    { requestId: 'no-scope', handler: () => service, shape: 'direct', spec: () => ({ authorization: auth('noScope'), body }) },
    { requestId: 'escalation', handler: () => service, shape: 'v2', spec: () => ({ authorization: auth('valid'), body: { subject: 'svc-1', authorities: ['push', 'admin'] } }) },
    { requestId: 'audience', handler: () => service, shape: 'v2', spec: () => ({ authorization: auth('valid'), body: { subject: 'svc-1', audience: 'payments' } }) },
    { requestId: 'lifetime', handler: () => service, shape: 'v2', spec: () => ({ authorization: auth('valid'), body: { subject: 'svc-1', expiresAt: NOW_SECONDS + 10 * 86_400 } }) },
    { requestId: 'unknown-field', handler: () => service, shape: 'v2', spec: () => ({ authorization: auth('valid'), body: { subject: 'svc-1', scope: ['admin'] } }) },
    { requestId: 'malformed', handler: () => service, shape: 'v2', spec: () => ({ authorization: auth('valid'), rawBody: `{"subject":"${tokens.valid}"` }) },
    { requestId: 'media-type', handler: () => service, shape: 'v1', spec: () => ({ authorization: auth('valid'), body, contentType: 'text/plain' }) },
    { requestId: 'too-large', handler: () => service, shape: 'v2', spec: () => ({ authorization: auth('valid'), rawBody: ' '.repeat(17 * 1024) }) },
    { requestId: 'unusable', handler: () => unusable, shape: 'v2', spec: () => ({ authorization: auth('shortSecret'), body }) },
    { requestId: 'unavailable', handler: () => down, shape: 'direct', spec: () => ({ authorization: auth('valid'), body }) },
    { requestId: 'keyset-issued', handler: () => keySet, shape: 'v1', spec: () => ({ authorization: auth('keySet'), body: { subject: 'svc-keyset' } }) },
    { requestId: 'keyset-forged', handler: () => keySet, shape: 'v2', spec: () => ({ authorization: auth('keySetForged'), body }) },
  );
  for (const request of requests) {
    outcomes.set(request.requestId, await invoke(request.handler(), eventFor(request.shape, request.spec()), request.requestId));
  }

  // The same through the real SDK and the Secrets Manager stand-in: a load, an outage, a recovery.
  standIn = await startSecretsManagerStandIn({ secrets: { [SECRET_ID]: STORED_SECRET } });
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = standIn.endpoint;
  let nowMs = NOW_MS;
  const sdkBacked = createHandler(createRuntime({ ...process.env, SIGNING_SECRET_ID: SECRET_ID }, { now: () => nowMs }));
  const storedEvent = () => eventFor('v2', { authorization: auth('stored'), body });
  outcomes.set('sdk-cold', await invoke(sdkBacked, storedEvent(), 'sdk-cold'));
  await standIn.injectFault({ kind: 'AccessDeniedException' });
  nowMs += 301_000;
  outcomes.set('sdk-stale', await invoke(sdkBacked, storedEvent(), 'sdk-stale'));
  nowMs += 3_600_000;
  outcomes.set('sdk-down', await invoke(sdkBacked, storedEvent(), 'sdk-down'));
  await standIn.clearFault();
  nowMs += 30_000; // past the back-off after the failed fetch
  outcomes.set('sdk-recovered', await invoke(sdkBacked, storedEvent(), 'sdk-recovered'));

  lines = parsedLines();
  output = written.join('');
});

afterAll(async () => {
  for (const spy of spies) spy.mockRestore();
  await standIn?.close();
  process.env = previousEnv;
});

/** The report of the handler module's own warm-up at init, which fetches SIGNING_SECRET_ID from tests/setupEnv.ts. */
const isWarmUpFailure = (line: LogLine): boolean =>
  line.event === 'signing secret refresh failed' &&
  typeof line.detail === 'string' &&
  line.detail.includes(String(process.env.SIGNING_SECRET_ID));


function auditLinesOf(requestId: string): LogLine[] {
  return lines.filter((line) => line.requestId === requestId && 'audit' in line);
}

function auditLineOf(requestId: string): LogLine {
  const found = auditLinesOf(requestId);
  expect(found).toHaveLength(1);
  return found[0] as LogLine;
}

test('every line written is one JSON object in Lambda\'s JSON log format: timestamp, level, request id, and the event as message', () => {
  // Assess: logLines refuses any line of another shape.
  expect(lines.length).toBeGreaterThan(requests.length);
  const raw = written.join('').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(raw).toHaveLength(lines.length);
  expect(raw.find((line) => line.requestId === 'issued-v2' && (line.message as LogLine).audit === 'issued')).toEqual({
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    level: 'INFO',
    requestId: 'issued-v2',
    message: expect.objectContaining({ event: 'issued', audit: 'issued', subject: 'svc-v2' }),
  });
});

test('every request has exactly one audit line, "issued" for a 200 and "denied" otherwise', () => {
  // Assess
  for (const [requestId, outcome] of outcomes) {
    const line = auditLineOf(requestId);
    expect({ requestId, audit: line.audit, status: line.status }).toEqual({
      requestId,
      audit: outcome.status === 200 ? 'issued' : 'denied',
      status: outcome.status,
    });
  }
  expect(lines.filter((line) => 'audit' in line)).toHaveLength(outcomes.size);
});

test('an "issued" line names the caller, the subject, aud, scope, the jti and exp of the token minted, and its act chain', () => {
  for (const requestId of ['issued-v2', 'issued-v1', 'issued-direct', 'keyset-issued', 'sdk-cold', 'sdk-stale', 'sdk-recovered']) {
    // Prepare
    const minted = decodeJwt(String(outcomes.get(requestId)?.envelope.data)).payload;

    // Assess
    expect(auditLineOf(requestId)).toEqual({
      level: 'INFO',
      timestamp: expect.any(String),
      requestId,
      event: 'issued',
      audit: 'issued',
      status: 200,
      callerSub: 'caller-1',
      subject: minted.sub,
      aud: minted.aud,
      scope: minted.scope,
      jti: minted.jti,
      exp: minted.exp,
      act: { sub: 'caller-1' },
    });
  }
  expect(auditLineOf('issued-v2')).toMatchObject({ subject: 'svc-v2', aud: ['mfs', 'push-gateway'], scope: ['push'], exp: NOW_SECONDS + 600 });
});

test.each([
  { requestId: 'missing-token', reason: 'MISSING_TOKEN', status: 401, known: { subject: 'svc-1' } },
  { requestId: 'forged', reason: 'INVALID_TOKEN', status: 401, known: { subject: 'svc-1' } },
  { requestId: 'expired', reason: 'TOKEN_EXPIRED', status: 401, known: { subject: 'svc-1' } },
  { requestId: 'no-scope', reason: 'INSUFFICIENT_SCOPE', status: 403, known: { subject: 'svc-1', callerSub: 'caller-without-scope' } },
  { requestId: 'escalation', reason: 'SCOPE_ESCALATION', status: 403, known: { subject: 'svc-1', callerSub: 'caller-1', scope: ['push', 'admin'] } },
  { requestId: 'audience', reason: 'AUDIENCE_NOT_ALLOWED', status: 403, known: { subject: 'svc-1', callerSub: 'caller-1', aud: 'payments' } },
  { requestId: 'lifetime', reason: 'INVALID_REQUEST', status: 400, known: { subject: 'svc-1', callerSub: 'caller-1', exp: NOW_SECONDS + 10 * 86_400 } },
  { requestId: 'unknown-field', reason: 'UNKNOWN_FIELD', status: 400, known: {} },
  { requestId: 'malformed', reason: 'MALFORMED_JSON', status: 400, known: {} },
  { requestId: 'media-type', reason: 'UNSUPPORTED_MEDIA_TYPE', status: 415, known: {} },
  { requestId: 'too-large', reason: 'BODY_TOO_LARGE', status: 413, known: {} },
  { requestId: 'unusable', reason: 'SIGNING_KEY_UNUSABLE', status: 500, known: { subject: 'svc-1' } },
  { requestId: 'unavailable', reason: 'SECRET_UNAVAILABLE', status: 503, known: { subject: 'svc-1' } },
  { requestId: 'sdk-down', reason: 'SECRET_UNAVAILABLE', status: 503, known: { subject: 'svc-1' } },
  { requestId: 'keyset-forged', reason: 'INVALID_TOKEN', status: 401, known: { subject: 'svc-1' } },
])('a "denied" line for $requestId carries reason $reason and exactly what was known', ({ requestId, reason, status, known }) => {
  // Assess
  expect(outcomes.get(requestId)?.status).toBe(status);
  expect(auditLineOf(requestId)).toEqual({
    level: 'WARN',
    timestamp: expect.any(String),
    requestId,
    event: 'denied',
    audit: 'denied',
    reason,
    status,
    ...known,
  });
});

test('every line written while serving a request carries its request id, failure and key-cache lines included', () => {
  // Prepare: only the init warm-up runs outside a request.
  const duringRequests = lines.filter((line) => !isWarmUpFailure(line));

  // Assess
  expect(duringRequests.map((line) => line.event)).toEqual(
    expect.arrayContaining(['issued', 'denied', 'request failed', 'signing keys loaded', 'signing secret refresh failed']),
  );
  for (const line of duringRequests) expect(outcomes.has(String(line.requestId))).toBe(true);
});

test('a failed warm-up at init is reported as a warning, not as a crash or an unhandled rejection', () => {
  // Assess
  expect(lines.filter(isWarmUpFailure)).toEqual([expect.objectContaining({ level: 'WARN', servingStale: false, code: 'SECRET_UNAVAILABLE' })]);
  expect(lines.filter(isWarmUpFailure)[0]).not.toHaveProperty('requestId');
});

test('a denial never names an unverified caller: the forged token\'s "sub" is not audited as the caller', () => {
  // Assess
  expect(auditLineOf('forged')).not.toHaveProperty('callerSub');
  expect(output).not.toContain('forged-sub');
});

test('a Secrets Manager outage is logged for the operator, and serving stale keys is said so', () => {
  // Assess
  expect(lines).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'signing secret refresh failed', servingStale: true }));
  expect(lines).toContainEqual(
    expect.objectContaining({
      level: 'ERROR',
      event: 'request failed',
      code: 'SECRET_UNAVAILABLE',
      detail: expect.stringMatching(/AccessDeniedException, HTTP 400, request id [0-9a-f-]{36}$/),
    }),
  );
  expect(lines).toContainEqual(expect.objectContaining({ level: 'INFO', event: 'signing keys loaded' }));
});

test('no line anywhere holds a secret, a caller token, a piece of one, or any other JWT', () => {
  // Assess
  expect(output.length).toBeGreaterThan(0);
  expect(keySetPrivates.length).toBeGreaterThan(0);
  for (const secret of [TEST_SECRET, SHORT_SECRET, STORED_SECRET, ATTACKER_SECRET, ...keySetPrivates]) {
    expect(output).not.toContain(secret);
  }
  for (const token of callerTokens) {
    expect(output).not.toContain(token);
    for (const segment of token.split('.')) expect(output).not.toContain(segment);
  }
  expect(output).not.toMatch(/[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/);
});
