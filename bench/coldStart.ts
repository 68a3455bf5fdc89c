import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import type { BuiltHandler } from './build';
import type { ContainerConfig, ContainerReport } from './child/container';
import { runNode, type Bench } from './processes';
import { ROOT, SERVICE } from './service';
import { median, pairedRatio, round } from './stats';

/** `node -e 0`, except that it reports its CPU time and peak RSS on fd 3 as the other children do. */
const BARE_NODE = [
  '-e',
  "const u=process.cpuUsage();require('node:fs').writeSync(3,JSON.stringify({cpuMs:(u.user+u.system)/1000,maxRssMb:process.resourceUsage().maxRSS/1024}))",
];

/** Loads one file and reports how long the `require` took, for the per-dependency breakdown. */
const loadOnly = (file: string) => [
  '-e',
  `const t=performance.now();require(${JSON.stringify(file)});require('node:fs').writeSync(3,JSON.stringify({loadMs:performance.now()-t}))`,
];

/** The bundle's dependencies, each bundled alone with the shipped options, so that its load time can be put down to what costs it. */
const PARTS: ReadonlyArray<readonly [name: string, source: string]> = [
  ['an empty module: what any require costs', 'export {};'],
  [
    'AWS SDK: Secrets Manager client, constructed',
    "import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';\n" +
      'export const client = new SecretsManagerClient({});\nexport const command = GetSecretValueCommand;',
  ],
  [`${SERVICE.secretClient} (the function's Secrets Manager client: the SDK's signer and node:https)`, `export { secretValueFetcher } from './${SERVICE.secretClient}';`],
  [`${SERVICE.logger} (the structured logger)`, `export { logger } from './${SERVICE.logger}';`],
  ['jose (verify, sign, header)', "export { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';"],
  ['middy core and JSON body parser', "export { default as middy } from '@middy/core';\nexport { default as jsonBodyParser } from '@middy/http-json-body-parser';"],
  ['valibot schemas (request, config)', `export { parseMintRequest } from './${SERVICE.mintRequest}';\nexport { loadConfig } from './${SERVICE.config}';`],
];

type Sample = Record<'wallMs' | 'cpuMs' | 'maxRssMb', number>;
type Run = Sample & Record<'nodeStartMs' | 'loadMs' | 'loadCpuMs' | 'firstRequestMs', number>;
const medians = <T extends object>(rows: readonly T[]) =>
  Object.fromEntries(Object.keys(rows[0] ?? {}).map((key) => [key, round(median(rows.map((r) => r[key as keyof T] as number)))])) as T;
const ratios = (runs: readonly Sample[], against: readonly Sample[]) => ({
  wall: pairedRatio(runs.map((r) => r.wallMs), against.map((r) => r.wallMs)),
  cpu: pairedRatio(runs.map((r) => r.cpuMs), against.map((r) => r.cpuMs)),
});

/**
 * For `pairs` rounds, on each node and for each build, starts a bare node and a process that loads
 * the bundle and serves one request, one right after the other (bare first in even rounds, so that
 * neither always inherits a warmer page cache). Reports medians, and medians of per-pair ratios:
 * `toBare` against the bare process next to it, `toFirst` against the first build in the same round.
 * @throws Error when a first request does not answer 200.
 */
export async function measureColdStarts(bench: Bench, builds: readonly BuiltHandler[], pairs: number) {
  const { env, callerToken } = bench;
  const samples = bench.nodes.map(() => builds.map(() => ({ bare: [] as Sample[], runs: [] as Run[] })));
  const callsBefore = bench.secretsManagerCalls();
  for (let round = 0; round < pairs; round++) {
    for (const [n, node] of bench.nodes.entries()) {
      for (const [b, { name, handlerFile }] of builds.entries()) {
        const { bare, runs } = samples[n]?.[b] ?? { bare: [], runs: [] };
        const runBare = async () => {
          const { report, wallMs } = await runNode<Omit<Sample, 'wallMs'>>(BARE_NODE, { env, node });
          bare.push({ wallMs, ...report });
        };
        const runBundle = async () => {
          const config: ContainerConfig = { handlerFile, callerToken, requests: 1, concurrentFirst: 1 };
          const { report: r, wallMs } = await runNode<ContainerReport>([bench.programs.container, JSON.stringify(config)], { env, node });
          if (r.failures > 0) throw new Error(`${name} on ${node.label}: the first request did not answer 200`);
          const [loadMs, firstRequestMs] = [r.loadedMs - r.runnerStartMs, r.respondedMs - r.loadedMs];
          runs.push({ wallMs, cpuMs: r.cpuRespondedMs, maxRssMb: r.maxRssMb, nodeStartMs: r.runnerStartMs, loadMs, loadCpuMs: r.cpuLoadedMs, firstRequestMs });
        };
        await (round % 2 === 0 ? runBare().then(runBundle) : runBundle().then(runBare));
      }
    }
  }
  return {
    pairs,
    nodes: bench.nodes.map((node, n) => {
      const perBuild = samples[n] ?? [];
      const first = perBuild[0]?.runs ?? [];
      const figures = perBuild.map(({ bare, runs }) => ({ ...medians(runs), toBare: ratios(runs, bare), toFirst: ratios(runs, first) }));
      return { node, bareNode: medians(perBuild.flatMap(({ bare }) => bare)), builds: figures };
    }),
    secretsManagerCalls: bench.secretsManagerCalls() - callsBefore,
  };
}
export type ColdStartResult = Awaited<ReturnType<typeof measureColdStarts>>;

/** Bundles each part with the shipped options and times its `require` in `processes` fresh processes on the headline node. */
export async function measureParts(bench: Bench, shipped: BuildOptions, processes: number) {
  const files = PARTS.map((_, i) => join(bench.workDir, `part-${i}.js`));
  await Promise.all(PARTS.map(([, contents], i) => build({ ...shipped, stdin: { contents, resolveDir: ROOT, loader: 'ts' }, outfile: files[i], logLevel: 'error' })));
  const [loads, run] = [PARTS.map((): number[] => []), { env: bench.env, node: bench.nodes[0] }];
  for (let i = 0; i < processes; i++) {
    for (const [index, file] of files.entries()) loads[index]?.push((await runNode<{ loadMs: number }>(loadOnly(file), run)).report.loadMs);
  }
  return PARTS.map(([name], i) => ({ name, bytes: statSync(files[i] as string).size, loadMs: round(median(loads[i] ?? [])) }));
}
