import { MintError } from '../errors';

/** One version of the signing secret as the store returned it. */
export interface FetchedSecret {
  readonly secretString: string;
  readonly versionId: string | undefined;
}

/** What the cache reports to the log; never carries key material. */
export type KeyCacheEvent =
  | { readonly type: 'loaded'; readonly versionId: string | undefined }
  | { readonly type: 'refresh_failed'; readonly servingStale: boolean; readonly retryInSeconds: number; readonly error: MintError };

/** How long to wait after consecutive failed fetches: doubling from `initialSeconds`, at most `maxSeconds`. */
interface Backoff {
  readonly initialSeconds: number;
  readonly maxSeconds: number;
}

export interface KeyCacheOptions<Keys> {
  /** Fetches the current secret; rejects with a MintError (SECRET_UNAVAILABLE) on any fault. */
  readonly fetchSecret: () => Promise<FetchedSecret>;
  /** Turns a secret into usable keys; rejects with a MintError (SIGNING_KEY_UNUSABLE). */
  readonly importKeys: (secretString: string) => Promise<Keys>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly cacheSeconds: number;
  readonly staleSeconds: number;
  readonly backoff: Backoff;
  /** A number in [0, 1) for the jitter; Math.random unless a test fixes it. */
  readonly random?: () => number;
  readonly onEvent?: (event: KeyCacheEvent) => void;
}

/** A per-container cache of the imported signing keys. */
export interface KeyCache<Keys> {
  /**
   * The current keys: cached for `cacheSeconds`, then refreshed; kept for `staleSeconds` more while
   * refreshes fail. After a failed fetch, no fetch is made until the back-off has passed.
   * @throws MintError SECRET_UNAVAILABLE (with `retryAfterSeconds`) when no usable keys can be had,
   * SIGNING_KEY_UNUSABLE when the secret itself is bad.
   */
  get(): Promise<Keys>;
  /** Starts loading ahead of the first request; a failure is reported, never thrown. */
  warm(): void;
}

/**
 * Creates the key cache. Concurrent callers share one fetch; a failed fetch or an unusable secret
 * is remembered, and until an exponential back-off with jitter has passed every get answers at
 * once (with the last good keys within the stale window, else with the failure), so an outage
 * costs Secrets Manager one fetch per back-off step whatever the request rate; an unusable
 * secret fails closed; a success resets the back-off.
 */
export function createKeyCache<Keys>(options: KeyCacheOptions<Keys>): KeyCache<Keys> {
  const { fetchSecret, importKeys, now, onEvent } = options;
  const random = options.random ?? Math.random;
  const cacheMs = options.cacheSeconds * 1000;
  const staleMs = options.staleSeconds * 1000;

  let current: { keys: Keys; secretString: string; fetchedAt: number } | undefined;
  let failure: { error: MintError; count: number; retryAt: number } | undefined;
  let inFlight: Promise<Keys> | undefined;

  /** Remembers a failure and when the next fetch may be made: half to all of the doubled delay. */
  function remember(error: MintError): void {
    const count = (failure?.count ?? 0) + 1;
    const delayMs = Math.min(options.backoff.maxSeconds, options.backoff.initialSeconds * 2 ** (count - 1)) * 1000;
    failure = { error, count, retryAt: now() + delayMs * (0.5 + random() / 2) };
  }

  /** The remembered failure as this caller should see it, with how long until the next fetch. */
  function refusal(at: number): MintError {
    const { error, retryAt } = failure as NonNullable<typeof failure>;
    if (error.code !== 'SECRET_UNAVAILABLE') return error;
    return new MintError(error.code, error.message, { cause: error.cause, retryAfterSeconds: Math.max(1, Math.ceil((retryAt - at) / 1000)) });
  }

  const isStaleUsable = (at: number): boolean => current !== undefined && at < current.fetchedAt + cacheMs + staleMs;

  async function refresh(): Promise<Keys> {
    const startedAt = now();
    let fetched: FetchedSecret;
    try {
      fetched = await fetchSecret();
    } catch (error) {
      const unavailable = asUnavailable(error);
      remember(unavailable);
      if (unavailable.code !== 'SECRET_UNAVAILABLE') {
        // The store answered, and what it holds cannot be a key: fail closed, as for a bad import.
        current = undefined;
        throw unavailable;
      }
      const servingStale = isStaleUsable(startedAt);
      const retryInSeconds = Math.ceil(((failure as NonNullable<typeof failure>).retryAt - now()) / 1000);
      onEvent?.({ type: 'refresh_failed', servingStale, retryInSeconds, error: unavailable });
      if (servingStale && current) return current.keys;
      throw refusal(now());
    }
    // Re-import only when the secret changed: importing is the costly part of a refresh.
    if (current && current.secretString === fetched.secretString) {
      current = { ...current, fetchedAt: startedAt };
      failure = undefined;
      return current.keys;
    }
    try {
      const keys = await importKeys(fetched.secretString);
      current = { keys, secretString: fetched.secretString, fetchedAt: startedAt };
      failure = undefined;
      onEvent?.({ type: 'loaded', versionId: fetched.versionId });
      return keys;
    } catch (error) {
      // Fail closed: an operator who replaced the secret meant the old keys to stop signing.
      current = undefined;
      remember(error instanceof MintError ? error : asUnavailable(error));
      throw error;
    }
  }

  function get(): Promise<Keys> {
    const at = now();
    if (current && at < current.fetchedAt + cacheMs) return Promise.resolve(current.keys);
    if (failure && at < failure.retryAt) {
      if (current && isStaleUsable(at)) return Promise.resolve(current.keys);
      return Promise.reject(refusal(at));
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
