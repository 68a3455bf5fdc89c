/**
 * `npm run bench`: packages the service as `serverless package` ships it, then measures the warm
 * path, the cold start, the artifact, Secrets Manager calls, memory and the local HTTP stack,
 * each next to its floor or baseline from the same run. Prints a table and writes results.json.
 *
 * Counts are flags, so a test can run it end to end in seconds: `npm run bench -- --help`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { signCallerToken } from '../scripts/callerTokens';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from '../scripts/secretsManagerStandIn';
import { packageService, unzip } from './artifact';
import type { CacheWindowsResult } from './cacheWindows';
import { measureColdStart } from './coldStart';
import { measureHttpStack } from './httpStack';
import { estimateMemorySizes } from './memorySizes';
import { buildChildPrograms } from './processes';
import { round } from './stats';
import { measureSustained } from './sustained';
import { renderTable, type BenchResults } from './table';
import { measureWarmPath } from './warmPath';

const USAGE = `Usage: npm run bench -- [options]

  --warm <n>         warm-path requests per variant (handler, jose, node:crypto)   (default 30000)
  --rounds <n>       interleaved rounds the warm-path requests are split into       (default 150)
  --cold <n>         cold-start processes, each next to one bare node process       (default 15)
  --memory <n>       requests in the sustained (memory) run                         (default 50000)
  --secrets <n>      requests after which Secrets Manager calls are counted         (default 10000)
  --windows <n>      simulated key-cache windows for the per-window call count      (default 3)
  --window-requests <n>  requests spread over those windows                         (default 3000)
  --http <n>         requests through the local HTTP stack; 0 skips it              (default 2000)
  --concurrency <n>  concurrent clients for the HTTP stack                          (default 8)
  --out <file>       where to write the results                                     (default bench/results.json)`;

/** The secret's name in the stand-in; the value is random for each run. */
const SECRET_ID = 'bench/jwt-mint/signing-secret';

/** Requests sent at once on a cold cache at the start of the sustained run. */
const CONCURRENT_FIRST = 25;

