import { createHandler } from '../handlers/generateJwt';
import { createRuntime } from '../lib/runtime';
import { lambdaContext, mintEvent } from './child/requests';

export interface CacheWindowsResult {
  readonly windows: number;
  readonly requests: number;
  readonly cacheSeconds: number;
  readonly calls: number;
}

/**
 * Serves `requests` requests spread evenly over `windows` key-cache windows of one container, on a
 * simulated clock, with the real Secrets Manager client talking to the stand-in: the fetch count
 * should equal the window count whatever the request count. Runs in this process, from source.
 * @throws Error when a request does not answer 200.
 */
export async function measureCacheWindows(options: {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly callerToken: string;
  readonly requests: number;
  readonly windows: number;
  readonly secretsManagerCalls: () => number;
}): Promise<CacheWindowsResult> {
  let nowMs = Date.now();
  const runtime = createRuntime(options.env, { now: () => nowMs });
  const handler = createHandler(runtime);
  const cacheMs = runtime.config.secretCacheSeconds * 1000;
  const perWindow = Math.max(1, Math.floor(options.requests / options.windows));
  const callsBefore = options.secretsManagerCalls();
  let served = 0;
  for (let window = 0; window < options.windows; window++) {
    for (let i = 0; i < perWindow; i++) {
      const response = await handler(mintEvent(options.callerToken), lambdaContext(`window-${window}-${i}`) as never);
      if ((response as { statusCode?: number }).statusCode !== 200) throw new Error('a cache-window request failed');
      served++;
      // Spread this window's requests over all of it, ending just past its expiry.
      nowMs += cacheMs / perWindow + (i === perWindow - 1 ? 1 : 0);
    }
  }
  return {
    windows: options.windows,
    requests: served,
    cacheSeconds: runtime.config.secretCacheSeconds,
    calls: options.secretsManagerCalls() - callsBefore,
  };
}
