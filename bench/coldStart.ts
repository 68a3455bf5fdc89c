import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { ROOT } from './artifact';
import type { ColdStartConfig, ColdStartReport } from './child/coldStart';
import { runNode, type ChildPrograms } from './processes';
import { median, round } from './stats';

/** `node -e 0`, except that it reports its CPU time and peak RSS on fd 3 as the other children do. */
const BARE_NODE = [
  '-e',
  "const u=process.cpuUsage();require('node:fs').writeSync(3,JSON.stringify({cpuMs:(u.user+u.system)/1000,maxRssMb:process.resourceUsage().maxRSS/1024}))",
];

/** Loads one file and reports how long the `require` took, for the per-dependency breakdown. */
const loadOnly = (file: string) => [
  '-e',
  `const t=performance.now();require(${JSON.stringify(file)});const ms=performance.now()-t;const u=process.cpuUsage();` +
    "require('node:fs').writeSync(3,JSON.stringify({loadMs:ms,cpuMs:(u.user+u.system)/1000}))",
];

/**
 * The dependencies of the bundle, each bundled alone with the shipped esbuild options, so that
 * the cold start's remaining time can be put down to what costs it.
 */
const PARTS: ReadonlyArray<{ readonly name: string; readonly source: string }> = [
  { name: 'an empty module: what any require costs', source: 'export {};' },
  {
    name: 'AWS SDK: Secrets Manager client, constructed',
    source:
      "import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';\n" +
      'export const client = new SecretsManagerClient({});\nexport const command = GetSecretValueCommand;',
  },
  { name: 'lib/logger (the structured logger)', source: "export { logger } from './lib/log';" },
  { name: 'jose (verify, sign, header)', source: "export { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';" },
  {
    name: 'middy core and JSON body parser',
    source: "export { default as middy } from '@middy/core';\nexport { default as jsonBodyParser } from '@middy/http-json-body-parser';",
  },
  {
    name: 'valibot schemas (request, config)',
    source: "export { parseMintRequest } from './lib/mint/request';\nexport { loadConfig } from './lib/config';",
  },
];

/** The esbuild options serverless-esbuild passes through; the rest of `custom.esbuild` is the plugin's own. */
const ESBUILD_KEYS = [
  'bundle', 'minify', 'minifyWhitespace', 'minifyIdentifiers', 'minifySyntax', 'sourcemap', 'target', 'platform',
  'format', 'mainFields', 'conditions', 'treeShaking', 'keepNames', 'legalComments', 'define', 'external', 'banner',
] as const;

export interface Timing {
  readonly wallMs: number;
  readonly cpuMs: number;
}

export interface ColdStartResult {
  readonly processes: number;
  readonly bareNode: Timing & { readonly maxRssMb: number };
  readonly bundle: Timing & {
    /** From process start to the runner's first line: node's own start-up. */
    readonly nodeStartMs: number;
    /** `require` of the bundle: the init phase Lambda would run. */
    readonly loadMs: number;
    readonly loadCpuMs: number;
    /** From the bundle loaded to the first response, the secret fetched over HTTP. */
    readonly firstRequestMs: number;
    readonly maxRssMb: number;
  };
  /** Medians of the ratios of each bundle process to the bare process run next to it. */
  readonly ratios: { readonly wall: number; readonly cpu: number };
  readonly secretsManagerCalls: number;
  readonly parts: ReadonlyArray<{ readonly name: string; readonly bytes: number; readonly loadMs: number }>;
}

/**
 * Starts `processes` fresh processes that load the bundle and serve one request, alternating with
 * bare `node` so that both see the same machine, and reports medians.
 * @throws Error when a first request does not answer 200.
 */
