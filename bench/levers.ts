/**
 * `npm run bench:levers`: the shipped build next to builds that each undo one choice (a build
 * option in serverless.yml, or one line of code), all measured side by side in one run: cold start
 * next to bare node, bundle size, and warm CPU next to jose alone. It is how each choice was made,
 * and how to check that it still holds: `npm run bench:levers -- --help`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { signCallerToken } from '../scripts/callerTokens';
import { startSecretsManagerStandIn } from '../scripts/secretsManagerStandIn';
import { packageService, ROOT, unzip } from './artifact';
import type { ColdStartConfig, ColdStartReport } from './child/coldStart';
import type { WarmPathConfig, WarmPathReport } from './child/warmPath';
import { buildChildPrograms, runNode } from './processes';
import { median, round } from './stats';

const USAGE = `Usage: npm run bench:levers -- [--cold <n>] [--warm <n>] [--logs] [--only 0,2]

  --cold <n>   cold-start processes per build, alternating with bare node   (default 20)
  --warm <n>   warm requests per build and per floor                         (default 5000)
  --logs       warm path with the service logging at INFO (to /dev/null), as deployed
  --only       indexes of the levers to run (0 is always the shipped build)`;

/** A text replacement in one source file; a lever whose text is gone no longer applies. */
interface Edit {
  readonly file: string;
  readonly from: string;
  readonly to: string;
}

/** One choice undone. */
interface Lever {
  readonly name: string;
  /** esbuild options laid over the shipped ones; `undefined` removes an option. */
  readonly esbuild?: Record<string, unknown>;
  readonly edits?: readonly Edit[];
  /** Leave the SDK out of the bundle and load it from node_modules, as from the Lambda runtime's own copy. */
  readonly sdkFromRuntime?: boolean;
}

const HANDLER = 'handlers/generateJwt.ts';

const LEVERS: readonly Lever[] = [
  { name: 'shipped (serverless package)' },
  { name: 'without mainFields (CommonJS SDK)', esbuild: { mainFields: undefined } },
  { name: 'not minified', esbuild: { minify: false } },
  { name: 'SDK from the runtime, not bundled', sdkFromRuntime: true },
  { name: 'no key prefetch at init', edits: [{ file: HANDLER, from: 'runtime.keyCache.warm();', to: 'void 0;' }] },
  { name: "middy's early-timeout race on", edits: [{ file: HANDLER, from: '{ timeoutEarlyInMillis: 0 }', to: '{}' }] },
  {
    name: 'logger replaced by a no-op',
    edits: [{ file: 'lib/log.ts', from: 'export const logger', to: 'export const logger = { info() {}, warn() {}, error() {} };\nconst unused' }],
  },
];

/** esbuild options serverless-esbuild passes through; the rest of `custom.esbuild` is the plugin's own. */
const ESBUILD_KEYS = ['bundle', 'minify', 'sourcemap', 'target', 'platform', 'format', 'mainFields', 'conditions', 'treeShaking', 'define'];

