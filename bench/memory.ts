/**
 * Memory under load: 50,000 invocations of the real handler in one process, against the Secrets
 * Manager stand-in through the real SDK, with a mix of mints and refusals over all three event
 * shapes. The heap after a forced GC must grow by no more than 10 MB between the end of warm-up
 * and the end of the run; the process exits non-zero otherwise.
 *
 * Run: npm run bench:memory   (node --expose-gc, so the heap can be measured after a full GC)
 * Knobs: BENCH_INVOCATIONS (default 50000), BENCH_WARMUP (default 5000).
 */
import { startSecretsManagerStandIn } from '../scripts/secretsManagerStandIn';
import { v1Event, v2Event } from '../tests/helpers/events';
import { craftToken } from '../tests/helpers/tokens';
import { simulatedContainer } from './service';

const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? 50_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5_000);
const BOUND_BYTES = 10 * 1024 * 1024;
const SAMPLE_EVERY = 10_000;
const SECRET_ID = 'bench/jwt-mint/signing-secret';
const SECRET = 'bench-signing-secret-0123456789-abcdefghijklmnop';
const START_SECONDS = 1_750_000_000;
/** Fake time per invocation: the run spans several key-cache windows, so refreshes happen too. */
const TICK_MS = 25;

/** The request mix: what a busy minter sees, valid and not, in every shape. Each builds a fresh event. */
function requestMix(): Array<{ name: string; expected: number; event: () => unknown }> {
  const claims = { sub: 'bench-caller', aud: 'mfs', exp: START_SECONDS + 30 * 86_400, scope: ['generateJwt', 'push'] };
  const bearer = (overrides: object = {}, secret = SECRET) =>
    `Bearer ${craftToken('{"alg":"HS256","typ":"JWT"}', JSON.stringify({ ...claims, ...overrides }), { secret })}`;
  const [valid, expired, noScope] = [bearer(), bearer({ exp: START_SECONDS - 60 }), bearer({ scope: ['push'] })];
  const forged = bearer({}, 'not-the-secret-0123456789-abcdefghijklmnop');
  const http = (make: typeof v1Event | typeof v2Event, authorization: string | undefined, body: string) =>
    make({ headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) }, body });
  let serial = 0;
  const subject = () => JSON.stringify({ subject: `svc-${++serial}`, authorities: ['push'] });
  return [
    { name: 'mint v2', expected: 200, event: () => http(v2Event, valid, subject()) },
    { name: 'mint v1', expected: 200, event: () => http(v1Event, valid, subject()) },
    { name: 'mint direct', expected: 200, event: () => ({ authorization: valid, body: { subject: `svc-${++serial}` } }) },
    { name: 'mint v2 again', expected: 200, event: () => http(v2Event, valid, subject()) },
    { name: 'expired', expected: 401, event: () => http(v2Event, expired, subject()) },
    { name: 'forged', expected: 401, event: () => http(v1Event, forged, subject()) },
    { name: 'no scope', expected: 403, event: () => ({ authorization: noScope, body: { subject: 'svc' } }) },
    { name: 'escalation', expected: 403, event: () => http(v2Event, valid, '{"subject":"svc","authorities":["admin"]}') },
    { name: 'missing token', expected: 401, event: () => http(v2Event, undefined, subject()) },
    { name: 'malformed JSON', expected: 400, event: () => http(v1Event, valid, '{"subject":') },
  ];
}

const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:memory)');
  // Two passes: the first can leave objects whose finalisers free more on the second.
  const settledHeap = () => (gc(), gc(), process.memoryUsage().heapUsed);

  const standIn = await startSecretsManagerStandIn({ secrets: { [SECRET_ID]: SECRET } });
  // Logs are silenced, or writing them would dominate both the time and the heap.
  const { handler, advance } = await simulatedContainer(
    {
      LOG_LEVEL: 'SILENT',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      SIGNING_SECRET_ID: SECRET_ID,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn.endpoint,
    },
    START_SECONDS * 1000,
  );
  const mix = requestMix();
  const statuses = new Map<number, number>();

  let invocation = 0;
  const invokeOnce = async (): Promise<void> => {
    const request = mix[invocation++ % mix.length];
    if (request === undefined) throw new Error('empty request mix');
    advance(TICK_MS);
    const result = await handler(request.event(), { awsRequestId: `bench-${invocation}`, getRemainingTimeInMillis: () => 5000 });
    const status = result.statusCode ?? result.code ?? 0;
    if (status !== request.expected) throw new Error(`${request.name}: expected ${request.expected}, got ${status}`);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  };

  for (let i = 0; i < WARMUP; i++) await invokeOnce();
  const baseline = settledHeap();
  const samples: string[] = [];
  const started = performance.now();
  for (let i = 1; i <= INVOCATIONS; i++) {
    await invokeOnce();
    if (i % SAMPLE_EVERY === 0) samples.push(`${i}: ${megabytes(settledHeap())} MB`);
  }
  const elapsedMs = performance.now() - started;
  const after = settledHeap();
  const growth = after - baseline;
  await standIn.close();

  const statusCounts = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`);
  console.log(`memory bench: ${INVOCATIONS} invocations after ${WARMUP} warm-up, in ${(elapsedMs / 1000).toFixed(1)} s (${Math.round((INVOCATIONS / elapsedMs) * 1000)}/s)`);
  console.log(`  statuses: ${statusCounts.join(', ')}; GetSecretValue calls: ${standIn.callCount('GetSecretValue')}`);
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
