import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { buildVariant } from './build';
import type { ContainerConfig } from './child/container';
import { runNode, type Bench } from './processes';
import { round } from './stats';

/** What V8's CPU profile (`node --cpu-prof`) holds that this file reads. */
interface CpuProfile {
  readonly nodes: ReadonlyArray<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a sample's time went, by the script it ran in; the first match names it. */
const BUILT_IN_AREAS: ReadonlyArray<readonly [area: string, pattern: RegExp]> = [
  ['Node: crypto and WebCrypto', /^node:(internal\/crypto\/|crypto$)/],
  ['Node: http, net, tls', /^node:(_http_|http$|https$|net$|tls$|_tls_|internal\/(http|tls|net|stream_base_commons|dns)|dns)/],
  ['Node: streams and web streams', /^node:(internal\/(streams|webstreams)\/|stream)/],
  // Node compiles each of its own modules when first required; V8's compile of the bundle runs under the CommonJS loader.
  ['Node: compiling its built-in modules', /^node:internal\/bootstrap\/realm/],
  ["compiling the bundle, and resolving requires (Node's module loader)", /^node:internal\/modules\//],
  ['Node: starting (bootstrap)', /^node:internal\/(bootstrap|main)\//],
  ['Node: promise and tick queues, process', /^node:internal\/process\//],
];

/** The bundle's sections as esbuild writes them unminified: a `// path` line opens each source file. */
function bundleSections(bundleText: string): (line: number) => string {
  const owners: string[] = [];
  let owner = 'the bundle: esbuild runtime';
  for (const line of bundleText.split('\n')) {
    const path = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(line)?.[1];
    if (path) {
      const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
      // Our code by folder (lib/http/, lib/tokens/, …), packages by name.
      const folder = path.split('/').slice(0, -1).join('/');
      owner = pkg ? `the bundle: ${pkg.startsWith('@smithy/') ? '@smithy (the signer)' : pkg}` : `the bundle: our ${folder}/`;
    }
    owners.push(owner);
  }
  return (line) => owners[line] ?? 'the bundle: esbuild runtime';
}

/** Milliseconds of CPU by area in one profile; time V8 spent idle (waiting for I/O) is left out. */
function cpuByArea(profile: CpuProfile, bundleFile: string | undefined, sectionOf: (line: number) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const areaOf = (id: number): string => {
    // A native frame (no script) is put down to the nearest script that called it.
    for (let current = byId.get(id); current; current = byId.get(parentOf.get(current.id) ?? -1)) {
      const { url, functionName } = current.callFrame;
      if (functionName === '(garbage collector)') return 'V8: garbage collection';
      if (functionName === '(program)') return 'V8 and native code, unattributed';
      if (url === '') continue;
      if (bundleFile && url.endsWith(bundleFile)) return sectionOf((current.callFrame as { lineNumber?: number }).lineNumber ?? 0);
      if (url.startsWith('node:')) return BUILT_IN_AREAS.find(([, pattern]) => pattern.test(url))?.[0] ?? 'Node: other built-ins';
      return 'the bench runner';
    }
    return 'V8 and native code, unattributed';
  };
  const areas = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    if (byId.get(id)?.callFrame.functionName === '(idle)') return;
    const area = areaOf(id);
    areas.set(area, (areas.get(area) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return areas;
}

/** Mean milliseconds per area over every profile in `dir`. */
function meanByArea(dir: string, bundleFile?: string, sectionOf: (line: number) => string = () => ''): Map<string, number> {
  const files = readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'));
  const sums = new Map<string, number>();
  for (const file of files) {
    for (const [area, ms] of cpuByArea(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, bundleFile, sectionOf)) {
      sums.set(area, (sums.get(area) ?? 0) + ms);
    }
  }
  return new Map([...sums].map(([area, ms]) => [area, ms / Math.max(1, files.length)]));
}

/**
 * Where the CPU goes, on the headline node, under V8's sampling profiler (`--cpu-prof`, 250 µs),
 * with the handler built with the shipped options but not minified (so that each function can be
 * put down to its package or folder). Cold: `runs` cold starts and as many bare `node -e 0`, the
 * mean milliseconds per area of each. Warm: `runs` containers that serve `warmRequests` requests
 * each (logs at INFO, as deployed); an area's microseconds per warm request are its time in those
 * containers less its time in a cold start, over the requests after the first. Largest first. The
 * profiler slows everything down, so the totals exceed the unprofiled figures; the split is what
 * it is for.
 */
export async function profileColdStarts(bench: Bench, shipped: BuildOptions, runs: number, warmRequests = 2000) {
  const node = bench.nodes[0];
  const dir = join(bench.workDir, 'cold-profile');
  const built = await buildVariant({ name: 'profiled', esbuild: { minify: false } }, shipped, join(dir, 'build'));
  const sectionOf = bundleSections(readFileSync(built.handlerFile, 'utf8'));
  const [bundleDir, bareDir, warmDir] = [join(dir, 'bundle'), join(dir, 'bare'), join(dir, 'warm')];
  for (const target of [bundleDir, bareDir, warmDir]) mkdirSync(target, { recursive: true });
  const profiler = (target: string) => ['--cpu-prof', '--cpu-prof-interval', '250', '--cpu-prof-dir', target];
  const config: ContainerConfig = { handlerFile: built.handlerFile, callerToken: bench.callerToken, requests: 1, concurrentFirst: 1 };
  for (let i = 0; i < runs; i++) {
    await runNode([...profiler(bundleDir), bench.programs.container, JSON.stringify(config)], { env: bench.env, node });
    await runNode([...profiler(bareDir), '-e', "require('node:fs').writeSync(3, '{}')"], { env: bench.env, node });
    await runNode([...profiler(warmDir), bench.programs.container, JSON.stringify({ ...config, requests: warmRequests })], { env: bench.env, node });
  }
  const [cold, bare, served] = [meanByArea(bundleDir, built.handlerFile, sectionOf), meanByArea(bareDir), meanByArea(warmDir, built.handlerFile, sectionOf)];
  rmSync(dir, { recursive: true, force: true });
  const areas = [...new Set([...cold.keys(), ...bare.keys()])].map((area) => ({
    area,
    coldMs: round(cold.get(area) ?? 0),
    bareMs: round(bare.get(area) ?? 0),
    extraMs: round((cold.get(area) ?? 0) - (bare.get(area) ?? 0)),
  }));
  areas.sort((a, b) => b.extraMs - a.extraMs);
  const total = (key: 'coldMs' | 'bareMs') => round(areas.reduce((sum, area) => sum + area[key], 0));
  const perWarmRequest = (area: string) => (((served.get(area) ?? 0) - (cold.get(area) ?? 0)) * 1000) / (warmRequests - 1);
  const warm = [...served.keys()].map((area) => ({ area, usPerRequest: round(perWarmRequest(area)) })).filter((area) => area.usPerRequest >= 0.5);
  warm.sort((a, b) => b.usPerRequest - a.usPerRequest);
  return {
    node: node?.label,
    runs,
    areas,
    coldTotalMs: total('coldMs'),
    bareTotalMs: total('bareMs'),
    warm: { requests: warmRequests, areas: warm, totalUs: round(warm.reduce((sum, area) => sum + area.usPerRequest, 0)) },
  };
}
