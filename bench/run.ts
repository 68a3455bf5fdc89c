/**
 * `npm run bench`: packages the service as `serverless package` ships it, then measures the warm
 * path, the cold start (on Node 22, Lambda's runtime, and on this machine's node), the artifact,
 * Secrets Manager calls, memory and the local HTTP stack, each next to its floor or baseline from
 * the same run. Prints a table and writes bench/results.json.
 *
 * `npm run bench -- --variants`: builds the handler once per entry of bench/variants.ts and
 * compares their cold starts and warm CPU side by side, in one table.
 *
 * Counts are flags, so a test can run either end to end in seconds: `npm run bench -- --help`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { signCallerToken } from '../scripts/callerTokens';
import { startSecretsManagerStandIn } from '../scripts/secretsManagerStandIn';
import { BUNDLED_HANDLER, buildVariant, builtHandler, packageService, shippedOptions, unzip } from './build';
import { profileColdStarts } from './coldProfile';
import { measureColdStarts, measureParts } from './coldStart';
import { measureHttpStack } from './httpStack';
import { estimateMemorySizes } from './memorySizes';
import { buildChildPrograms, node22, OWN_NODE, type Bench } from './processes';
import { round } from './stats';
import { measureCacheWindows, measureSustained } from './sustained';
import { renderTable, renderVariants } from './table';
import { VARIANTS } from './variants';
import { measureWarmPath } from './warmPath';

/** Every count: its default and what it counts. */
const COUNTS = {
  warm: [30000, 'warm-path requests per variant (each handler, jose, node:crypto)'],
  rounds: [150, 'interleaved rounds the warm-path requests are split into'],
  cold: [15, 'cold-start pairs (a bare node and the bundle) per node and build'],
  profiles: [10, 'profiled cold starts (and bare nodes) for where the CPU goes; 0 skips them'],
  memory: [50000, 'requests in the sustained (memory) run'],
  secrets: [10000, 'requests after which Secrets Manager calls are counted'],
  windows: [3, 'simulated key-cache windows for the per-window call count'],
  'window-requests': [3000, 'requests spread over those windows'],
  http: [2000, 'requests through the local HTTP stack; 0 skips it'],
  concurrency: [8, 'concurrent clients for the HTTP stack'],
} as const;
type Counts = Record<keyof typeof COUNTS, number>;

const USAGE = `Usage: npm run bench -- [--variants] [options]

  --variants             only compare the builds in bench/variants.ts (uses --cold, --warm, --rounds)
${Object.entries(COUNTS)
  .map(([name, [value, what]]) => `  --${`${name} <n>`.padEnd(21)}${what.padEnd(68)}(default ${value})`)
  .join('\n')}
  --out <file>           where to write the results (default bench/results.json; bench/results-variants.json with --variants)`;

const SECRET_ID = 'bench/jwt-mint/signing-secret';
/** Requests sent at once on a cold cache at the start of the sustained run. */
const CONCURRENT_FIRST = 25;
const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** What a Lambda container is given, pointed at the stand-in; nothing inherited from this shell. */
const lambdaEnv = (endpoint: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LANG: 'en_US.UTF-8',
  TZ: ':UTC',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  // Lambda sets it in every container; code may use it to tell Lambda from tests.
  AWS_LAMBDA_FUNCTION_NAME: 'jwt-mint-bench-generateJwt',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  // The function's own environment (serverless.yml).
  SIGNING_SECRET_ID: SECRET_ID,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
});

