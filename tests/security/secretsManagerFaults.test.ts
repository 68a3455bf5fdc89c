import { createHandler } from '../../handlers/generateJwt';
import { createRuntime } from '../../lib/runtime';
import { FETCH_LIMITS } from '../../lib/secrets/store';
import {
  startSecretsManagerStandIn,
  type SecretsManagerStandIn,
  type StandInFault,
} from '../../scripts/secretsManagerStandIn';
import { invoke, type Outcome } from '../helpers/handler';
import { eventFor } from '../helpers/events';
import { expectMinted, expectRefused } from '../helpers/outcomes';
import { callerClaims, signedClaims, verifiedHs256Claims } from '../helpers/tokens';
import { NOW_MS, NOW_SECONDS } from '../helpers/defaults';

// Faults at Secrets Manager, injected through the local stand-in and met by the real SDK client
// with the service's own timeouts and attempts. The clock the key cache reads is ours to move, so
// cache and stale windows pass without waiting; the time a request takes is measured on the wall.
//
// Jest fails any test during which a promise rejection goes unhandled, and a call to process.exit
// is spied on: together they show the process neither crashes nor exits on any of these faults.

const SECRET_ID = 'jwt-mint/faults/signing-secret';
const SECRET = 'faults-signing-secret-0123456789-abcdefghijklmnop';
const CACHE_SECONDS = 300;
const STALE_SECONDS = 900;
/** With the jitter fixed at its top, each back-off is the whole doubled delay: 1, 2, 4, ... 30 s. */
const FIRST_BACKOFF_SECONDS = 1;
const MAX_BACKOFF_SECONDS = 30;

/** What "about 3 seconds" means here: the SDK's own bound plus scheduling slack on a busy machine. */
const REQUEST_BOUND_MS = 3_500;

let standIn: SecretsManagerStandIn;
let authorization: string;
let exitSpy: jest.SpyInstance;
const previousEnv = { ...process.env };

/** Wall time of every faulted request, by scenario, for the bound assertions. */
const latencies: Record<string, number> = {};

beforeAll(async () => {
  standIn = await startSecretsManagerStandIn({ secrets: { [SECRET_ID]: SECRET } });
  // Every runtime below builds its own SDK client, which reads the endpoint when it first sends.
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = standIn.endpoint;

  authorization = `Bearer ${signedClaims({ ...callerClaims(NOW_SECONDS), exp: NOW_SECONDS + 7 * 86_400 }, { secret: SECRET })}`;
  exitSpy = jest.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Error(`process.exit(${String(code)}) was called`);
  });
});

afterEach(async () => {
  await standIn.clearFault();
  standIn.putSecret(SECRET_ID, SECRET);
  standIn.resetCallCount();
});

afterAll(async () => {
  exitSpy.mockRestore();
  process.env = previousEnv;
  await standIn.close();
});

/**
 * A container: a fresh runtime with the real SDK client, its own clock, the back-off's jitter
 * fixed at its top, and the handler over it.
 */
function container(env: Record<string, string> = {}) {
  let nowMs = NOW_MS;
  const runtime = createRuntime({ ...process.env, SIGNING_SECRET_ID: SECRET_ID, ...env }, { now: () => nowMs, random: () => 1 - Number.EPSILON });
  const handler = createHandler(runtime);
  return {
    runtime,
    /** Moves the container's clock to `seconds` after NOW. */
    at(seconds: number) {
      nowMs = NOW_MS + seconds * 1000;
    },
    /** One request with this Authorization value (a valid caller by default), timed on the wall clock. */
    async mint(label?: string, withAuthorization = authorization): Promise<Outcome> {
      const started = performance.now();
      const outcome = await invoke(handler, eventFor('v2', { authorization: withAuthorization, body: { subject: 'svc-1' } }));
      const elapsed = performance.now() - started;
      if (label !== undefined) latencies[label] = Math.round(elapsed);
      expect(elapsed).toBeLessThan(REQUEST_BOUND_MS);
      return outcome;
    },
  };
}

