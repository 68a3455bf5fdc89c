import type { SustainedConfig, SustainedReport } from './child/sustained';
import { runNode, type ChildPrograms } from './processes';
import { round } from './stats';

export interface SustainedResult {
  readonly requests: number;
  readonly concurrentFirst: number;
  /** GetSecretValue calls the stand-in received by `checkpoint` requests, and by the end. */
  readonly secretsManager: { readonly checkpoint: number; readonly callsAtCheckpoint: number; readonly callsAtEnd: number };
  readonly maxRssMb: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  /** With the service's logs on, written to /dev/null. */
  readonly cpuUsPerRequest: number;
}

/**
 * One container's life: `requests` requests to the bundled handler, the first `concurrentFirst`
 * at once on a cold cache, counting the stand-in's GetSecretValue calls at `checkpoint` and at the end.
 * @throws Error when any request does not answer 200.
 */
export async function measureSustained(options: {
  readonly programs: ChildPrograms;
  readonly handlerFile: string;
  readonly callerToken: string;
  readonly env: NodeJS.ProcessEnv;
  readonly requests: number;
  readonly concurrentFirst: number;
  readonly checkpoint: number;
  readonly secretsManagerCalls: () => number;
}): Promise<SustainedResult> {
  const concurrentFirst = Math.min(options.concurrentFirst, options.requests);
  const checkpoint = Math.min(Math.max(options.checkpoint, concurrentFirst), options.requests);
  const config: SustainedConfig = {
    handlerFile: options.handlerFile,
    callerToken: options.callerToken,
    requests: options.requests,
    concurrentFirst,
    checkpoint,
  };
  const callsBefore = options.secretsManagerCalls();
  let callsAtCheckpoint = Number.NaN;
  const { report } = await runNode<SustainedReport>([options.programs.sustained, JSON.stringify(config)], {
    env: options.env,
    onMessage: (_message, child) => {
      callsAtCheckpoint = options.secretsManagerCalls() - callsBefore;
      child.send('continue');
    },
  });
  if (report.failures > 0) throw new Error(`${report.failures} of ${report.requests} sustained requests did not answer 200`);
  return {
    requests: report.requests,
    concurrentFirst,
    secretsManager: { checkpoint, callsAtCheckpoint, callsAtEnd: options.secretsManagerCalls() - callsBefore },
    maxRssMb: round(report.maxRssMb),
    rssMb: round(report.rssMb),
    heapUsedMb: round(report.heapUsedMb),
    cpuUsPerRequest: round(report.cpuUsPerRequest),
  };
}
