import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalStack } from '../scripts/localStack';
import { freePort } from '../tests/helpers/ports';
import { MINT_BODY } from './child/requests';
import type { Bench } from './processes';
import { ROOT } from './service';
import { percentile, round } from './stats';

/**
 * Starts the stack `npm start` runs (serverless-offline and the Secrets Manager stand-in) and drives
 * it with a closed loop of `concurrency` clients until `requests` have been answered. A developer's
 * figure: serverless-offline's worker threads and HTTP layer are nothing like Lambda's.
 * @throws Error when a request does not answer 200.
 */
export async function measureHttpStack(bench: Bench, requests: number, concurrency: number) {
  // Its own build folder, so that a running `npm start` or test keeps its own.
  const buildDir = `.esbuild-bench-${process.pid}`;
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const stack = await startLocalStack({ secretString: bench.secretString, httpPort, lambdaPort, env: { JWT_MINT_BUILD_DIR: buildDir } });
  const headers = { authorization: `Bearer ${bench.callerToken}`, 'content-type': 'application/json' };
  const post = async (): Promise<number> => {
    const startedAt = performance.now();
    const response = await fetch(stack.url, { method: 'POST', headers, body: MINT_BODY });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`the local stack answered ${response.status}`);
    return performance.now() - startedAt;
  };
  const clients = (client: () => Promise<unknown>) => Promise.all(Array.from({ length: concurrency }, client));
  try {
    // Warm every worker serverless-offline will start, then measure.
    for (let i = 0; i < 2; i++) await clients(post);
    const callsBefore = stack.standIn.callCount('GetSecretValue');
    const latencies: number[] = [];
    let remaining = requests;
    const startedAt = performance.now();
    await clients(async () => {
      while (remaining-- > 0) latencies.push(await post());
    });
    return {
      requests: latencies.length,
      concurrency,
      requestsPerSecond: round((latencies.length / (performance.now() - startedAt)) * 1000, 0),
      p50Ms: round(percentile(latencies, 0.5), 2),
      p99Ms: round(percentile(latencies, 0.99), 2),
      /** GetSecretValue calls during the measured requests: serverless-offline runs more than one worker. */
      secretsManagerCalls: stack.standIn.callCount('GetSecretValue') - callsBefore,
    };
  } finally {
    await stack.stop();
    rmSync(join(ROOT, buildDir), { recursive: true, force: true });
  }
}