const FAULTS: ReadonlyArray<{ readonly name: string; readonly fault: StandInFault }> = [
  { name: 'ResourceNotFoundException', fault: { kind: 'ResourceNotFoundException' } },
  { name: 'AccessDeniedException', fault: { kind: 'AccessDeniedException' } },
  { name: 'ThrottlingException', fault: { kind: 'ThrottlingException' } },
  { name: 'HTTP 500 (InternalServiceError)', fault: { kind: 'InternalServiceError' } },
  { name: 'connection refused', fault: { kind: 'ConnectionRefused' } },
  { name: 'a reply slower than the client timeout', fault: { kind: 'Slow', delayMs: 10_000 } },
];

const UNUSABLE: ReadonlyArray<{ readonly name: string; readonly store: () => void }> = [
  { name: 'a binary secret (no SecretString)', store: () => standIn.putSecretBinary(SECRET_ID, Buffer.from(SECRET)) },
  { name: 'an empty secret', store: () => standIn.putSecret(SECRET_ID, '') },
  { name: 'a key one byte too short (31 bytes)', store: () => standIn.putSecret(SECRET_ID, 'k'.repeat(31)) },
  { name: 'a key set that is not valid JSON', store: () => standIn.putSecret(SECRET_ID, `{"keys":[{"kty":"oct","k":"${Buffer.from(SECRET).toString('base64url')}"`) },
  { name: 'an empty key set', store: () => standIn.putSecret(SECRET_ID, '{"keys":[]}') },
];

const confidential = () => ({ callerToken: authorization.slice('Bearer '.length), secrets: [SECRET] });

describe('at cold start', () => {
  test.each(FAULTS)('$name: answers 503 within the bound, in at most the configured attempts, then mints once it clears', async ({ name, fault }) => {
    // Prepare: as at Lambda init, the runtime starts fetching before the first request arrives.
    await standIn.injectFault(fault);
    const cold = container();
    cold.runtime.keyCache.warm();

    // Act
    const outcome = await cold.mint(`cold ${name}`);
    const attempts = standIn.callCount('GetSecretValue');
    await standIn.clearFault();
    cold.at(FIRST_BACKOFF_SECONDS);
    const recovered = await cold.mint();

    // Assess
    expectRefused(outcome, 'v2', { status: 503, code: 'SECRET_UNAVAILABLE' }, confidential());
    expect(outcome.envelope.message).toBe('The signing key is temporarily unavailable; try again shortly.');
    expect(attempts).toBeLessThanOrEqual(FETCH_LIMITS.maxAttempts);
    verifiedHs256Claims(expectMinted(recovered, 'v2'), SECRET);
  });

  test.each(UNUSABLE)('$name: answers 500 SIGNING_KEY_UNUSABLE, then mints once a good key is stored', async ({ name, store }) => {
    // Prepare
    store();
    const cold = container();
    cold.runtime.keyCache.warm();

    // Act
    const outcome = await cold.mint(`cold ${name}`);
    standIn.putSecret(SECRET_ID, SECRET);
    cold.at(FIRST_BACKOFF_SECONDS);
    const recovered = await cold.mint();

    // Assess
    expectRefused(outcome, 'v2', { status: 500, code: 'SIGNING_KEY_UNUSABLE' }, confidential());
    expect(outcome.envelope.message).toBe('The signing key is not usable; the operator has been told in the log.');
    verifiedHs256Claims(expectMinted(recovered, 'v2'), SECRET);
  });

  test('a fault that lasts is answered at once with 503 and Retry-After: no request starts a fetch of its own', async () => {
    // Prepare
    await standIn.injectFault({ kind: 'ThrottlingException' });
    const cold = container();

    // Act
    const outcomes = [];
    for (let request = 0; request < 5; request++) outcomes.push(await cold.mint());

    // Assess
    for (const outcome of outcomes) expectRefused(outcome, 'v2', { status: 503, code: 'SECRET_UNAVAILABLE' }, confidential());
    expect(outcomes.slice(1).map((outcome) => outcome.headers['Retry-After'])).toEqual(['1', '1', '1', '1']);
    expect(standIn.callCount('GetSecretValue')).toBeLessThanOrEqual(FETCH_LIMITS.maxAttempts);
  });
});