function editPlugin(edits: readonly Edit[]): Plugin {
  return {
    name: 'lever-edits',
    setup(builder) {
      builder.onLoad({ filter: /\.ts$/ }, (args) => {
        const mine = edits.filter((edit) => join(ROOT, edit.file) === args.path);
        if (mine.length === 0) return undefined;
        let text = readFileSync(args.path, 'utf8');
        for (const edit of mine) {
          if (!text.includes(edit.from)) throw new Error(`lever no longer applies: "${edit.from}" is not in ${edit.file}`);
          text = text.replace(edit.from, edit.to);
        }
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

interface Built {
  readonly handlerFile: string;
  readonly bytes: number;
  readonly deflatedBytes: number;
}

function sizes(handlerFile: string): Built {
  const text = readFileSync(handlerFile);
  return { handlerFile, bytes: statSync(handlerFile).size, deflatedBytes: deflateRawSync(text, { level: 9 }).length };
}

async function buildLever(lever: Lever, shipped: Record<string, unknown>, dir: string): Promise<Built> {
  const options: Record<string, unknown> = { ...shipped, ...lever.esbuild };
  for (const [key, value] of Object.entries(options)) if (value === undefined) delete options[key];
  const handlerFile = join(dir, 'handlers', 'generateJwt.js');
  await build({
    ...(options as BuildOptions),
    entryPoints: [join(ROOT, HANDLER)],
    outfile: handlerFile,
    external: lever.sdkFromRuntime ? ['@aws-sdk/*', '@smithy/*'] : [],
    plugins: lever.edits ? [editPlugin(lever.edits)] : [],
    logLevel: 'error',
  });
  return sizes(handlerFile);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cold: { type: 'string', default: '20' },
      warm: { type: 'string', default: '5000' },
      logs: { type: 'boolean', default: false },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const only = values.only?.split(',').map(Number);
  const levers = LEVERS.filter((_, i) => i === 0 || !only || only.includes(i));
  const processes = Number(values.cold);
  const warmRequests = Number(values.warm);
  const workDir = mkdtempSync(join(tmpdir(), 'jwt-mint-levers-'));
  const secretString = randomBytes(48).toString('base64url');
  const standIn = await startSecretsManagerStandIn({ secrets: { 'bench/levers': secretString } });
  const progress = (message: string) => process.stderr.write(`levers: ${message}\n`);
  try {
    const callerToken = await signCallerToken({ secretString, sub: 'bench-caller', scopes: ['generateJwt'], audience: 'mfs', ttlSeconds: 3600 });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // Lambda sets it in every container; code may use it to tell Lambda from tests.
      AWS_LAMBDA_FUNCTION_NAME: 'jwt-mint-bench-generateJwt',
      SIGNING_SECRET_ID: 'bench/levers',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    progress('packaging the shipped build...');
    const artifact = await packageService(workDir);
    unzip(artifact.zipFile, join(workDir, 'lever-0'));
    const shipped = Object.fromEntries(ESBUILD_KEYS.filter((key) => key in artifact.esbuildOptions).map((key) => [key, artifact.esbuildOptions[key]]));
    const programs = await buildChildPrograms(join(workDir, 'programs'));
    const built = await Promise.all(
      levers.map((lever, i) =>
        i === 0 ? sizes(join(workDir, 'lever-0', 'handlers', 'generateJwt.js')) : buildLever(lever, shipped, join(workDir, `lever-${i}`)),
      ),
    );
    const envFor = (lever: Lever) => (lever.sdkFromRuntime ? { ...env, NODE_PATH: join(ROOT, 'node_modules') } : env);

    const bare = { wall: [] as number[], cpu: [] as number[] };
    const cold = levers.map(() => ({ wall: [] as number[], cpu: [] as number[], load: [] as number[], first: [] as number[] }));
    for (let i = 0; i < processes; i++) {
      progress(`cold starts, round ${i + 1} of ${processes}`);
      const order = [-1, ...levers.keys()];
      for (let k = 0; k < order.length; k++) {
        // Rotate, so that no build always runs right after the same neighbour.
        const index = order[(k + i) % order.length] as number;
        if (index < 0) {
          const { report, wallMs } = await runNode<{ cpuMs: number }>(
            ['-e', "const u=process.cpuUsage();require('node:fs').writeSync(3,JSON.stringify({cpuMs:(u.user+u.system)/1000}))"],
            { env },
          );
          bare.wall.push(wallMs);
          bare.cpu.push(report.cpuMs);
          continue;
        }
        const lever = levers[index] as Lever;
        const config: ColdStartConfig = { handlerFile: (built[index] as Built).handlerFile, callerToken };
        const { report, wallMs } = await runNode<ColdStartReport>([programs.coldStart, JSON.stringify(config)], { env: envFor(lever) });
        if (report.statusCode !== 200) throw new Error(`${lever.name}: the first request answered ${report.statusCode}`);
        const sample = cold[index];
        sample?.wall.push(wallMs);
        sample?.cpu.push(report.cpuRespondedMs);
        sample?.load.push(report.loadedMs - report.runnerStartMs);
        sample?.first.push(report.respondedMs - report.loadedMs);
      }
    }

    const warm: Array<{ handlerUs: number; toJose: number }> = [];
    for (const [index, lever] of levers.entries()) {
      progress(`warm path: ${lever.name}`);
      const config: WarmPathConfig = {
        handlerFile: (built[index] as Built).handlerFile,
        callerToken,
        secretString,
        requests: warmRequests,
        rounds: Math.max(1, Math.floor(warmRequests / 200)),
        warmup: Math.min(2000, Math.floor(warmRequests / 5)),
      };
      const { report } = await runNode<WarmPathReport>([programs.warmPath, JSON.stringify(config)], {
        env: { ...envFor(lever), POWERTOOLS_LOG_LEVEL: values.logs ? 'INFO' : 'SILENT' },
      });
      warm.push({ handlerUs: report.variants.handler.cpuUsPerRequest, toJose: median(report.roundRatios.handlerToJose) });
    }

    // Ratios are medians of per-round ratios: every round runs each build once, and bare node once.
    const perRound = (samples: number[], against: number[]) => round(median(samples.map((value, i) => value / (against[i] as number))), 2);
    const shippedCold = cold[0] ?? { wall: [], cpu: [] };
    console.log(`bare node: wall ${round(median(bare.wall))} ms, CPU ${round(median(bare.cpu))} ms; medians of ${processes} processes each`);
    console.log(`warm path: ${warmRequests} requests per build, logs ${values.logs ? 'on (INFO)' : 'off'}; × jose is the median of per-round ratios\n`);
    console.log('| build | bundle | deflated | cold wall | × node | × shipped | cold CPU | × shipped | load | first request | warm CPU | × jose |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const [index, lever] of levers.entries()) {
      const sample = cold[index];
      const size = built[index];
      if (!sample || !size) continue;
      const cells = [
        lever.name,
        `${Math.round(size.bytes / 1024)} KB`,
        `${Math.round(size.deflatedBytes / 1024)} KB`,
        `${round(median(sample.wall))} ms`,
        `${perRound(sample.wall, bare.wall)}`,
        `${perRound(sample.wall, shippedCold.wall)}`,
        `${round(median(sample.cpu))} ms`,
        `${perRound(sample.cpu, shippedCold.cpu)}`,
        `${round(median(sample.load))} ms`,
        `${round(median(sample.first))} ms`,
        `${round(warm[index]?.handlerUs ?? Number.NaN)} µs`,
        `${round(warm[index]?.toJose ?? Number.NaN, 2)}`,
      ];
      console.log(`| ${cells.join(' | ')} |`);
    }
  } finally {
    await standIn.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`levers: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
