/**
 * The scheduled-rotation drill: the real handlers behind serverless-offline, the secret in the
 * Secrets Manager stand-in, rotated three times by the rotation function through the real protocol
 * (RotateSecret, then createSecret, setSecret, testSecret and finishSecret invoked as Secrets Manager
 * invokes them, one step retried in each rotation) while callers keep minting, each with a token the
 * service minted for it, and verifiers keep fetching the JWKS. The callers' tokens are minted, with
 * the right to mint passed on by name, from operator tokens made as `npm run token` makes them: signed
 * by the key that signs at that moment. The windows are seconds long: the
 * cache window 1 s, the publish delay 3 s, tokens live 4 s, so a retired key goes 5 s after it stops signing.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWK } from 'jose';
import type { StoredJwk } from '../../lib/keys/jwk';
import type { RotationStep } from '../../lib/rotation/protocol';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { signCallerToken } from '../../scripts/callerTokens';
import { keySetSecret, privateJwk } from '../helpers/keys';
import { freePort } from '../helpers/ports';
import { localStackOptions, runRotate } from '../helpers/rotateCli';
import { decodeJwt } from '../helpers/tokens';

const CACHE_SECONDS = 1;
const PUBLISH_DELAY_SECONDS = 3;
const TTL_SECONDS = 4;
/** Bounds on the loops: they stop by themselves whatever happens. */
const MAX_REQUESTS = 20_000;
const MAX_DRILL_MS = 45_000;
const PAUSE_MS = 10;

let stack: LocalStack;
let client: SecretsManagerClient;
let firstKey: JWK;

beforeAll(async () => {
  firstKey = await privateJwk('ES256', { kid: 'first' });
  stack = await startLocalStack({
    secretString: keySetSecret(firstKey),
    httpPort: await freePort(),
    lambdaPort: await freePort(),
    params: {
      secretCacheSeconds: String(CACHE_SECONDS),
      publishDelaySeconds: String(PUBLISH_DELAY_SECONDS),
      maxTtlSeconds: String(TTL_SECONDS),
      defaultTtlSeconds: String(TTL_SECONDS),
    },
  });
  client = new SecretsManagerClient({ endpoint: stack.standIn.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}, 90_000);

afterAll(async () => {
  client?.destroy();
  await stack?.stop();
});

/** A token the service minted, which its holder then uses as its caller token. */
interface Minted {
  readonly token: string;
  readonly kid: string;
  readonly exp: number;
  /** When the request that minted it started and ended, epoch ms. */
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** One mint request, and the caller token it was made with. */
interface Request {
  readonly caller: Minted;
  readonly startedAt: number;
  readonly status: number | 'network error';
  readonly minted: Minted | undefined;
}

/** One fetch of the JWKS. */
interface Snapshot {
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly status: number | 'network error';
  readonly jwks: JSONWebKeySet;
}

const baseUrl = () => `http://localhost:${stack.httpPort}`;
const sleepUntil = (epochMs: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));

function asMinted(token: string, startedAt: number, finishedAt: number): Minted {
  const { header, payload } = decodeJwt(token);
  return { token, kid: String(header.kid), exp: Number(payload.exp), startedAt, finishedAt };
}

async function mintWith(caller: Minted): Promise<Request> {
  const startedAt = Date.now();
  try {
    const response = await fetch(`${baseUrl()}/user/generateJwt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.token}`, 'content-type': 'application/json' },
      // The minted token may mint in turn: it carries the generateJwt scope and the default audience.
      body: JSON.stringify({ subject: 'drill', authorities: ['generateJwt'] }),
    });
    const envelope = (await response.json()) as { data: string | null };
    const minted = envelope.data ? asMinted(envelope.data, startedAt, Date.now()) : undefined;
    return { caller, startedAt, status: response.status, minted };
  } catch {
    return { caller, startedAt, status: 'network error', minted: undefined };
  }
}

async function fetchJwks(): Promise<Snapshot> {
  const startedAt = Date.now();
  try {
    const response = await fetch(`${baseUrl()}/.well-known/jwks.json`);
    return { startedAt, finishedAt: Date.now(), status: response.status, jwks: (await response.json()) as JSONWebKeySet };
  } catch {
    return { startedAt, finishedAt: Date.now(), status: 'network error', jwks: { keys: [] } };
  }
}

async function currentSecret(): Promise<string> {
  return String((await client.send(new GetSecretValueCommand({ SecretId: stack.secretId }))).SecretString);
}

async function currentKeys(): Promise<StoredJwk[]> {
  return (JSON.parse(await currentSecret()) as { keys: StoredJwk[] }).keys;
}

/** An operator's caller token, as `npm run token` makes it: signed by the key signing now, for TTL_SECONDS. */
async function operatorToken(): Promise<Minted> {
  const startedAt = Date.now();
  const token = await signCallerToken({ secretString: await currentSecret(), sub: 'operator', scopes: ['generateJwt'], audience: 'mfs', ttlSeconds: TTL_SECONDS });
  return asMinted(token, startedAt, Date.now());
}

/** One scheduled rotation, as Secrets Manager runs it, with `retried` invoked twice. */
async function rotate(retried: RotationStep): Promise<{ kid: string; signsFromMs: number; finishedAt: number }> {
  const result = await runRotate([...localStackOptions(stack), '--repeat', retried]);
  const finishedAt = Date.now();
  if (result.code !== 0) throw new Error(`npm run rotate -- --local --repeat ${retried} failed:\n${result.stdout}\n${result.stderr}`);
  expect(result.stdout).toMatch(new RegExp(`${retried}: (already created|nothing to set|tested|already current)`));
  const [added] = await currentKeys();
  return { kid: String(added?.kid), signsFromMs: Number(added?.nbf) * 1000, finishedAt };
}

