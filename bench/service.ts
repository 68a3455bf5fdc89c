/**
 * Every path the bench takes into the service, relative to the project root: when lib/ or
 * handlers/ move, these lines are the ones to change. Nothing here loads them: the handler module
 * reads the environment when it is loaded, so it is loaded only by whoever asks for it, when asked.
 */
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');

export const SERVICE = {
  /** Exports `handler` and `createHandler(runtime)`; the entry point serverless packages. */
  handler: 'handlers/generateJwt.ts',
  /** Exports `createRuntime(env, overrides)`. */
  runtime: 'lib/runtime.ts',
  /** Exports `logger` (info, warn, error) and `requestIdInLogs`; bench/variants.ts substitutes it. */
  logger: 'lib/log.ts',
  /** Export `parseMintRequest` and `loadConfig`: the valibot schemas, loaded alone for their cost. */
  mintRequest: 'lib/mint/request.ts',
  config: 'lib/config.ts',
  /** Exports `secretValueFetcher(access, secretId)`: the function's Secrets Manager client, which variants swap. */
  secretClient: 'lib/secrets/getSecretValue.ts',
} as const;

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode?: number; code?: number }>;
type Runtime = { readonly config: { readonly secretCacheSeconds: number } };

/**
 * The service from source in this process, its runtime on a simulated clock from `startMs`, with
 * `env` set in this process's environment first (the handler module reads it when loaded).
 */
export async function simulatedContainer(env: NodeJS.ProcessEnv, startMs: number) {
  Object.assign(process.env, env);
  const { createHandler } = (await import(join(ROOT, SERVICE.handler))) as { createHandler: (runtime: Runtime) => Handler };
  const { createRuntime } = (await import(join(ROOT, SERVICE.runtime))) as {
    createRuntime: (env: NodeJS.ProcessEnv, overrides: { now: () => number }) => Runtime;
  };
  let nowMs = startMs;
  const runtime = createRuntime(env, { now: () => nowMs });
  return { handler: createHandler(runtime), cacheSeconds: runtime.config.secretCacheSeconds, advance: (ms: number) => (nowMs += ms) };
}