describe('on a warm container', () => {
  /** A container that loaded its key at NOW, as if it had served for a while. */
  async function warmContainer(env: Record<string, string> = {}) {
    const warm = container(env);
    verifiedHs256Claims(expectMinted(await warm.mint(), 'v2'), SECRET);
    standIn.resetCallCount();
    return warm;
  }

  test.each(FAULTS)(
    '$name: mints from cache, then with the last good key for SECRET_STALE_SECONDS, then answers 503, then recovers',
    async ({ name, fault }) => {
      // Prepare
      const warm = await warmContainer();
      await standIn.injectFault(fault);

      // Act and assess: inside the cache window nothing is fetched.
      warm.at(CACHE_SECONDS - 1);
      verifiedHs256Claims(expectMinted(await warm.mint(), 'v2'), SECRET);
      expect(standIn.callCount('GetSecretValue')).toBe(0);

      // The cache window ends: the refresh fails, the last good key keeps minting.
      warm.at(CACHE_SECONDS + 1);
      verifiedHs256Claims(expectMinted(await warm.mint(`warm ${name} (stale)`), 'v2'), SECRET);
      // Within the back-off the failed refresh is not repeated.
      warm.at(CACHE_SECONDS + 1 + FIRST_BACKOFF_SECONDS - 0.001);
      verifiedHs256Claims(expectMinted(await warm.mint(), 'v2'), SECRET);
      const attemptsSoFar = standIn.callCount('GetSecretValue');
      expect(attemptsSoFar).toBeLessThanOrEqual(FETCH_LIMITS.maxAttempts);

      // The last second of the stale window still mints.
      warm.at(CACHE_SECONDS + STALE_SECONDS - 1);
      verifiedHs256Claims(expectMinted(await warm.mint(), 'v2'), SECRET);

      // Then 503.
      warm.at(CACHE_SECONDS + STALE_SECONDS);
      expectRefused(await warm.mint(`warm ${name} (expired)`), 'v2', { status: 503, code: 'SECRET_UNAVAILABLE' }, confidential());

      // Once the fault clears, the first request after the back-off mints again, with no redeploy.
      await standIn.clearFault();
      warm.at(CACHE_SECONDS + STALE_SECONDS + MAX_BACKOFF_SECONDS);
      verifiedHs256Claims(expectMinted(await warm.mint(), 'v2'), SECRET);
    },
  );

  test.each(UNUSABLE)('$name stored while warm: fails closed with 500 at the next refresh, not with stale keys', async ({ name, store }) => {
    // Prepare
    const warm = await warmContainer();
    store();

    // Act
    warm.at(CACHE_SECONDS - 1);
    const cached = await warm.mint();
    warm.at(CACHE_SECONDS + 1);
    const refreshed = await warm.mint(`warm ${name}`);
    standIn.putSecret(SECRET_ID, SECRET);
    warm.at(CACHE_SECONDS + 2);
    const fixed = await warm.mint();

    // Assess: an operator who replaced the secret meant the old key to stop signing.
    verifiedHs256Claims(expectMinted(cached, 'v2'), SECRET);
    expectRefused(refreshed, 'v2', { status: 500, code: 'SIGNING_KEY_UNUSABLE' }, confidential());
    verifiedHs256Claims(expectMinted(fixed, 'v2'), SECRET);
  });

  test.each([
    { stale: '60', mintsAt: 60 - 1, refusesAt: 60 },
    { stale: '0', mintsAt: undefined, refusesAt: 0 },
  ])('SECRET_STALE_SECONDS=$stale bounds the stale window', async ({ stale, mintsAt, refusesAt }) => {
    // Prepare
    const warm = await warmContainer({ SECRET_STALE_SECONDS: stale });
    await standIn.injectFault({ kind: 'AccessDeniedException' });

    // Act and assess
    if (mintsAt !== undefined) {
      warm.at(CACHE_SECONDS + mintsAt);
      verifiedHs256Claims(expectMinted(await warm.mint(), 'v2'), SECRET);
    }
    warm.at(CACHE_SECONDS + refusesAt);
    expectRefused(await warm.mint(), 'v2', { status: 503, code: 'SECRET_UNAVAILABLE' }, confidential());
  });

  test('a rotated secret is picked up at the next refresh, and the old key stops verifying callers', async () => {
    // Prepare
    const warm = await warmContainer();
    const rotated = 'rotated-signing-secret-0123456789-abcdefghijklmnop';
    standIn.putSecret(SECRET_ID, rotated);

    // Act
    warm.at(CACHE_SECONDS + 1);
    const withOldCaller = await warm.mint();

    // Assess
    expectRefused(withOldCaller, 'v2', { status: 401, code: 'INVALID_TOKEN' }, { ...confidential(), secrets: [SECRET, rotated] });
  });
});

