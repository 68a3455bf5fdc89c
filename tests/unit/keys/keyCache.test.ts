import { MintError } from '../../../lib/errors';
import { createKeyCache, type FetchedSecret, type KeyCacheEvent } from '../../../lib/keys/keyCache';

const CACHE_SECONDS = 300;
const STALE_SECONDS = 900;
const BACKOFF = { initialSeconds: 1, maxSeconds: 30 };
const CACHE_MS = CACHE_SECONDS * 1000;
const STALE_MS = STALE_SECONDS * 1000;
/** With the jitter at its top, the back-off after the first failed fetch: 1 s. */
const FIRST_BACKOFF_MS = 1000;
const T0 = 1_900_000_000_000;

/** What the fake importKeys returns: a marker of the secret it was made from. */
interface FakeKeys {
  readonly madeFrom: string;
}

/** A secret string that the fake importKeys refuses, as importSigningKeys refuses a short key. */
const UNUSABLE = 'unusable';

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (reason: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const secret = (secretString: string, versionId = 'v1'): FetchedSecret => ({ secretString, versionId });
const outage = () => new MintError('SECRET_UNAVAILABLE', 'scripted outage');

/**
 * A key cache over a fake clock and a scripted secret store. `answer` decides what the next fetch
 * returns; the fetch and import counts are jest mocks.
 */
function harness(overrides: { cacheSeconds?: number; staleSeconds?: number } = {}) {
  // The jitter at its top unless a test sets it: each back-off is the whole doubled delay.
  const state = { nowMs: T0, random: 1 - Number.EPSILON, answer: (): Promise<FetchedSecret> => Promise.resolve(secret('key-1')) };
  const events: KeyCacheEvent[] = [];
  const fetchSecret = jest.fn(() => state.answer());
  const importKeys = jest.fn(async (secretString: string): Promise<FakeKeys> => {
    if (secretString === UNUSABLE) throw new MintError('SIGNING_KEY_UNUSABLE', 'scripted unusable key');
    return { madeFrom: secretString };
  });
  const cache = createKeyCache<FakeKeys>({
    fetchSecret,
    importKeys,
    now: () => state.nowMs,
    cacheSeconds: overrides.cacheSeconds ?? CACHE_SECONDS,
    staleSeconds: overrides.staleSeconds ?? STALE_SECONDS,
    backoff: BACKOFF,
    random: () => state.random,
    onEvent: (event) => events.push(event),
  });
  return {
    cache,
    fetchSecret,
    importKeys,
    events,
    at(offsetMs: number) {
      state.nowMs = T0 + offsetMs;
    },
    answerWith(answer: () => Promise<FetchedSecret>) {
      state.answer = answer;
    },
    failWith(error: unknown) {
      state.answer = () => Promise.reject(error);
    },
    jitter(random: number) {
      state.random = random;
    },
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<MintError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('expected the key cache to refuse');
}

/** Lets every pending promise callback and timer of this turn run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('createKeyCache', () => {
  test('fetches and imports the secret on the first get, and reports the version loaded', async () => {
    // Prepare
    const h = harness();
    h.answerWith(() => Promise.resolve(secret('key-1', 'version-7')));

    // Act
    const keys = await h.cache.get();

    // Assess
    expect(keys).toEqual({ madeFrom: 'key-1' });
    expect(h.fetchSecret).toHaveBeenCalledTimes(1);
    expect(h.events).toEqual([{ type: 'loaded', versionId: 'version-7' }]);
  });

  test('serves a warm get from the cache without fetching', async () => {
    // Prepare
    const h = harness();
    const first = await h.cache.get();
    h.at(CACHE_MS - 1);

    // Act
    const second = await h.cache.get();

    // Assess
    expect(second).toBe(first);
    expect(h.fetchSecret).toHaveBeenCalledTimes(1);
  });

  test('fetches once per cache window', async () => {
    // Prepare
    const h = harness();

    // Act
    for (const offset of [0, 1, CACHE_MS - 1, CACHE_MS, CACHE_MS + 1, 2 * CACHE_MS - 1, 2 * CACHE_MS, 2 * CACHE_MS + 10]) {
      h.at(offset);
      await h.cache.get();
    }

    // Assess
    expect(h.fetchSecret).toHaveBeenCalledTimes(3);
  });

  test('re-imports only when the secret changed', async () => {
    // Prepare
    const h = harness();
    await h.cache.get();
    h.at(CACHE_MS);
    const unchanged = await h.cache.get();
    h.answerWith(() => Promise.resolve(secret('key-2', 'v2')));
    h.at(2 * CACHE_MS);

    // Act
    const changed = await h.cache.get();

    // Assess
    expect(unchanged).toEqual({ madeFrom: 'key-1' });
    expect(changed).toEqual({ madeFrom: 'key-2' });
    expect(h.fetchSecret).toHaveBeenCalledTimes(3);
    expect(h.importKeys).toHaveBeenCalledTimes(2);
  });

  test('shares one fetch between concurrent cold gets', async () => {
    // Prepare
    const h = harness();
    const pending = deferred<FetchedSecret>();
    h.answerWith(() => pending.promise);

    // Act
    const gets = Array.from({ length: 5 }, () => h.cache.get());
    pending.resolve(secret('key-1'));
    const results = await Promise.all(gets);

    // Assess
    expect(h.fetchSecret).toHaveBeenCalledTimes(1);
    expect(h.importKeys).toHaveBeenCalledTimes(1);
    expect(new Set(results).size).toBe(1);
  });

  test('shares one fetch between concurrent gets when the cache window ends', async () => {
    // Prepare
    const h = harness();
    await h.cache.get();
    const pending = deferred<FetchedSecret>();
    h.answerWith(() => pending.promise);
    h.at(CACHE_MS);

    // Act
    const gets = [h.cache.get(), h.cache.get(), h.cache.get()];
    pending.resolve(secret('key-2'));
    const results = await Promise.all(gets);

    // Assess
    expect(h.fetchSecret).toHaveBeenCalledTimes(2);
    expect(results).toEqual([{ madeFrom: 'key-2' }, { madeFrom: 'key-2' }, { madeFrom: 'key-2' }]);
  });

  test('shares one failed fetch between concurrent cold gets, and all of them see the failure', async () => {
    // Prepare
    const h = harness();
    const pending = deferred<FetchedSecret>();
    h.answerWith(() => pending.promise);

    // Act
    const gets = [h.cache.get(), h.cache.get()].map(rejectionOf);
    pending.reject(outage());
    const errors = await Promise.all(gets);

    // Assess
    expect(h.fetchSecret).toHaveBeenCalledTimes(1);
    expect(errors.map((error) => error.code)).toEqual(['SECRET_UNAVAILABLE', 'SECRET_UNAVAILABLE']);
  });

  test('keeps serving the last good keys while refreshes fail, and reports that it does', async () => {
    // Prepare
    const h = harness();
    const good = await h.cache.get();
    h.failWith(outage());
    h.at(CACHE_MS);

    // Act
    const stale = await h.cache.get();

    // Assess
    expect(stale).toBe(good);
    expect(h.events).toContainEqual({
      type: 'refresh_failed',
      servingStale: true,
      retryInSeconds: 1,
      error: expect.objectContaining({ code: 'SECRET_UNAVAILABLE' }),
    });
  });

  test('serves stale keys until cacheSeconds + staleSeconds, then throws SECRET_UNAVAILABLE', async () => {
    // Prepare
    const h = harness();
    const good = await h.cache.get();
    h.failWith(outage());

    // Act
    h.at(CACHE_MS + STALE_MS - 1);
    const lastStale = await h.cache.get();
    h.at(CACHE_MS + STALE_MS);
    const error = await rejectionOf(h.cache.get());

    // Assess
    expect(lastStale).toBe(good);
    expect(error.code).toBe('SECRET_UNAVAILABLE');
    expect(error.statusCode).toBe(503);
    // The refusal at the window's end comes from the back-off of the last failed refresh: no fetch.
    expect(h.fetchSecret).toHaveBeenCalledTimes(2);
  });

  test('honours its own cacheSeconds and staleSeconds', async () => {
    // Prepare
    const h = harness({ cacheSeconds: 10, staleSeconds: 20 });
    await h.cache.get();
    h.failWith(outage());

    // Act
    h.at(29_999);
    const stale = await h.cache.get();
    h.at(30_000);
    const error = await rejectionOf(h.cache.get());

    // Assess
    expect(stale).toEqual({ madeFrom: 'key-1' });
    expect(error.code).toBe('SECRET_UNAVAILABLE');
  });

  test('while serving stale keys, waits out the back-off between two refresh attempts', async () => {
    // Prepare
    const h = harness();
    await h.cache.get();
    h.failWith(outage());
    h.at(CACHE_MS);
    await h.cache.get();

    // Act
    for (const offset of [CACHE_MS + 1, CACHE_MS + 500, CACHE_MS + FIRST_BACKOFF_MS - 1]) {
      h.at(offset);
      await h.cache.get();
    }
    const duringBackoff = h.fetchSecret.mock.calls.length;
    h.at(CACHE_MS + FIRST_BACKOFF_MS);
    await h.cache.get();

    // Assess
    expect(duringBackoff).toBe(2);
    expect(h.fetchSecret).toHaveBeenCalledTimes(3);
  });

  test('starts a fresh cache window when a refresh succeeds after failures', async () => {
    // Prepare
    const h = harness();
    await h.cache.get();
    h.failWith(outage());
    h.at(CACHE_MS);
    await h.cache.get();
    h.answerWith(() => Promise.resolve(secret('key-1')));
    h.at(CACHE_MS + FIRST_BACKOFF_MS);
    await h.cache.get();

    // Act
    h.at(CACHE_MS + FIRST_BACKOFF_MS + CACHE_MS - 1);
    await h.cache.get();

    // Assess
    expect(h.fetchSecret).toHaveBeenCalledTimes(3);
  });

  test('wraps a fetch failure that is not a MintError as SECRET_UNAVAILABLE, keeping the cause', async () => {
    // Prepare
    const h = harness();
    const cause = new Error('connect ECONNREFUSED');
    h.failWith(cause);

    // Act
    const error = await rejectionOf(h.cache.get());

    // Assess
    expect(error.code).toBe('SECRET_UNAVAILABLE');
    expect(error.message).toBe('Fetching the signing secret failed.');
    expect(error.cause).toBe(cause);
  });

  test('fails closed when the secret becomes unusable, even with good keys cached', async () => {
    // Prepare
    const h = harness();
    await h.cache.get();
    h.answerWith(() => Promise.resolve(secret(UNUSABLE, 'v2')));
    h.at(CACHE_MS);

    // Act
    const first = await rejectionOf(h.cache.get());
    h.at(CACHE_MS + 1);
    const second = await rejectionOf(h.cache.get());

    // Assess
    expect(first.code).toBe('SIGNING_KEY_UNUSABLE');
    expect(second.code).toBe('SIGNING_KEY_UNUSABLE');
  });

  test('fails closed when the store reports the secret itself unusable (SIGNING_KEY_UNUSABLE), even with good keys cached', async () => {
    // Prepare: secretFetcher rejects this way when the secret has no SecretString (a binary secret).
    const h = harness();
    await h.cache.get();
    h.failWith(new MintError('SIGNING_KEY_UNUSABLE', 'Secret has no SecretString'));
    h.at(CACHE_MS);

    // Act
    const error = await rejectionOf(h.cache.get());

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
  });

  test('succeeds on the next get once a fetch fault clears', async () => {
    // Prepare
    const h = harness();
    h.failWith(outage());
    const failure = await rejectionOf(h.cache.get());
    h.answerWith(() => Promise.resolve(secret('key-1')));

    // Act
    h.at(FIRST_BACKOFF_MS);
    const keys = await h.cache.get();

    // Assess
    expect(failure.code).toBe('SECRET_UNAVAILABLE');
    expect(keys).toEqual({ madeFrom: 'key-1' });
  });

  test('succeeds on the next get once an unusable secret is replaced by a good one', async () => {
    // Prepare
    const h = harness();
    await h.cache.get();
    h.answerWith(() => Promise.resolve(secret(UNUSABLE)));
    h.at(CACHE_MS);
    await rejectionOf(h.cache.get());
    h.answerWith(() => Promise.resolve(secret('key-2')));

    // Act
    h.at(CACHE_MS + FIRST_BACKOFF_MS);
    const keys = await h.cache.get();

    // Assess
    expect(keys).toEqual({ madeFrom: 'key-2' });
  });

  test('answers at once, without fetching, until the back-off after a failed fetch has passed', async () => {
    // Prepare
    const h = harness();
    h.failWith(outage());
    await rejectionOf(h.cache.get());

    // Act
    const refusals: MintError[] = [];
    for (const offset of [0, 1, 500, FIRST_BACKOFF_MS - 1]) {
      h.at(offset);
      refusals.push(await rejectionOf(h.cache.get()));
    }
    const duringBackoff = h.fetchSecret.mock.calls.length;
    h.at(FIRST_BACKOFF_MS);
    await rejectionOf(h.cache.get());

    // Assess
    expect(refusals.map((error) => error.code)).toEqual(Array(4).fill('SECRET_UNAVAILABLE'));
    expect(duringBackoff).toBe(1);
    expect(h.fetchSecret).toHaveBeenCalledTimes(2);
  });

  test('says how long until the next fetch, in whole seconds, rounded up', async () => {
    // Prepare
    const h = harness();
    h.failWith(outage());
    await rejectionOf(h.cache.get());
    h.at(FIRST_BACKOFF_MS);
    await rejectionOf(h.cache.get());

    // Act: the second back-off is 2 s; 0.3 s of it has gone.
    h.at(FIRST_BACKOFF_MS + 300);
    const refusal = await rejectionOf(h.cache.get());

    // Assess
    expect(refusal).toMatchObject({ code: 'SECRET_UNAVAILABLE', statusCode: 503, retryAfterSeconds: 2 });
  });

  test('doubles the back-off after each failed fetch, up to maxSeconds', async () => {
    // Prepare
    const h = harness();
    h.failWith(outage());
    let at = 0;
    const gaps: number[] = [];

    // Act: fetch, then ask every 100 ms and note when each next fetch happens.
    await rejectionOf(h.cache.get());
    let last = 0;
    while (gaps.length < 7) {
      at += 100;
      h.at(at);
      const before = h.fetchSecret.mock.calls.length;
      await rejectionOf(h.cache.get());
      if (h.fetchSecret.mock.calls.length > before) {
        gaps.push(at - last);
        last = at;
      }
    }

    // Assess
    expect(gaps).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  test.each([
    { random: 0, firstBackoffMs: 500 },
    { random: 0.5, firstBackoffMs: 750 },
  ])('with the jitter at $random, waits $firstBackoffMs ms after a first failed fetch: half to all of the delay', async ({ random, firstBackoffMs }) => {
    // Prepare
    const h = harness();
    h.jitter(random);
    h.failWith(outage());
    await rejectionOf(h.cache.get());

    // Act
    h.at(firstBackoffMs - 1);
    await rejectionOf(h.cache.get());
    const before = h.fetchSecret.mock.calls.length;
    h.at(firstBackoffMs);
    await rejectionOf(h.cache.get());

    // Assess
    expect(before).toBe(1);
    expect(h.fetchSecret).toHaveBeenCalledTimes(2);
  });

  test('starts the back-off again from its first step after a success', async () => {
    // Prepare: two failures, so the next back-off would be 4 s.
    const h = harness({ cacheSeconds: 0 });
    h.failWith(outage());
    await rejectionOf(h.cache.get());
    h.at(1000);
    await rejectionOf(h.cache.get());
    h.at(3000);
    h.answerWith(() => Promise.resolve(secret('key-1')));
    await h.cache.get();
    h.failWith(outage());
    h.at(3001);
    await h.cache.get().catch(() => undefined);

    // Act
    h.at(3001 + FIRST_BACKOFF_MS);
    await h.cache.get().catch(() => undefined);

    // Assess
    expect(h.fetchSecret).toHaveBeenCalledTimes(5);
  });

  test('remembers an unusable secret: SIGNING_KEY_UNUSABLE at once, and no fetch until the back-off has passed', async () => {
    // Prepare
    const h = harness();
    h.answerWith(() => Promise.resolve(secret(UNUSABLE)));
    await rejectionOf(h.cache.get());

    // Act
    h.at(FIRST_BACKOFF_MS - 1);
    const remembered = await rejectionOf(h.cache.get());

    // Assess
    expect(remembered.code).toBe('SIGNING_KEY_UNUSABLE');
    expect(remembered.retryAfterSeconds).toBeUndefined();
    expect(h.fetchSecret).toHaveBeenCalledTimes(1);
  });

  test('makes at most one fetch per back-off step, whatever the mix of concurrent and sequential gets', async () => {
    // Prepare
    const h = harness();
    h.failWith(outage());

    // Act: 1,000 gets over 20 simulated seconds, in bursts of 10 at once.
    for (let burst = 0; burst < 100; burst += 1) {
      h.at(burst * 200);
      await Promise.all(Array.from({ length: 10 }, () => h.cache.get().catch(() => undefined)));
    }

    // Assess: fetches at 0, 1, 3, 7 and 15 s; the next would be at 31 s.
    expect(h.fetchSecret).toHaveBeenCalledTimes(5);
  });

  test('warm() starts the first fetch, and a get during it shares that fetch', async () => {
    // Prepare
    const h = harness();
    const pending = deferred<FetchedSecret>();
    h.answerWith(() => pending.promise);

    // Act
    h.cache.warm();
    const keys = h.cache.get();
    pending.resolve(secret('key-1'));

    // Assess
    await expect(keys).resolves.toEqual({ madeFrom: 'key-1' });
    expect(h.fetchSecret).toHaveBeenCalledTimes(1);
  });

  // Jest fails a test in which a promise rejection goes unhandled, so each of these fails if warm() leaks one.
  test.each([
    { name: 'the fetch rejects', arrange: (h: ReturnType<typeof harness>) => h.failWith(outage()) },
    { name: 'the fetch rejects with a plain Error', arrange: (h: ReturnType<typeof harness>) => h.failWith(new Error('boom')) },
    {
      name: 'fetchSecret throws synchronously',
      arrange: (h: ReturnType<typeof harness>) =>
        h.answerWith(() => {
          throw new Error('thrown before any promise');
        }),
    },
    { name: 'the secret is unusable', arrange: (h: ReturnType<typeof harness>) => h.answerWith(() => Promise.resolve(secret(UNUSABLE))) },
  ])('warm() never produces an unhandled rejection when $name', async ({ arrange }) => {
    // Prepare
    const h = harness();
    arrange(h);

    // Act
    const returned = h.cache.warm();
    await settle();

    // Assess
    expect(returned).toBeUndefined();
    expect(h.fetchSecret).toHaveBeenCalledTimes(1);
  });
});

describe('the back-off late in the stale window', () => {
  test('waits out the back-off between refresh attempts ten seconds before the stale window ends, as at its start', async () => {
    // Prepare
    const h = harness();
    await h.cache.get();
    h.failWith(outage());
    const lateFailure = CACHE_MS + STALE_MS - 10_000;
    h.at(lateFailure);
    await h.cache.get();

    // Act
    for (const offset of [lateFailure + 1, lateFailure + FIRST_BACKOFF_MS - 1]) {
      h.at(offset);
      await h.cache.get();
    }
    const duringWait = h.fetchSecret.mock.calls.length;
    h.answerWith(() => Promise.resolve(secret('key-2', 'v2')));
    h.at(lateFailure + FIRST_BACKOFF_MS);
    await h.cache.get();
    const afterWait = await h.cache.get();

    // Assess
    expect(duringWait).toBe(2);
    expect(h.fetchSecret).toHaveBeenCalledTimes(3);
    expect(afterWait).toEqual({ madeFrom: 'key-2' });
  });
});