/** What both modes start from: the measurements' context, the packaged artifact and its handler. */
async function setUp(workDir: string, secretString: string, standIn: { endpoint: string; callCount(operation: string): number }) {
  const callerToken = await signCallerToken({ secretString, sub: 'bench-caller', scopes: ['generateJwt'], audience: 'mfs', ttlSeconds: 3600 });
  progress('packaging with serverless package; Node 22 from scripts/node22.sh...');
  const [artifact, programs, lambdaNode] = await Promise.all([packageService(workDir), buildChildPrograms(join(workDir, 'programs')), node22()]);
  const unzipped = unzip(artifact.zipFile, join(workDir, 'bundle'));
  const node22Missing = 'missing' in lambdaNode ? lambdaNode.missing : null;
  if (node22Missing) progress(`no Node 22, carrying on without it: ${node22Missing}`);
  // Node 22 first, the headline; this machine's node beside it, unless it is a Node 22 too.
  const nodes = 'missing' in lambdaNode ? [OWN_NODE] : [lambdaNode, ...(lambdaNode.label === OWN_NODE.label ? [] : [OWN_NODE])];
  const secretsManagerCalls = () => standIn.callCount('GetSecretValue');
  const bench: Bench = { programs, env: lambdaEnv(standIn.endpoint), callerToken, secretString, nodes, secretsManagerCalls, workDir };
  return { bench, artifact, unzipped, packaged: builtHandler('shipped', join(workDir, 'bundle', BUNDLED_HANDLER)), node22Missing };
}
type Setup = Awaited<ReturnType<typeof setUp>>;

const meta = ({ bench, node22Missing }: Setup, counts: Counts, startedAt: number) => ({
  node: process.version,
  coldStartNodes: bench.nodes.map((node) => `${node.label} (${node.version})`),
  node22Missing,
  platform: `${process.platform} ${process.arch}`,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  startedAt: new Date(startedAt).toISOString(),
  durationSeconds: round((Date.now() - startedAt) / 1000),
  counts,
  /** The names of the variables every measured child is given. */
  childEnv: Object.keys(bench.env).sort(),
});

/** The warm path of each handler next to the floors, logs off and then on. */
const warmPaths = async (bench: Bench, handlers: Record<string, string>, counts: Counts) => ({
  warmPath: await measureWarmPath(bench, handlers, counts.warm, counts.rounds, false),
  warmPathWithLogs: await measureWarmPath(bench, handlers, counts.warm, counts.rounds, true),
});

/** `npm run bench`: every figure of the table. */
async function measureService(setup: Setup, counts: Counts, startedAt: number) {
  const { bench, packaged, artifact, unzipped } = setup;
  progress(`warm path: ${counts.warm} requests per variant, logs off, then on...`);
  const { warmPath, warmPathWithLogs } = await warmPaths(bench, { handler: packaged.handlerFile }, counts);

  progress(`sustained run: ${counts.memory} requests...`);
  const [requests, concurrentFirst] = [counts.memory, Math.min(CONCURRENT_FIRST, counts.memory)];
  const checkpoint = Math.min(Math.max(counts.secrets, concurrentFirst), requests);
  const sustained = await measureSustained(bench, { handlerFile: packaged.handlerFile, callerToken: bench.callerToken, requests, concurrentFirst, checkpoint });

  progress(`cold start: ${counts.cold} pairs on ${bench.nodes.map((node) => node.label).join(' and ')}, then each dependency alone...`);
  const coldStart = await measureColdStarts(bench, [packaged], counts.cold);
  const [headline] = coldStart.nodes;
  const parts = await measureParts(bench, shippedOptions(artifact), counts.cold);
  if (counts.profiles > 0) progress(`cold start: ${counts.profiles} more under the CPU profiler, and as many bare nodes...`);
  const profile = counts.profiles > 0 ? await profileColdStarts(bench, shippedOptions(artifact), counts.profiles) : null;

  progress(`key cache: ${counts['window-requests']} requests over ${counts.windows} simulated windows...`);
  const cacheWindows = await measureCacheWindows(bench, counts['window-requests'], counts.windows);
  progress(counts.http > 0 ? `local HTTP stack: ${counts.http} requests, ${counts.concurrency} at a time...` : 'local HTTP stack skipped');
  const httpStack = counts.http > 0 ? await measureHttpStack(bench, counts.http, counts.concurrency) : null;
  return {
    meta: meta(setup, counts, startedAt),
    warmPath,
    warmPathWithLogs,
    coldStart: { ...coldStart, parts: { node: headline?.node.label, list: parts }, profile },
    artifact: {
      zipBytes: artifact.zipBytes, zipKb: round(artifact.zipBytes / 1024), unzippedBytes: unzipped.bytes, files: unzipped.files,
      packageSeconds: round(artifact.packageMs / 1000), esbuild: artifact.esbuildOptions,
    },
    secretsManager: {
      requests: checkpoint, concurrentFirst, calls: sustained.callsAtCheckpoint, callsOverSustainedRun: sustained.callsAtEnd,
      sustainedRequests: sustained.requests, cacheWindows,
    },
    memory: {
      node: OWN_NODE.label,
      requests: sustained.requests,
      peakRssMb: round(sustained.maxRssMb), rssAtEndMb: round(sustained.rssMb), heapUsedAtEndMb: round(sustained.heapUsedMb),
      bareNodePeakRssMb: (coldStart.nodes.find((entry) => entry.node === OWN_NODE) ?? headline)?.bareNode.maxRssMb ?? Number.NaN,
      /** Over the whole run, logs on, the first requests concurrent. */
      cpuUsPerRequest: round(sustained.cpuUsPerRequest),
    },
    httpStack,
    /** Each Lambda memory size, from the warm path with logs on and the cold start's CPU on the headline node. */
    memorySizes: estimateMemorySizes(warmPathWithLogs.variants.handler?.cpuUsPerRequest ?? Number.NaN, headline?.builds[0]?.cpuMs ?? Number.NaN),
  };
}
export type BenchResults = Awaited<ReturnType<typeof measureService>>;