describe('during an outage, Secrets Manager hears at most one fetch per back-off step', () => {
  // Finding 2 (medium) of the adversarial review: with no usable key cached, every request started a
  // fetch of up to two attempts before any check of its token: 30 unauthenticated requests against
  // a store answering 500 made 60 GetSecretValue calls in about a second.

  /** When fetches may happen over `seconds` of steady requests: 0, 1, 3, 7, 15, 31 ... (back-offs 1, 2, 4, 8, 16, 30). */
  function fetchSteps(seconds: number): number {
    let steps = 0;
    for (let at = 0, backoff = FIRST_BACKOFF_SECONDS; at <= seconds; at += backoff, backoff = Math.min(backoff * 2, MAX_BACKOFF_SECONDS)) steps++;
    return steps;
  }

  /** 1,000 requests over 20 simulated seconds, in bursts of 10 at once, 200 ms apart. */
  async function outage(cold: ReturnType<typeof container>, withAuthorization = authorization): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (let burst = 0; burst < 100; burst++) {
      cold.at(burst * 0.2);
      outcomes.push(...(await Promise.all(Array.from({ length: 10 }, () => cold.mint(undefined, withAuthorization)))));
    }
    return outcomes;
  }

  test.each(FAULTS)('$name: 1,000 requests over 20 s, each answered 503, make one fetch per back-off step', async ({ fault }) => {
    // Prepare
    await standIn.injectFault(fault);

    // Act
    const outcomes = await outage(container());

    // Assess
    for (const outcome of outcomes) expect(outcome.status).toBe(503);
    expect(standIn.callCount('GetSecretValue')).toBeLessThanOrEqual(fetchSteps(20) * FETCH_LIMITS.maxAttempts);
  });

  test.each(UNUSABLE)('$name: 1,000 requests over 20 s, each answered 500, make one fetch per back-off step', async ({ store }) => {
    // Prepare
    store();

    // Act
    const outcomes = await outage(container());

    // Assess
    for (const outcome of outcomes) expect(outcome.status).toBe(500);
    expect(standIn.callCount('GetSecretValue')).toBe(fetchSteps(20));
  });

  test.each([
    { why: 'is not a compact JWS', value: 'Bearer x' },
    { why: 'has a header that does not parse', value: `Bearer ${Buffer.from('{').toString('base64url')}.e30.c2ln` },
    { why: 'names an algorithm we never accept', value: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.e30.c2ln` },
  ])('a bearer value that $why is refused with 401 before any fetch, even with no key cached', async ({ value }) => {
    // Prepare
    await standIn.injectFault({ kind: 'InternalServiceError' });

    // Act
    const outcomes = await outage(container(), value);

    // Assess
    for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 401, envelope: { error: 'INVALID_TOKEN' } });
    expect(standIn.callCount('GetSecretValue')).toBe(0);
  });
});

test('no request above waited past the bound, and process.exit was never called', () => {
  // Assess
  expect(Object.keys(latencies).length).toBe(FAULTS.length * 3 + UNUSABLE.length * 2);
  for (const elapsed of Object.values(latencies)) expect(elapsed).toBeLessThan(REQUEST_BOUND_MS);
  expect(exitSpy).not.toHaveBeenCalled();
});
