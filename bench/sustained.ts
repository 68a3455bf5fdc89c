import type { ContainerConfig, ContainerReport } from './child/container';
import { lambdaContext, mintEvent } from './child/requests';
import { runNode, type Bench } from './processes';
import { simulatedContainer } from './service';

/**
 * One container's life, on this machine's node: `requests` requests to the bundled handler, the
 * first `concurrentFirst` at once on a cold cache, logs on (to /dev/null), counting the stand-in's
 * GetSecretValue calls at `checkpoint` and at the end.
 * @throws Error when any request does not answer 200.
 */
export async function measureSustained(bench: Bench, config: ContainerConfig) {
  const { secretsManagerCalls } = bench;
  const callsBefore = secretsManagerCalls();
  let callsAtCheckpoint = Number.NaN;
  const { report } = await runNode<ContainerReport>([bench.programs.container, JSON.stringify(config)], {
    env: bench.env,
    onMessage: (_message, child) => {
      callsAtCheckpoint = secretsManagerCalls() - callsBefore;
      child.send('continue');
    },
  });
  if (report.failures > 0) throw new Error(`${report.failures} of ${report.requests} sustained requests did not answer 200`);
  return { ...report, callsAtCheckpoint, callsAtEnd: secretsManagerCalls() - callsBefore };
}

/**
 * Serves `requests` requests spread evenly over `windows` key-cache windows of one container, on a
 * simulated clock, with the real Secrets Manager client talking to the stand-in: the fetch count
 * should equal the window count whatever the request count. Runs in this process, from source.
 * Loading the handler module prefetches the key for its own default runtime; that one call is let
 * through before counting starts.
 * @throws Error when a request does not answer 200.
 */
export async function measureCacheWindows(bench: Bench, requests: number, windows: number) {
  const { secretsManagerCalls } = bench;
  const prefetchBefore = secretsManagerCalls();
  const { handler, cacheSeconds, advance } = await simulatedContainer({ ...bench.env, LOG_LEVEL: 'SILENT' }, Date.now());
  const deadline = Date.now() + 10_000;
  while (secretsManagerCalls() === prefetchBefore && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));

  const perWindow = Math.max(1, Math.floor(requests / windows));
  const callsBefore = secretsManagerCalls();
  for (let window = 0; window < windows; window++) {
    for (let i = 0; i < perWindow; i++) {
      const response = await handler(mintEvent(bench.callerToken), lambdaContext(`window-${window}-${i}`));
      if (response.statusCode !== 200) throw new Error('a cache-window request failed');
      // Spread this window's requests over all of it, ending just past its expiry.
      advance((cacheSeconds * 1000) / perWindow + (i === perWindow - 1 ? 1 : 0));
    }
  }
  return { windows, requests: perWindow * windows, cacheSeconds, calls: secretsManagerCalls() - callsBefore };
}
