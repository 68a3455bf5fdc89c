/**
 * Memory under load: 50,000 invocations of the real handler in one process, against the Secrets
 * Manager stand-in through the real SDK, with a mix of mints and refusals over all three event
 * shapes. The heap after a forced GC must grow by no more than 10 MB between the end of warm-up
 * and the end of the run; the process exits non-zero otherwise.
 *
 * Run: npm run bench:memory   (node --expose-gc, so the heap can be measured after a full GC)
 * Knobs: BENCH_INVOCATIONS (default 50000), BENCH_WARMUP (default 5000).
 */
import { createHmac } from 'node:crypto';

const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? 50_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5_000);
const BOUND_BYTES = 10 * 1024 * 1024;
const SAMPLE_EVERY = 10_000;

const SECRET_ID = 'bench/jwt-mint/signing-secret';
const SECRET = 'bench-signing-secret-0123456789-abcdefghijklmnop';
const START_SECONDS = 1_750_000_000;
/** Fake time per invocation: the run spans several key-cache windows, so refreshes happen too. */
const TICK_MS = 25;

type Gc = () => void;

// The handler module reads the environment when it is imported: set it first. Logs are silenced,
// or writing them would dominate both the time and the heap.
Object.assign(process.env, {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  SIGNING_SECRET_ID: SECRET_ID,
});

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** An HS256 caller token over the given claims, signed with `secret`. */
function callerToken(claims: Record<string, unknown>, secret = SECRET): string {
  const input = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function httpEvent(version: 'v1' | 'v2', authorization: string | undefined, body: string): unknown {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  if (version === 'v1') {
    return { httpMethod: 'POST', path: '/user/generateJwt', resource: '/user/generateJwt', headers, body, isBase64Encoded: false, requestContext: {} };
  }
  return {
    version: '2.0',
    routeKey: 'POST /user/generateJwt',
    rawPath: '/user/generateJwt',
    headers,
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST', path: '/user/generateJwt' } },
  };
}

/** The request mix: what a busy minter sees, valid and not, in every shape. Each builds a fresh event. */
function requestMix(): Array<{ name: string; expected: number; event: () => unknown }> {
  const claims = { sub: 'bench-caller', aud: 'mfs', exp: START_SECONDS + 30 * 86_400, scope: ['generateJwt', 'push'] };
  const valid = `Bearer ${callerToken(claims)}`;
  const expired = `Bearer ${callerToken({ ...claims, exp: START_SECONDS - 60 })}`;
  const forged = `Bearer ${callerToken(claims, 'not-the-secret-0123456789-abcdefghijklmnop')}`;
  const noScope = `Bearer ${callerToken({ ...claims, scope: ['push'] })}`;
  let serial = 0;
  const subject = () => JSON.stringify({ subject: `svc-${++serial}`, authorities: ['push'] });
  return [
    { name: 'mint v2', expected: 200, event: () => httpEvent('v2', valid, subject()) },
    { name: 'mint v1', expected: 200, event: () => httpEvent('v1', valid, subject()) },
    { name: 'mint direct', expected: 200, event: () => ({ authorization: valid, body: { subject: `svc-${++serial}` } }) },
    { name: 'mint v2 again', expected: 200, event: () => httpEvent('v2', valid, subject()) },
    { name: 'expired', expected: 401, event: () => httpEvent('v2', expired, subject()) },
    { name: 'forged', expected: 401, event: () => httpEvent('v1', forged, subject()) },
    { name: 'no scope', expected: 403, event: () => ({ authorization: noScope, body: { subject: 'svc' } }) },
    { name: 'escalation', expected: 403, event: () => httpEvent('v2', valid, '{"subject":"svc","authorities":["admin"]}') },
    { name: 'missing token', expected: 401, event: () => httpEvent('v2', undefined, subject()) },
    { name: 'malformed JSON', expected: 400, event: () => httpEvent('v1', valid, '{"subject":') },
  ];
}

function megabytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(2);
}

function settledHeap(gc: Gc): number {
  // Two passes: the first can leave objects whose finalisers free more on the second.
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: Gc }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:memory)');

  const { startSecretsManagerStandIn } = await import('../scripts/secretsManagerStandIn');
  const standIn = await startSecretsManagerStandIn({ secrets: { [SECRET_ID]: SECRET } });
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = standIn.endpoint;
  const { createHandler } = await import('../handlers/generateJwt');
  const { createRuntime } = await import('../lib/runtime');

  let nowMs = START_SECONDS * 1000;
  const handler = createHandler(createRuntime({ SIGNING_SECRET_ID: SECRET_ID }, { now: () => nowMs }));
  const mix = requestMix();
  const statuses = new Map<number, number>();

  let invocation = 0;
  const invokeOnce = async (): Promise<void> => {
    const request = mix[invocation % mix.length];
    if (request === undefined) throw new Error('empty request mix');
    invocation += 1;
    nowMs += TICK_MS;
    const context = { awsRequestId: `bench-${invocation}`, getRemainingTimeInMillis: () => 5000 };
    const result = (await handler(request.event() as never, context as never)) as { statusCode?: number; code?: number };
    const status = result.statusCode ?? result.code ?? 0;
    if (status !== request.expected) throw new Error(`${request.name}: expected ${request.expected}, got ${status}`);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  };

  for (let i = 0; i < WARMUP; i++) await invokeOnce();
  const baseline = settledHeap(gc);
  const samples: string[] = [];
  const started = performance.now();
  for (let i = 1; i <= INVOCATIONS; i++) {
    await invokeOnce();
    if (i % SAMPLE_EVERY === 0) samples.push(`${i}: ${megabytes(settledHeap(gc))} MB`);
  }
  const elapsedMs = performance.now() - started;
  const after = settledHeap(gc);
  const growth = after - baseline;
  await standIn.close();

  const secretFetches = standIn.callCount('GetSecretValue');
  console.log(`memory bench: ${INVOCATIONS} invocations after ${WARMUP} warm-up, in ${(elapsedMs / 1000).toFixed(1)} s (${Math.round((INVOCATIONS / elapsedMs) * 1000)}/s)`);
  console.log(`  statuses: ${[...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(', ')}; GetSecretValue calls: ${secretFetches}`);
  console.log(`  heap after forced GC: warm-up ${megabytes(baseline)} MB, after run ${megabytes(after)} MB, growth ${megabytes(growth)} MB (bound ${megabytes(BOUND_BYTES)} MB)`);
  console.log(`  samples: ${samples.join(', ')}`);
  console.log(`  rss ${megabytes(process.memoryUsage().rss)} MB`);
  if (growth > BOUND_BYTES) {
    console.error(`memory bench FAILED: heap grew ${megabytes(growth)} MB, more than ${megabytes(BOUND_BYTES)} MB`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
