/**
 * Runs in its own `node` process: one or more handler bundles, warm, next to two floors that do the
 * same token work with less around it, measured in interleaved rounds so that a noisy machine slows
 * all alike. Several bundles in one process is the closest comparison of build variants.
 */
import { createHmac, createSecretKey, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { auditRecord } from '../../lib/audit';
import { createLogger } from '../../lib/log';
import { percentile } from '../stats';
import { lambdaContext, mintEvent, type BundledHandler } from './requests';

/** What the parent passes as argv[2]. */
export interface WarmPathConfig {
  /** Handler bundles by name: each is a variant of its own, next to the floors `jose` and `nodeCrypto`. */
  readonly handlers: Readonly<Record<string, string>>;
  readonly callerToken: string;
  readonly secretString: string;
  /** Measured requests per variant, spread over `rounds`. */
  readonly requests: number;
  readonly rounds: number;
  /** Unmeasured requests per variant first, so that every variant runs optimised code. */
  readonly warmup: number;
}

/** Per variant: CPU per request in each round (the parent takes medians and per-round ratios), latency over every request. */
export type WarmPathReport = Record<
  string,
  { readonly roundCpuUs: number[]; readonly p50Us: number; readonly p99Us: number; readonly requests: number }
>;

const CALLER_AUDIENCE = 'mfs';
const CLOCK_TOLERANCE_SECONDS = 30;
const HEADER = { alg: 'HS256', typ: 'JWT' } as const;

/** The claims the service mints for the benchmark's request, stamped as it stamps them. */
function mintedClaims(caller: JWTPayload): JWTPayload {
  const iat = Math.floor(Date.now() / 1000);
  return { jti: randomUUID(), iss: caller.sub, sub: 'bench-subject', aud: CALLER_AUDIENCE, iat, exp: iat + 43_200, scope: caller.scope };
}

/** The floor with jose: verify and sign alone, with a CryptoKey imported once, as the service caches it. */
function joseFloor(callerToken: string, key: CryptoKey) {
  return async (): Promise<string> => {
    decodeProtectedHeader(callerToken);
    const { payload } = await jwtVerify(callerToken, key, {
      algorithms: ['HS256'],
      audience: CALLER_AUDIENCE,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'sub'],
    });
    return new SignJWT(mintedClaims(payload)).setProtectedHeader(HEADER).sign(key);
  };
}

/** The floor with node:crypto: the same checks and the same token, HMAC computed synchronously. */
function nodeCryptoFloor(callerToken: string, key: KeyObject) {
  const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
  const encodedHeader = base64url(JSON.stringify(HEADER));
  return async (): Promise<string> => {
    const [header, payload, signature] = callerToken.split('.');
    if (header === undefined || payload === undefined || signature === undefined) throw new Error('not a JWS');
    if ((JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string }).alg !== 'HS256') {
      throw new Error('alg');
    }
    const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
    const actual = Buffer.from(signature, 'base64url');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new Error('signature');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as JWTPayload;
    const nowSeconds = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds - CLOCK_TOLERANCE_SECONDS) throw new Error('exp');
    if (typeof claims.sub !== 'string') throw new Error('sub');
    if (![claims.aud].flat().includes(CALLER_AUDIENCE)) throw new Error('aud');
    const signingInput = `${encodedHeader}.${base64url(JSON.stringify(mintedClaims(claims)))}`;
    return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
  };
}

/**
 * One audit line as the handler writes it for the benchmark's request (the record, the line, the
 * write), at the level the run sets: nothing with logs off.
 */
function auditLineAlone() {
  const logger = createLogger(process.env);
  const facts = { callerSub: 'bench-caller', subject: 'bench-subject', aud: CALLER_AUDIENCE, scope: ['push'], exp: 1_900_000_000, jti: randomUUID(), act: { sub: 'bench-caller' } };
  return async (): Promise<void> => logger.info('issued', auditRecord('issued', facts));
}

/** The handler from the deployed bundle, fed a fresh API Gateway v2 event per request. */
function bundledHandler(handler: BundledHandler, callerToken: string) {
  let requestNumber = 0;
  return async (): Promise<unknown> => {
    const response = await handler(mintEvent(callerToken), lambdaContext(`warm-${++requestNumber}`));
    if (response.statusCode !== 200) throw new Error(`the handler answered ${response.statusCode}`);
    return response;
  };
}

const cpuUs = (usage = process.cpuUsage()): number => usage.user + usage.system;

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as WarmPathConfig;
  const load = (file: string) => (createRequire(__filename)(file) as { handler: BundledHandler }).handler;
  const secretBytes = new TextEncoder().encode(config.secretString);
  const cryptoKey = await crypto.subtle.importKey('raw', secretBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const floors = [
    { name: 'jose', run: joseFloor(config.callerToken, cryptoKey) },
    { name: 'nodeCrypto', run: nodeCryptoFloor(config.callerToken, createSecretKey(secretBytes)) },
  ];
  // Both floors must mint what the service mints: a token our own key verifies.
  for (const { run } of floors) await jwtVerify(await run(), cryptoKey, { algorithms: ['HS256'], audience: CALLER_AUDIENCE });
  const alone = [...floors, { name: 'auditLine', run: auditLineAlone() }];

  const perRound = Math.max(1, Math.floor(config.requests / config.rounds));
  const variants = [
    ...Object.entries(config.handlers).map(([name, file]) => ({ name, run: bundledHandler(load(file), config.callerToken) })),
    ...alone,
  ].map((variant) => ({ ...variant, latencies: new Float64Array(perRound * config.rounds), roundCpuUs: [] as number[] }));
  for (const { run } of variants) for (let i = 0; i < config.warmup; i++) await run();
  for (let round = 0; round < config.rounds; round++) {
    // Rotate the order, so that no variant always follows the one that leaves garbage behind.
    for (let k = 0; k < variants.length; k++) {
      const { run, latencies, roundCpuUs } = variants[(k + round) % variants.length] as (typeof variants)[number];
      const cpuBefore = cpuUs();
      for (let i = 0; i < perRound; i++) {
        const startedAt = performance.now();
        await run();
        latencies[round * perRound + i] = (performance.now() - startedAt) * 1000;
      }
      roundCpuUs.push((cpuUs() - cpuBefore) / perRound);
    }
  }
  const report: WarmPathReport = Object.fromEntries(
    variants.map(({ name, latencies, roundCpuUs }) => {
      const samples = Array.from(latencies);
      return [name, { roundCpuUs, p50Us: percentile(samples, 0.5), p99Us: percentile(samples, 0.99), requests: samples.length }];
    }),
  );
  writeSync(3, JSON.stringify(report));
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
