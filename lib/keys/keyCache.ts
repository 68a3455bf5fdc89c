import { MintError } from '../errors';

/** One version of the signing secret as the store returned it. */
export interface FetchedSecret {
  readonly secretString: string;
  readonly versionId: string | undefined;
}

/** What the cache reports to the log; never carries key material. */
export type KeyCacheEvent =
  | { readonly type: 'loaded'; readonly versionId: string | undefined }
  | { readonly type: 'refresh_failed'; readonly servingStale: boolean; readonly error: MintError };

export interface KeyCacheOptions<Keys> {
  /** Fetches the current secret; rejects with a MintError (SECRET_UNAVAILABLE) on any fault. */
  readonly fetchSecret: () => Promise<FetchedSecret>;
  /** Turns a secret into usable keys; rejects with a MintError (SIGNING_KEY_UNUSABLE). */
  readonly importKeys: (secretString: string) => Promise<Keys>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly cacheSeconds: number;
  readonly staleSeconds: number;
  /** While serving stale keys, the least time between two refresh attempts. */
  readonly retrySeconds: number;
  readonly onEvent?: (event: KeyCacheEvent) => void;
}

/** A per-container cache of the imported signing keys. */
export interface KeyCache<Keys> {
  /**
   * The current keys: cached for `cacheSeconds`, then refreshed; kept for `staleSeconds` more while
   * refreshes fail.
   * @throws MintError SECRET_UNAVAILABLE when no usable keys can be had, SIGNING_KEY_UNUSABLE when the
   * secret itself is bad.
   */
  get(): Promise<Keys>;
  /** Starts loading ahead of the first request; a failure is reported, never thrown. */
  warm(): void;
}

/**
 * Creates the key cache. Concurrent callers share one fetch, a failed refresh keeps the last good
 * keys within the stale window, and an unusable secret fails closed at once.
 */
export function createKeyCache<Keys>(options: KeyCacheOptions<Keys>): KeyCache<Keys> {
  const { fetchSecret, importKeys, now, onEvent } = options;
  const cacheMs = options.cacheSeconds * 1000;
  const staleMs = options.staleSeconds * 1000;
  const retryMs = options.retrySeconds * 1000;

  let current: { keys: Keys; secretString: string; fetchedAt: number } | undefined;
  let lastFailureAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<Keys> | undefined;

  async function refresh(): Promise<Keys> {
    const startedAt = now();
    let fetched: FetchedSecret;
    try {
      fetched = await fetchSecret();
    } catch (error) {
      lastFailureAt = now();
      const failure = asUnavailable(error);
      if (failure.code !== 'SECRET_UNAVAILABLE') {
        // The store answered, and what it holds cannot be a key: fail closed, as for a bad import.
        current = undefined;
        throw failure;
      }
      const servingStale = current !== undefined && startedAt < current.fetchedAt + cacheMs + staleMs;
      onEvent?.({ type: 'refresh_failed', servingStale, error: failure });
      if (servingStale && current) return current.keys;
      throw failure;
    }
    // Re-import only when the secret changed: importing is the costly part of a refresh.
    if (current && current.secretString === fetched.secretString) {
      current = { ...current, fetchedAt: startedAt };
      return current.keys;
    }
    try {
      const keys = await importKeys(fetched.secretString);
      current = { keys, secretString: fetched.secretString, fetchedAt: startedAt };
      onEvent?.({ type: 'loaded', versionId: fetched.versionId });
      return keys;
    } catch (error) {
      // Fail closed: an operator who replaced the secret meant the old keys to stop signing.
      current = undefined;
      lastFailureAt = now();
      throw error;
    }
  }

  function get(): Promise<Keys> {
    const at = now();
    if (current && at < current.fetchedAt + cacheMs) return Promise.resolve(current.keys);
    if (current && at < current.fetchedAt + cacheMs + staleMs && at < lastFailureAt + retryMs) {
      return Promise.resolve(current.keys);
    }
    inFlight ??= refresh().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    get,
    warm() {
      get().catch(() => undefined);
    },
  };
}

function asUnavailable(error: unknown): MintError {
  if (error instanceof MintError) return error;
  return new MintError('SECRET_UNAVAILABLE', 'Fetching the signing secret failed.', { cause: error });
}
