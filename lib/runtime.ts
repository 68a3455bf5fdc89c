import { loadConfig, type Config } from './config';
import { randomUUID } from 'node:crypto';
import { createKeyCache, type FetchedSecret, type KeyCache } from './keys/keyCache';
import { logger } from './log';
import { createSecretsManagerClient, secretFetcher } from './secrets/secretsManager';
import { importSigningKeys, type SigningKeys } from './keys/signingKeys';

/** While serving stale keys, how long to wait between two refresh attempts. */
export const STALE_RETRY_SECONDS = 5;

/** The per-container state: configuration, the Secrets Manager client and the key cache. */
export interface Runtime {
  readonly config: Config;
  readonly keyCache: KeyCache<SigningKeys>;
  /** Milliseconds since the epoch; tests freeze it. */
  readonly now: () => number;
  readonly newJti: () => string;
}

/** What a test may replace: the clock, the secret's source, the jti generator. */
export interface RuntimeOverrides {
  readonly now?: () => number;
  readonly fetchSecret?: () => Promise<FetchedSecret>;
  readonly newJti?: () => string;
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
    fetchSecret: overrides.fetchSecret ?? secretFetcher(createSecretsManagerClient(), config.signingSecretId),
    // Checked against the clock at load: a key that may sign from now on must hold its private half.
    importKeys: (secretString) => importSigningKeys(secretString, new Date(now())),
    now,
    cacheSeconds: config.secretCacheSeconds,
    staleSeconds: config.secretStaleSeconds,
    retrySeconds: STALE_RETRY_SECONDS,
    onEvent: (event) => {
      if (event.type === 'loaded') logger.info('signing keys loaded', { versionId: event.versionId });
      else {
        logger.warn('signing secret refresh failed', {
          servingStale: event.servingStale,
          code: event.error.code,
          detail: event.error.message,
        });
      }
    },
  });
  return { config, keyCache, now, newJti: overrides.newJti ?? randomUUID };
}
