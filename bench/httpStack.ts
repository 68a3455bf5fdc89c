import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalStack } from '../scripts/localStack';
import { freePort } from '../tests/helpers/ports';
import { ROOT } from './artifact';
import { MINT_BODY } from './child/requests';
import { percentile, round } from './stats';

export interface HttpStackResult {
  readonly requests: number;
  readonly concurrency: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** GetSecretValue calls during the measured requests: serverless-offline runs more than one worker. */
  readonly secretsManagerCalls: number;
}

/**
 * Starts the stack `npm start` runs (serverless-offline and the Secrets Manager stand-in) and drives
 * it with a closed loop of `concurrency` clients until `requests` have been answered. A developer's
 * figure: serverless-offline's worker threads and HTTP layer are nothing like Lambda's.
 * @throws Error when a request does not answer 200.
 */
export async function measureHttpStack(options: {
  readonly secretString: string;
  readonly callerToken: string;
  readonly requests: number;
  readonly concurrency: number;
}): Promise<HttpStackResult> {
  // Its own build folder, so that a running `npm start` or test keeps its own.
  const buildDir = `.esbuild-bench-${process.pid}`;
  const stack = await startLocalStack({
    secretString: options.secretString,
    httpPort: await freePort(),
    lambdaPort: await freePort(),
    env: { JWT_MINT_BUILD_DIR: buildDir },
  });
  try {
    const post = async (): Promise<number> => {
      const startedAt = performance.now();
      const response = await fetch(stack.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.callerToken}`, 'content-type': 'application/json' },
        body: MINT_BODY,
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`the local stack answered ${response.status}`);
      return performance.now() - startedAt;
    };
    // Warm every worker serverless-offline will start, then measure.
    for (let i = 0; i < 2; i++) await Promise.all(Array.from({ length: options.concurrency }, post));
    const callsBefore = stack.standIn.callCount('GetSecretValue');
    const latencies: number[] = [];
    let remaining = options.requests;
    const startedAt = performance.now();
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (remaining-- > 0) latencies.push(await post());
      }),
    );
    const elapsedMs = performance.now() - startedAt;
    return {
      requests: latencies.length,
      concurrency: options.concurrency,
      requestsPerSecond: round((latencies.length / elapsedMs) * 1000, 0),
      p50Ms: round(percentile(latencies, 0.5), 2),
      p99Ms: round(percentile(latencies, 0.99), 2),
      secretsManagerCalls: stack.standIn.callCount('GetSecretValue') - callsBefore,
    };
  } finally {
    await stack.stop();
    rmSync(join(ROOT, buildDir), { recursive: true, force: true });
  }
}