export async function measureColdStart(options: {
  readonly programs: ChildPrograms;
  readonly handlerFile: string;
  readonly callerToken: string;
  readonly env: NodeJS.ProcessEnv;
  readonly processes: number;
  readonly esbuildOptions: Record<string, unknown>;
  readonly workDir: string;
  readonly secretsManagerCalls: () => number;
}): Promise<ColdStartResult> {
  const config: ColdStartConfig = { handlerFile: options.handlerFile, callerToken: options.callerToken };
  const bare: Array<Timing & { maxRssMb: number }> = [];
  const bundle: ColdStartResult['bundle'][] = [];
  const callsBefore = options.secretsManagerCalls();
  for (let i = 0; i < options.processes; i++) {
    const runBare = async () => {
      const { report, wallMs } = await runNode<{ cpuMs: number; maxRssMb: number }>(BARE_NODE, { env: options.env });
      bare.push({ wallMs, ...report });
    };
    const runBundle = async () => {
      const { report, wallMs } = await runNode<ColdStartReport>([options.programs.coldStart, JSON.stringify(config)], {
        env: options.env,
      });
      if (report.statusCode !== 200) throw new Error(`the first request answered ${report.statusCode}`);
      bundle.push({
        wallMs,
        cpuMs: report.cpuRespondedMs,
        nodeStartMs: report.runnerStartMs,
        loadMs: report.loadedMs - report.runnerStartMs,
        loadCpuMs: report.cpuLoadedMs,
        firstRequestMs: report.respondedMs - report.loadedMs,
        maxRssMb: report.maxRssMb,
      });
    };
    // Alternate which goes first, so that neither always inherits a warmer page cache.
    if (i % 2 === 0) await runBare().then(runBundle);
    else await runBundle().then(runBare);
  }
  const secretsManagerCalls = options.secretsManagerCalls() - callsBefore;

  const medianOf = <T>(rows: readonly T[], key: keyof T) => round(median(rows.map((row) => row[key] as number)));
  const bareNode = { wallMs: medianOf(bare, 'wallMs'), cpuMs: medianOf(bare, 'cpuMs'), maxRssMb: medianOf(bare, 'maxRssMb') };
  const bundleMedians = {
    wallMs: medianOf(bundle, 'wallMs'),
    cpuMs: medianOf(bundle, 'cpuMs'),
    nodeStartMs: medianOf(bundle, 'nodeStartMs'),
    loadMs: medianOf(bundle, 'loadMs'),
    loadCpuMs: medianOf(bundle, 'loadCpuMs'),
    firstRequestMs: medianOf(bundle, 'firstRequestMs'),
    maxRssMb: medianOf(bundle, 'maxRssMb'),
  };
  // Each bundle process is paired with the bare one next to it; the median of the pairs' ratios
  // holds better than a ratio of medians when the machine's load shifts during the run.
  const pairRatio = (key: 'wallMs' | 'cpuMs') =>
    round(median(bundle.map((run, i) => run[key] / (bare[i] as Timing)[key])), 2);
  return {
    processes: options.processes,
    bareNode,
    bundle: bundleMedians,
    ratios: { wall: pairRatio('wallMs'), cpu: pairRatio('cpuMs') },
    secretsManagerCalls,
    parts: await measureParts(options),
  };
}

/** Bundles each part with the shipped esbuild options and times its `require` in fresh processes. */
async function measureParts(options: {
  readonly env: NodeJS.ProcessEnv;
  readonly processes: number;
  readonly esbuildOptions: Record<string, unknown>;
  readonly workDir: string;
}): Promise<ColdStartResult['parts']> {
  const shipped = Object.fromEntries(
    ESBUILD_KEYS.filter((key) => options.esbuildOptions[key] !== undefined).map((key) => [key, options.esbuildOptions[key]]),
  ) as BuildOptions;
  const files = await Promise.all(
    PARTS.map(async (part, i) => {
      const outfile = join(options.workDir, `part-${i}.js`);
      await build({ ...shipped, stdin: { contents: part.source, resolveDir: ROOT, loader: 'ts' }, outfile, logLevel: 'error' });
      return outfile;
    }),
  );
  const loads: number[][] = PARTS.map(() => []);
  for (let i = 0; i < options.processes; i++) {
    for (const [index, file] of files.entries()) {
      const { report } = await runNode<{ loadMs: number }>(loadOnly(file), { env: options.env });
      loads[index]?.push(report.loadMs);
    }
  }
  return PARTS.map((part, index) => ({
    name: part.name,
    bytes: statSync(files[index] as string).size,
    loadMs: round(median(loads[index] ?? [])),
  }));
}
