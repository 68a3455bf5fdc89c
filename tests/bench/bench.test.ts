import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchResults, VariantResults } from '../../bench/run';
import { VARIANTS } from '../../bench/variants';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);
let outDir: string;
let bench: { stdout: string; results: BenchResults };
let variants: { stdout: string; results: VariantResults };

/** The real `npm run bench`, end to end, with `args` on counts small enough for a test; no timing is asserted. */
async function runBench<Results>(name: string, args: readonly string[]): Promise<{ stdout: string; results: Results }> {
  const outFile = join(outDir, `${name}.json`);
  const { stdout } = await run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bench/run.ts', ...args, '--out', outFile], {
    cwd: ROOT,
    timeout: 170_000,
  });
  return { stdout, results: JSON.parse(readFileSync(outFile, 'utf8')) as Results };
}

// Both modes at once: each is mostly waiting on child processes.
beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'jwt-mint-bench-test-'));
  const tiny = ['--warm', '60', '--rounds', '3', '--cold', '2'];
  [bench, variants] = await Promise.all([
    runBench<BenchResults>('bench', [...tiny, '--profiles', '2', '--memory', '300', '--secrets', '100', '--windows', '2', '--window-requests', '20', '--http', '16', '--concurrency', '2']),
    runBench<VariantResults>('variants', ['--variants', ...tiny]),
  ]);
}, 180_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Node 22 is measured, or the run says why not; this machine's node is measured beside it unless it is a Node 22 too. */
function expectNodes(results: BenchResults | VariantResults, stdout: string) {
  const labels = results.coldStart.nodes.map(({ node }) => node.label);
  if (results.meta.node22Missing === null) expect(labels[0]).toBe('Node 22');
  else expect(stdout).toContain(`**Node 22 not measured**: ${results.meta.node22Missing}`);
  expect(labels).toContain(`Node ${process.versions.node.split('.')[0]}`);
  for (const { builds } of results.coldStart.nodes) for (const build of builds) expect(build.wallMs).toBeGreaterThan(0);
  // Each child gets what a Lambda container gets, not the shell's NODE_OPTIONS or extra CA certificates.
  expect(results.meta.childEnv).toContain('AWS_LAMBDA_FUNCTION_NAME');
  expect(results.meta.childEnv).not.toEqual(expect.arrayContaining(['NODE_OPTIONS']));
  expect(results.meta.childEnv).not.toEqual(expect.arrayContaining(['NODE_EXTRA_CA_CERTS']));
}

test('writes every section of the benchmark to results.json', () => {
  const { results } = bench;
  expect(Object.keys(results).sort()).toEqual(
    ['artifact', 'coldStart', 'httpStack', 'memory', 'memorySizes', 'meta', 'secretsManager', 'warmPath', 'warmPathWithLogs'].sort(),
  );
  for (const warm of [results.warmPath, results.warmPathWithLogs]) {
    expect(Object.keys(warm.variants)).toEqual(['handler', 'jose', 'nodeCrypto', 'auditLine']);
    for (const variant of Object.values(warm.variants)) {
      expect(variant.cpuUsPerRequest).toBeGreaterThanOrEqual(0);
      expect(variant.p99Us).toBeGreaterThanOrEqual(variant.p50Us);
    }
  }
  // An audit line costs something when written, and next to nothing when the level drops it.
  expect(results.warmPathWithLogs.variants.auditLine?.cpuUsPerRequest).toBeGreaterThan(results.warmPath.variants.auditLine?.cpuUsPerRequest ?? Infinity);
  expect(results.warmPath.variants.handler?.cpuUsPerRequest).toBeGreaterThan(0);
  expect(results.coldStart.pairs).toBe(2);
  expect(results.coldStart.parts.list.length).toBeGreaterThan(0);
  expect(results.coldStart.profile?.runs).toBe(2);
  expect(results.memory.requests).toBe(300);
  expect(results.memory.peakRssMb).toBeGreaterThan(0);
  expect(results.httpStack?.requests).toBe(16);
  expect(results.memorySizes.map((size) => size.memoryMb)).toContain(128);
});

test('starts cold on Node 22, with this machine’s node beside it', () => {
  expectNodes(bench.results, bench.stdout);
});

test('measures the artifact that serverless package writes', () => {
  expect(bench.results.artifact.zipBytes).toBeGreaterThan(10_000);
  expect(bench.results.artifact.files).toBeGreaterThanOrEqual(1);
});

test('counts one Secrets Manager call per container per cache window', () => {
  const { secretsManager, coldStart } = bench.results;
  expect(secretsManager).toMatchObject({ requests: 100, calls: 1, callsOverSustainedRun: 1 });
  expect(secretsManager.cacheWindows).toMatchObject({ windows: 2, requests: 20, calls: 2 });
  expect(coldStart.secretsManagerCalls).toBe(2 * coldStart.nodes.length);
});

test('prints the table with every goal', () => {
  expect(bench.stdout).toContain('| figure | measured | next to (same run) | ratio | goal |');
  for (const goal of ['≤ 1.2× jose', '≤ 2× on Node', '≤ 200 KB', '1 per container per window', '< 100 MB']) {
    expect(bench.stdout).toContain(goal);
  }
});

test('puts the profiled cold starts\' CPU down to the bundle\'s packages and Node\'s built-ins, next to a bare node\'s', () => {
  const profile = bench.results.coldStart.profile;
  const areas = new Map(profile?.areas.map((area) => [area.area, area]));
  // The bundle's own packages appear only in the cold start; node's start appears in both.
  for (const area of ['the bundle: jose', 'the bundle: our lib/tokens/', 'Node: crypto and WebCrypto']) {
    expect(areas.get(area)?.coldMs).toBeGreaterThan(0);
    expect(areas.get(area)?.bareMs).toBe(0);
  }
  expect(profile?.coldTotalMs).toBeGreaterThan(profile?.bareTotalMs ?? Infinity);
  expect(bench.stdout).toContain('Cold start, where the CPU goes: 2 cold starts');
  // A warm request spends time in jose and in our edge, and none in starting node.
  const warm = new Map(profile?.warm.areas.map((area) => [area.area, area.usPerRequest]));
  expect(warm.get('the bundle: jose')).toBeGreaterThan(0);
  expect(warm.get('Node: starting (bootstrap)') ?? 0).toBeLessThan(2);
  expect(bench.stdout).toContain('Warm path, where the CPU goes: 2 containers');
});

test('--variants builds each variant and measures it cold on every node and warm, in one table', () => {
  const { results, stdout } = variants;
  const names = VARIANTS.map((variant) => variant.name);
  expect(results.builds.map((built) => built.name)).toEqual(names);
  expectNodes(results, stdout);
  for (const { builds } of results.coldStart.nodes) expect(builds).toHaveLength(names.length);
  for (const warm of [results.warmPath, results.warmPathWithLogs]) expect(Object.keys(warm.variants)).toEqual([...names, 'jose', 'nodeCrypto', 'auditLine']);
  // The first variant has no options of its own: it is the bundle serverless package ships.
  expect(results.firstIsArtifact).toBe(true);
  // The substituted logger is in its bundle: Powertools makes it larger than the shipped one.
  const sizes = Object.fromEntries(results.builds.map((built) => [built.name, built.bytes]));
  expect(sizes['Powertools Logger']).toBeGreaterThan((sizes.shipped ?? 0) + 10_000);
  for (const name of names) expect(stdout).toContain(`| ${name} | `);
});