/** `npm run bench -- --variants`: each variant's cold start on every node and its warm CPU, side by side. */
async function compareVariants(setup: Setup, counts: Counts, startedAt: number) {
  const names = VARIANTS.map((variant) => variant.name);
  if (new Set([...names, 'jose', 'nodeCrypto', 'auditLine']).size !== names.length + 3) throw new Error('variant names must be unique, and none of jose, nodeCrypto, auditLine');
  progress(`building ${names.length} variants: ${names.join(', ')}...`);
  const shipped = shippedOptions(setup.artifact);
  const builds = await Promise.all(VARIANTS.map((variant, i) => buildVariant(variant, shipped, join(setup.bench.workDir, `variant-${i}`))));
  const firstIsArtifact = readFileSync(builds[0]?.handlerFile ?? '').equals(readFileSync(setup.packaged.handlerFile));

  progress(`cold start: ${counts.cold} pairs per variant on ${setup.bench.nodes.map((node) => node.label).join(' and ')}...`);
  const coldStart = await measureColdStarts(setup.bench, builds, counts.cold);
  progress(`warm path: ${counts.warm} requests per variant, all in one process, logs off, then on...`);
  const warm = await warmPaths(setup.bench, Object.fromEntries(builds.map((built) => [built.name, built.handlerFile])), counts);
  const sizes = builds.map(({ name, bytes, deflatedBytes }) => ({ name, bytes, deflatedBytes }));
  return { meta: meta(setup, counts, startedAt), shippedEsbuild: shipped, firstIsArtifact, builds: sizes, coldStart, ...warm };
}
export type VariantResults = Awaited<ReturnType<typeof compareVariants>>;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(Object.entries(COUNTS).map(([name, [value]]) => [name, { type: 'string', default: String(value) } as const])),
      variants: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const counts = Object.fromEntries(
    Object.keys(COUNTS).map((name) => {
      const [value, min] = [Number((values as Record<string, unknown>)[name]), name === 'http' || name === 'profiles' ? 0 : 1];
      if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number of at least ${min}`);
      return [name, value];
    }),
  ) as Counts;
  const outFile = resolve(values.out ?? join(__dirname, values.variants ? 'results-variants.json' : 'results.json'));
  const [startedAt, workDir, secretString] = [Date.now(), mkdtempSync(join(tmpdir(), 'jwt-mint-bench-')), randomBytes(48).toString('base64url')];
  const standIn = await startSecretsManagerStandIn({ secrets: { [SECRET_ID]: secretString } });
  try {
    const setup = await setUp(workDir, secretString, standIn);
    const [results, table] = values.variants
      ? await compareVariants(setup, counts, startedAt).then((r) => [r, renderVariants(r)] as const)
      : await measureService(setup, counts, startedAt).then((r) => [r, renderTable(r)] as const);
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
    console.log(table);
    progress(`wrote ${outFile} in ${results.meta.durationSeconds} s`);
  } finally {
    await standIn.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
