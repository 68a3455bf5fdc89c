/**
 * Runs in a fresh `node` process: loads the deployable bundle, serves its first request, and
 * writes its timings to fd 3. Kept free of imports beyond the event helpers, so that what it
 * loads besides the bundle is next to nothing.
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { lambdaContext, mintEvent, type BundledHandler } from './requests';

/** What the parent passes as argv[2]. */
export interface ColdStartConfig {
  readonly handlerFile: string;
  readonly callerToken: string;
}

/** What this process reports; times are milliseconds since the process started. */
export interface ColdStartReport {
  readonly runnerStartMs: number;
  readonly loadedMs: number;
  readonly respondedMs: number;
  readonly cpuLoadedMs: number;
  readonly cpuRespondedMs: number;
  readonly maxRssMb: number;
  readonly statusCode: number | undefined;
}

const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

const config = JSON.parse(process.argv[2] ?? '{}') as ColdStartConfig;
const runnerStartMs = performance.now();
const { handler } = createRequire(__filename)(config.handlerFile) as { handler: BundledHandler };
const loadedMs = performance.now();
const cpuLoadedMs = cpuMs();

handler(mintEvent(config.callerToken), lambdaContext('cold-start-1')).then(
  (response) => {
    const report: ColdStartReport = {
      runnerStartMs,
      loadedMs,
      respondedMs: performance.now(),
      cpuLoadedMs,
      cpuRespondedMs: cpuMs(),
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      statusCode: response.statusCode,
    };
    writeSync(3, JSON.stringify(report));
    // The SDK's keep-alive socket would hold the process open; Lambda would freeze it instead.
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
