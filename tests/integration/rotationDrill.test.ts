/**
 * The rotation drill: the real handler behind serverless-offline, the secret in the Secrets Manager
 * stand-in, rotated twice with `npm run keys -- rotate` while requests keep coming.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { StoredJwk } from '../../lib/keys/jwk';
import { LOCAL_SECRET_ID } from '../../scripts/localSecret';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { callerTokenSignedWith, keySetSecret, privateJwk, privateValues } from '../helpers/keys';
import { runKeys } from '../helpers/keysCli';
import { freePort } from '../helpers/ports';
import { decodeJwt } from '../helpers/tokens';

const CACHE_SECONDS = 2;
const WINDOWS = { SECRET_CACHE_SECONDS: String(CACHE_SECONDS), PUBLISH_DELAY_SECONDS: String(2 * CACHE_SECONDS), MAX_TTL_SECONDS: '3600', DEFAULT_TTL_SECONDS: '600' };
/** Bounds on the request loops: they stop by themselves whatever happens. */
const MAX_REQUESTS = 20_000;
const MAX_DRILL_MS = 40_000;
const PAUSE_MS = 5;

let stack: LocalStack;
let client: SecretsManagerClient;
let callerToken: string;
let firstKid: string;

beforeAll(async () => {
  const first = await privateJwk('ES256', { kid: 'drill-1' });
  firstKid = 'drill-1';
  stack = await startLocalStack({
    secretString: keySetSecret(first),
    httpPort: await freePort(),
    lambdaPort: await freePort(),
    params: { secretCacheSeconds: String(CACHE_SECONDS), maxTtlSeconds: '3600', defaultTtlSeconds: '600' },
  });
  client = new SecretsManagerClient({
    endpoint: stack.standIn.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  callerToken = await callerTokenSignedWith(first, { nowSeconds: Math.floor(Date.now() / 1000) });
}, 90_000);

afterAll(async () => {
  client?.destroy();
  await stack?.stop();
});

const baseUrl = () => `http://localhost:${stack.httpPort}`;

interface Minted {
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly status: number | 'network error';
  readonly token: string | undefined;
}

async function mintOnce(): Promise<Minted> {
  const startedAt = Date.now();
  try {
    const response = await fetch(`${baseUrl()}/user/generateJwt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${callerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'drill' }),
    });
    const envelope = (await response.json()) as { data: string | null };
    return { startedAt, finishedAt: Date.now(), status: response.status, token: envelope.data ?? undefined };
  } catch {
    return { startedAt, finishedAt: Date.now(), status: 'network error', token: undefined };
  }
}

async function fetchJwks(): Promise<{ status: number; jwks: JSONWebKeySet; cacheControl: string | null }> {
  const response = await fetch(`${baseUrl()}/.well-known/jwks.json`);
  return { status: response.status, jwks: (await response.json()) as JSONWebKeySet, cacheControl: response.headers.get('cache-control') };
}

/** Rotates the stand-in's secret with the operator's command; returns the new kid and when it signs (ms). */
async function rotate(): Promise<{ kid: string; signsFromMs: number; writtenAt: number }> {
  const result = await runKeys(['rotate'], { endpoint: stack.standIn.endpoint, env: { ...WINDOWS, SIGNING_SECRET_ID: LOCAL_SECRET_ID } });
  const writtenAt = Date.now();
  expect(result).toMatchObject({ code: 0 });
  const secret = await client.send(new GetSecretValueCommand({ SecretId: LOCAL_SECRET_ID }));
  const [added] = (JSON.parse(String(secret.SecretString)) as { keys: StoredJwk[] }).keys;
  return { kid: String(added?.kid), signsFromMs: Number(added?.nbf) * 1000, writtenAt };
}

/** When the JWKS first lists `kid`: the time its response arrived, polling every 100 ms. */
async function publishedAt(kid: string, deadline: number): Promise<number> {
  while (Date.now() < deadline) {
    const { status, jwks } = await fetchJwks();
    if (status === 200 && jwks.keys.some((key) => key.kid === kid)) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the JWKS never listed ${kid}`);
}

const sleepUntil = (epochMs: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));

test('two rotations under continuous load: no request fails, keys are published before they sign', async () => {
  const minted: Minted[] = [];
  let running = true;
  const drillEnds = Date.now() + MAX_DRILL_MS;
  const worker = async () => {
    while (running && minted.length < MAX_REQUESTS && Date.now() < drillEnds) {
      minted.push(await mintOnce());
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  };
  const workers = [worker(), worker(), worker()];

  let first: Awaited<ReturnType<typeof rotate>>;
  let second: Awaited<ReturnType<typeof rotate>>;
  let firstPublishedAt: number;
  let secondPublishedAt: number;
  try {
    await sleepUntil(Date.now() + 500);
    first = await rotate();
    firstPublishedAt = await publishedAt(first.kid, first.signsFromMs + 5000);
    await sleepUntil(first.signsFromMs + CACHE_SECONDS * 1000 + 300);

    second = await rotate();
    secondPublishedAt = await publishedAt(second.kid, second.signsFromMs + 5000);
    await sleepUntil(second.signsFromMs + CACHE_SECONDS * 1000 + 700);
  } finally {
    running = false;
    await Promise.all(workers);
  }
  const final = await fetchJwks();

  // Each new key is in the JWKS within one cache window of the write, and before it signs.
  expect(firstPublishedAt).toBeLessThan(first.signsFromMs);
  expect(secondPublishedAt).toBeLessThan(second.signsFromMs);
  expect(firstPublishedAt - first.writtenAt).toBeLessThanOrEqual(CACHE_SECONDS * 1000 + 1000);
  expect(secondPublishedAt - second.writtenAt).toBeLessThanOrEqual(CACHE_SECONDS * 1000 + 1000);
  expect(minted.length).toBeGreaterThan(50);
  expect(minted.filter((outcome) => outcome.status !== 200)).toEqual([]);

  expect(final.jwks.keys.map((key) => key.kid)).toEqual([second.kid, first.kid, firstKid]);
  expect(final.cacheControl).toBe(`public, max-age=${CACHE_SECONDS}`);

  // Every token, minted before, between and after the rotations, verifies against the published set.
  const verifier = createLocalJWKSet(final.jwks);
  for (const outcome of minted) {
    await expect(jwtVerify(String(outcome.token), verifier, { audience: 'mfs' })).resolves.toBeDefined();
  }

  const kidOf = (outcome: Minted) => decodeJwt(String(outcome.token)).header.kid;
  const between = (from: number, to: number) => minted.filter((outcome) => outcome.startedAt >= from && outcome.finishedAt < to);
  // No key signs before its nbf...
  expect(new Set(between(0, first.signsFromMs).map(kidOf))).toEqual(new Set([firstKid]));
  expect(new Set(between(first.signsFromMs, second.signsFromMs).map(kidOf))).not.toContain(second.kid);
  // ...and within one cache window of it, every new token carries the new kid.
  const afterFirst = between(first.signsFromMs + CACHE_SECONDS * 1000, second.signsFromMs);
  const afterSecond = between(second.signsFromMs + CACHE_SECONDS * 1000, Infinity);
  expect(afterFirst.length).toBeGreaterThan(0);
  expect(afterSecond.length).toBeGreaterThan(0);
  expect(new Set(afterFirst.map(kidOf))).toEqual(new Set([first.kid]));
  expect(new Set(afterSecond.map(kidOf))).toEqual(new Set([second.kid]));
}, 60_000);

test('a bad set is a 500 in the envelope and a log line naming it; the process picks up the fixed set after the back-off', async () => {
  const twin = await privateJwk('EdDSA', { kid: 'twin' });
  const otherTwin = await privateJwk('EdDSA', { kid: 'twin' });
  const good = await privateJwk('ES256', { kid: 'fixed' });
  const goodCaller = await callerTokenSignedWith(good, { nowSeconds: Math.floor(Date.now() / 1000) });
  const post = (token: string) =>
    fetch(`${baseUrl()}/user/generateJwt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'drill' }),
    });

  stack.standIn.putSecret(LOCAL_SECRET_ID, keySetSecret(twin, otherTwin));
  await sleepUntil(Date.now() + CACHE_SECONDS * 1000 + 500);
  const refused = await post(goodCaller);
  const refusedJwks = await fetchJwks();

  expect(refused.status).toBe(500);
  expect(await refused.json()).toEqual({
    code: 500,
    message: 'The signing key is not usable; the operator has been told in the log.',
    data: null,
    error: 'SIGNING_KEY_UNUSABLE',
  });
  expect(refusedJwks.status).toBe(500);
  expect(refusedJwks.cacheControl).toBe('no-store');
  const log = stack.output();
  expect(log).toContain('kid \\"twin\\" appears twice');
  for (const value of privateValues(twin, otherTwin)) expect(log).not.toContain(value);

  stack.standIn.putSecret(LOCAL_SECRET_ID, keySetSecret(good));
  // The refused set is remembered until the back-off after one failed load has passed: at most 1 s.
  await sleepUntil(Date.now() + 1_100);
  const recovered = await post(goodCaller);

  expect(recovered.status).toBe(200);
  expect(decodeJwt(String(((await recovered.json()) as { data: string }).data)).header.kid).toBe('fixed');
}, 30_000);
