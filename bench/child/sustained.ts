/**
 * Runs in its own `node` process: the deployed bundle's handler over many requests, logging at
 * its deployed level (to /dev/null), as one Lambda container would serve them. The first requests
 * arrive together while the key cache is still cold. At `checkpoint` requests it tells the parent,
 * which reads the Secrets Manager stand-in's call count; at the end it reports peak RSS.
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { lambdaContext, mintEvent, type BundledHandler } from './requests';

/** What the parent passes as argv[2]. */
export interface SustainedConfig {
  readonly handlerFile: string;
  readonly callerToken: string;
  readonly requests: number;
  /** Requests sent at once, before any other, while the key cache is cold. */
  readonly concurrentFirst: number;
  /** After this many requests the child messages the parent and waits for its answer. */
  readonly checkpoint: number;
}

export interface SustainedReport {
  readonly requests: number;
  readonly maxRssMb: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly cpuUsPerRequest: number;
  readonly failures: number;
}

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as SustainedConfig;
  const { handler } = createRequire(__filename)(config.handlerFile) as { handler: BundledHandler };
  let served = 0;
  let failures = 0;
  const serve = async () => {
    const response = await handler(mintEvent(config.callerToken), lambdaContext(`sustained-${++served}`));
    if (response.statusCode !== 200) failures++;
  };
  const checkpoint = async () => {
    const answered = new Promise<void>((resolve) => process.once('message', () => resolve()));
    process.send?.({ checkpoint: served });
    await answered;
  };

  const cpuBefore = process.cpuUsage();
  const first = Math.min(config.concurrentFirst, config.requests);
  await Promise.all(Array.from({ length: first }, serve));
  while (served < config.requests) {
    if (served === config.checkpoint) await checkpoint();
    await serve();
  }
  if (served === config.checkpoint) await checkpoint();
  const cpu = process.cpuUsage(cpuBefore);

  const memory = process.memoryUsage();
  const report: SustainedReport = {
    requests: served,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    rssMb: memory.rss / MB,
    heapUsedMb: memory.heapUsed / MB,
    cpuUsPerRequest: (cpu.user + cpu.system) / served,
    failures,
  };
  writeSync(3, JSON.stringify(report));
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