function countOption(values: Record<string, string | boolean | undefined>, name: string, min = 1): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number of at least ${min}`);
  return value;
}

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      warm: { type: 'string', default: '30000' },
      rounds: { type: 'string', default: '150' },
      cold: { type: 'string', default: '15' },
      memory: { type: 'string', default: '50000' },
      secrets: { type: 'string', default: '10000' },
      windows: { type: 'string', default: '3' },
      'window-requests': { type: 'string', default: '3000' },
      http: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '8' },
      out: { type: 'string', default: join(__dirname, 'results.json') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const counts = {
    warm: countOption(values, 'warm'),
    rounds: countOption(values, 'rounds'),
    cold: countOption(values, 'cold'),
    memory: countOption(values, 'memory'),
    secrets: countOption(values, 'secrets'),
    windows: countOption(values, 'windows'),
    windowRequests: countOption(values, 'window-requests'),
    http: countOption(values, 'http', 0),
    concurrency: countOption(values, 'concurrency'),
  };
  const outFile = resolve(values.out);
  const startedAt = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'jwt-mint-bench-'));
  let standIn: SecretsManagerStandIn | undefined;
  try {
    const secretString = randomBytes(48).toString('base64url');
    standIn = await startSecretsManagerStandIn({ secrets: { [SECRET_ID]: secretString } });
    const secretsManagerCalls = () => standIn?.callCount('GetSecretValue') ?? 0;
    const callerToken = await signCallerToken({
      secretString,
      sub: 'bench-caller',
      scopes: ['generateJwt'],
      audience: 'mfs',
      ttlSeconds: 3600,
    });
    // What a Lambda container is given, pointed at the stand-in; nothing inherited from this shell.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // Lambda sets it in every container; code may use it to tell Lambda from tests.
      AWS_LAMBDA_FUNCTION_NAME: 'jwt-mint-bench-generateJwt',
      SIGNING_SECRET_ID: SECRET_ID,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };

    progress('packaging with serverless package...');
    const artifact = await packageService(workDir);
    const bundleDir = join(workDir, 'bundle');
    const unzipped = unzip(artifact.zipFile, bundleDir);
    const handlerFile = join(bundleDir, 'handlers', 'generateJwt.js');
    const programs = await buildChildPrograms(join(workDir, 'programs'));

    progress(`warm path: ${counts.warm} requests per variant, logs off, then on...`);
    const warmOptions = { programs, handlerFile, callerToken, secretString, env, requests: counts.warm, rounds: counts.rounds };
    const warmPath = await measureWarmPath({ ...warmOptions, logs: false });
    const warmPathWithLogs = await measureWarmPath({ ...warmOptions, logs: true });

    progress(`sustained run: ${counts.memory} requests...`);
    const sustained = await measureSustained({
      programs,
      handlerFile,
      callerToken,
      env,
      requests: counts.memory,
      concurrentFirst: CONCURRENT_FIRST,
      checkpoint: counts.secrets,
      secretsManagerCalls,
    });

    progress(`cold start: ${counts.cold} processes, each next to bare node...`);
    const coldStart = await measureColdStart({
      programs,
      handlerFile,
      callerToken,
      env,
      processes: counts.cold,
      esbuildOptions: artifact.esbuildOptions,
      workDir,
      secretsManagerCalls,
    });

    progress(`key cache: ${counts.windowRequests} requests over ${counts.windows} simulated windows...`);
    const cacheWindows = await cacheWindowsInThisProcess(env, callerToken, counts, secretsManagerCalls);

    let httpStack: BenchResults['httpStack'] = null;
    if (counts.http > 0) {
      progress(`local HTTP stack: ${counts.http} requests, ${counts.concurrency} at a time...`);
      httpStack = await measureHttpStack({ secretString, callerToken, requests: counts.http, concurrency: counts.concurrency });
    }

    const results: BenchResults = {
      meta: {
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        startedAt: new Date(startedAt).toISOString(),
        durationSeconds: round((Date.now() - startedAt) / 1000),
        counts,
      },
      warmPath,
      warmPathWithLogs,
      coldStart,
      artifact: {
        zipBytes: artifact.zipBytes,
        zipKb: round(artifact.zipBytes / 1024),
        unzippedBytes: unzipped.bytes,
        files: unzipped.files,
        packageSeconds: round(artifact.packageMs / 1000),
        esbuild: artifact.esbuildOptions,
      },
      secretsManager: {
        requests: sustained.secretsManager.checkpoint,
        concurrentFirst: sustained.concurrentFirst,
        calls: sustained.secretsManager.callsAtCheckpoint,
        callsOverSustainedRun: sustained.secretsManager.callsAtEnd,
        sustainedRequests: sustained.requests,
        cacheWindows,
      },
      memory: {
        requests: sustained.requests,
        peakRssMb: sustained.maxRssMb,
        rssAtEndMb: sustained.rssMb,
        heapUsedAtEndMb: sustained.heapUsedMb,
        bareNodePeakRssMb: coldStart.bareNode.maxRssMb,
        cpuUsPerRequest: sustained.cpuUsPerRequest,
      },
      httpStack,
      memorySizes: estimateMemorySizes(warmPathWithLogs.variants.handler.cpuUsPerRequest, coldStart.bundle.cpuMs),
    };
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
    console.log(renderTable(results));
    progress(`wrote ${outFile} in ${results.meta.durationSeconds} s`);
  } finally {
    await standIn?.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * The per-window count runs from source in this process, on a simulated clock. Importing the
 * handler module prefetches the key for its own default runtime; that one call is let through
 * before counting starts.
 */
async function cacheWindowsInThisProcess(
  env: NodeJS.ProcessEnv,
  callerToken: string,
  counts: { windows: number; windowRequests: number },
  secretsManagerCalls: () => number,
): Promise<CacheWindowsResult> {
  Object.assign(process.env, env, { POWERTOOLS_LOG_LEVEL: 'SILENT' });
  const before = secretsManagerCalls();
  const { measureCacheWindows } = await import('./cacheWindows');
  const deadline = Date.now() + 10_000;
  while (secretsManagerCalls() === before && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
  return measureCacheWindows({ env, callerToken, requests: counts.windowRequests, windows: counts.windows, secretsManagerCalls });
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
