/**
 * Runs in a fresh `node` process as one Lambda container: loads a handler bundle, serves `requests`
 * requests (the first `concurrentFirst` at once, on a cold key cache) and writes what it measured
 * to fd 3; with one request, it is a cold start. At `checkpoint` requests it tells the parent, which
 * reads the stand-in's call count, and waits for its answer. It imports only the event helpers, so
 * that it loads next to nothing besides the bundle.
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { lambdaContext, mintEvent, type BundledHandler } from './requests';

/** What the parent passes as argv[2]. */
export interface ContainerConfig {
  readonly handlerFile: string;
  readonly callerToken: string;
  readonly requests: number;
  readonly concurrentFirst: number;
  readonly checkpoint?: number;
}

const cpuMs = (usage = process.cpuUsage()) => (usage.user + usage.system) / 1000;
const config = JSON.parse(process.argv[2] ?? '{}') as ContainerConfig;
// Times are milliseconds since the process started.
const runnerStartMs = performance.now();
const { handler } = createRequire(__filename)(config.handlerFile) as { handler: BundledHandler };
const [loadedMs, cpuLoadedMs] = [performance.now(), cpuMs()];

async function serve() {
  let [served, failures] = [0, 0];
  const request = async () => {
    const response = await handler(mintEvent(config.callerToken), lambdaContext(`request-${++served}`));
    if (response.statusCode !== 200) failures++;
  };
  const checkpoint = async () => {
    if (served !== config.checkpoint) return;
    const answered = new Promise((resolve) => process.once('message', resolve));
    process.send?.({ served });
    await answered;
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrentFirst, config.requests) }, request));
  const [respondedMs, cpuRespondedMs] = [performance.now(), cpuMs()];
  while (served < config.requests) await checkpoint().then(request);
  await checkpoint();
  const { rss, heapUsed } = process.memoryUsage();
  const [maxRssMb, rssMb, heapUsedMb] = [process.resourceUsage().maxRSS / 1024, rss / 2 ** 20, heapUsed / 2 ** 20];
  const cpuUsPerRequest = ((cpuMs() - cpuLoadedMs) * 1000) / served;
  return { runnerStartMs, loadedMs, respondedMs, cpuLoadedMs, cpuRespondedMs, requests: served, failures, maxRssMb, rssMb, heapUsedMb, cpuUsPerRequest };
}
export type ContainerReport = Awaited<ReturnType<typeof serve>>;

serve().then(
  (report) => {
    writeSync(3, JSON.stringify(report));
    // The SDK's keep-alive socket would hold the process open; Lambda would freeze it instead.
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
