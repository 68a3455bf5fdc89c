import { loadConfig, type Config } from './config';
import { randomUUID } from 'node:crypto';
import { createKeyCache, type FetchedSecret, type KeyCache } from './keys/keyCache';
import { logger } from './log';
import { loggableText } from './logText';
import { secretValueFetcher } from './secrets/getSecretValue';
import { storeAccessFrom } from './secrets/store';
import { importSigningKeys, type SigningKeys } from './keys/signingKeys';

/**
 * After a failed fetch, how long until the next: from about 1 s, doubling to about 30 s, half to
 * all of it at random so that containers do not retry in step.
 */
const SECRET_BACKOFF = Object.freeze({ initialSeconds: 1, maxSeconds: 30 });

/** The per-container state: configuration, the Secrets Manager client and the key cache. */
export interface Runtime {
  readonly config: Config;
  readonly keyCache: KeyCache<SigningKeys>;
  /** Milliseconds since the epoch; tests freeze it. */
  readonly now: () => number;
  readonly newJti: () => string;
}

/** What a test may replace: the clock, the secret's source, the jti generator, the back-off's jitter. */
export interface RuntimeOverrides {
  readonly now?: () => number;
  readonly fetchSecret?: () => Promise<FetchedSecret>;
  readonly newJti?: () => string;
  readonly random?: () => number;
}

/**
 * Builds the runtime from the environment, once per container.
 * @throws ConfigError naming the bad variable.
 */
export function createRuntime(
  env: Readonly<Record<string, string | undefined>>,
  overrides: RuntimeOverrides = {},
): Runtime {
  const config = loadConfig(env);
  const now = overrides.now ?? Date.now;
  const keyCache = createKeyCache({
    fetchSecret: overrides.fetchSecret ?? secretValueFetcher(storeAccessFrom(env), config.signingSecretId),
    // Checked against the clock at load: a key that may sign from now on must hold its private half.
    importKeys: (secretString) => importSigningKeys(secretString, new Date(now())),
    now,
    cacheSeconds: config.secretCacheSeconds,
    staleSeconds: config.secretStaleSeconds,
    backoff: SECRET_BACKOFF,
    ...(overrides.random === undefined ? {} : { random: overrides.random }),
    onEvent: (event) => {
      if (event.type === 'loaded') logger.info('signing keys loaded', { versionId: event.versionId });
      else {
        logger.warn('signing secret refresh failed', {
          servingStale: event.servingStale,
          retryInSeconds: event.retryInSeconds,
          code: event.error.code,
          detail: loggableText(event.error.message),
        });
      }
    },
  });
  return { config, keyCache, now, newJti: overrides.newJti ?? randomUUID };
}
