/**
 * Runs in its own `node` process: the deployed bundle's handler, warm, next to two floors that do
 * the same token work with less around it, measured in interleaved rounds so that a noisy
 * machine slows all three alike.
 */
import { createHmac, createSecretKey, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { lambdaContext, mintEvent, type BundledHandler } from './requests';

/** What the parent passes as argv[2]. */
export interface WarmPathConfig {
  readonly handlerFile: string;
  readonly callerToken: string;
  readonly secretString: string;
  /** Measured requests per variant, spread over `rounds`. */
  readonly requests: number;
  readonly rounds: number;
  /** Unmeasured requests per variant first, so that every variant runs optimised code. */
  readonly warmup: number;
}

/** One variant's figures: CPU per request is the median over rounds; latencies pool every request. */
export interface VariantReport {
  readonly cpuUsPerRequest: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly requests: number;
}

export type VariantName = 'handler' | 'jose' | 'nodeCrypto';

export interface WarmPathReport {
  readonly variants: Record<VariantName, VariantReport>;
  /** Per-round CPU ratios, so the parent can take their median. */
  readonly roundRatios: { readonly handlerToJose: number[]; readonly joseToNodeCrypto: number[]; readonly handlerToNodeCrypto: number[] };
}

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

/** The handler from the deployed bundle, fed a fresh API Gateway v2 event per request. */
function bundledHandler(handler: BundledHandler, callerToken: string) {
  let requestNumber = 0;
  return async (): Promise<unknown> => {
    const response = await handler(mintEvent(callerToken), lambdaContext(`warm-${++requestNumber}`));
    if (response.statusCode !== 200) throw new Error(`the handler answered ${response.statusCode}`);
    return response;
  };
}

const cpuUs = (): number => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

function nearestRank(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

function medianOf(values: number[]): number {
  return nearestRank(Float64Array.from(values).sort(), 0.5);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as WarmPathConfig;
  const { handler } = createRequire(__filename)(config.handlerFile) as { handler: BundledHandler };
  const secretBytes = new TextEncoder().encode(config.secretString);
  const cryptoKey = await crypto.subtle.importKey('raw', secretBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const variants: Record<VariantName, () => Promise<unknown>> = {
    handler: bundledHandler(handler, config.callerToken),
    jose: joseFloor(config.callerToken, cryptoKey),
    nodeCrypto: nodeCryptoFloor(config.callerToken, createSecretKey(secretBytes)),
  };
  const names = Object.keys(variants) as VariantName[];

  // Both floors must mint what the service mints: a token our own key verifies.
  for (const floor of ['jose', 'nodeCrypto'] as const) {
    const token = (await variants[floor]()) as string;
    await jwtVerify(token, cryptoKey, { algorithms: ['HS256'], audience: CALLER_AUDIENCE });
  }
  for (const name of names) for (let i = 0; i < config.warmup; i++) await variants[name]();

  const perRound = Math.max(1, Math.floor(config.requests / config.rounds));
  const latencies = Object.fromEntries(names.map((name) => [name, new Float64Array(perRound * config.rounds)])) as Record<
    VariantName,
    Float64Array
  >;
  const roundCpu = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<VariantName, number[]>;
  for (let round = 0; round < config.rounds; round++) {
    // Rotate the order, so that no variant always follows the one that leaves garbage behind.
    const order = names.map((_, i) => names[(i + round) % names.length] as VariantName);
    for (const name of order) {
      const run = variants[name];
      const samples = latencies[name];
      const cpuBefore = cpuUs();
      for (let i = 0; i < perRound; i++) {
        const startedAt = performance.now();
        await run();
        samples[round * perRound + i] = (performance.now() - startedAt) * 1000;
      }
      roundCpu[name].push((cpuUs() - cpuBefore) / perRound);
    }
  }

  const report: WarmPathReport = {
    variants: Object.fromEntries(
      names.map((name) => {
        const sorted = latencies[name].sort();
        const variant: VariantReport = {
          cpuUsPerRequest: medianOf(roundCpu[name]),
          p50Us: nearestRank(sorted, 0.5),
          p99Us: nearestRank(sorted, 0.99),
          requests: sorted.length,
        };
        return [name, variant];
      }),
    ) as Record<VariantName, VariantReport>,
    roundRatios: {
      handlerToJose: roundCpu.handler.map((cpu, i) => cpu / (roundCpu.jose[i] as number)),
      joseToNodeCrypto: roundCpu.jose.map((cpu, i) => cpu / (roundCpu.nodeCrypto[i] as number)),
      handlerToNodeCrypto: roundCpu.handler.map((cpu, i) => cpu / (roundCpu.nodeCrypto[i] as number)),
    },
  };
  writeSync(3, JSON.stringify(report));
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