test('three scheduled rotations under load: no request fails, every token verifies, no key leaves before its tokens', async () => {
  const requests: Request[] = [];
  const snapshots: Snapshot[] = [];
  const holders: Minted[] = [];
  const operatorTokens: Minted[] = [];
  let running = true;
  const drillEnds = Date.now() + MAX_DRILL_MS;
  const keepGoing = () => running && requests.length < MAX_REQUESTS && Date.now() < drillEnds;

  // New caller tokens keep coming: the service mints them from operator tokens, passing on the right to mint.
  const replenisher = async () => {
    while (keepGoing()) {
      const operator = await operatorToken();
      operatorTokens.push(operator);
      const request = await mintWith(operator);
      requests.push(request);
      if (request.minted) holders.push(request.minted);
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  };
  // Each caller holds on to its token until it is about to expire: it always uses the oldest one
  // that still has a third of a second to live, so tokens signed by retiring keys are used to the end.
  const caller = async () => {
    while (keepGoing()) {
      const usable = holders.filter((held) => held.exp * 1000 - Date.now() > 300);
      const oldest = usable.reduce<Minted | undefined>((best, held) => (best === undefined || held.exp < best.exp ? held : best), undefined);
      if (oldest === undefined) {
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
        continue;
      }
      requests.push(await mintWith(oldest));
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  };
  const verifier = async () => {
    while (keepGoing()) {
      snapshots.push(await fetchJwks());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  snapshots.push(await fetchJwks());
  const load = [replenisher(), caller(), caller(), caller(), verifier()];

  const rotations: Array<Awaited<ReturnType<typeof rotate>>> = [];
  try {
    await sleepUntil(Date.now() + 500);
    for (const retried of ['createSecret', 'testSecret', 'finishSecret'] as const) {
      const rotation = await rotate(retried);
      rotations.push(rotation);
      // The next rotation once this key signs everywhere: its nbf, plus one cache window.
      await sleepUntil(rotation.signsFromMs + CACHE_SECONDS * 1000 + 500);
    }
  } finally {
    running = false;
    await Promise.all(load);
  }

  // Not one request failed, mint or JWKS.
  expect(requests.length).toBeGreaterThan(100);
  expect(requests.filter((request) => request.status !== 200)).toEqual([]);
  expect(snapshots.filter((snapshot) => snapshot.status !== 200)).toEqual([]);

  // Every rotation added a key of the default algorithm, published before it signed.
  const kids = ['first', ...rotations.map((rotation) => rotation.kid)];
  expect(new Set(kids).size).toBe(4);
  const minted = requests.flatMap((request) => (request.minted ? [request.minted] : []));
  for (const rotation of rotations) {
    expect(minted.some((token) => token.kid === rotation.kid)).toBe(true);
    expect(decodeJwt(String(minted.find((token) => token.kid === rotation.kid)?.token)).header.alg).toBe('RS256');
  }

  // Every minted token verifies against the JWKS a verifier had fetched when it was minted, at the
  // second it was minted (its iat): a token minted from a caller with under a second left may
  // expire before its response arrives on a loaded machine.
  for (const token of minted) {
    const published = [...snapshots].reverse().find((snapshot) => snapshot.finishedAt <= token.startedAt) ?? snapshots[0]!;
    const mintedAt = new Date(Number(decodeJwt(token.token).payload.iat) * 1000);
    await expect(jwtVerify(token.token, createLocalJWKSet(published.jwks), { audience: 'mfs', currentDate: mintedAt })).resolves.toBeDefined();
  }

  // Caller tokens signed by each retired key kept working after it stopped signing, to their last moments.
  for (const [index, rotation] of rotations.entries()) {
    const retiredKid = kids[index];
    const usedLate = requests.filter(
      (request) => request.caller.kid === retiredKid && request.startedAt >= rotation.signsFromMs && request.caller.exp * 1000 - request.startedAt < 1000,
    );
    expect(usedLate.length).toBeGreaterThan(0);
  }

  // A key leaves the JWKS only once the last token it signed has expired; and the first key did leave.
  // (Containers load a new set up to a cache window apart, so a new key may be missing from one
  // snapshot after another showed it: what counts is the snapshot from which on it never returns.)
  const lastExpiry = (kid: string) =>
    Math.max(...[...operatorTokens, ...holders, ...minted].filter((token) => token.kid === kid).map((token) => token.exp * 1000));
  const lastSeen = (kid: string) => snapshots.findLastIndex((snapshot) => snapshot.jwks.keys.some((key) => key.kid === kid));
  const left = kids.filter((kid) => lastSeen(kid) !== -1 && lastSeen(kid) < snapshots.length - 1);
  // The third rotation drops the first key (retired at the first rotation's nbf, over 5 s before);
  // the second key too when the third rotation comes late enough. The last two always stay.
  expect(left).toContain('first');
  expect(kids.slice(2).filter((kid) => left.includes(kid))).toEqual([]);
  for (const kid of left) expect(snapshots[lastSeen(kid) + 1]!.startedAt).toBeGreaterThanOrEqual(lastExpiry(kid));
  expect((await currentKeys()).map((jwk) => jwk.kid)).not.toContain('first');
}, 90_000);
