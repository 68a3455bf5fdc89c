import type { ColdStartResult } from './coldStart';
import { PRICES } from './memorySizes';
import type { BenchResults, VariantResults } from './run';
import { round } from './stats';
import type { WarmPathResult } from './warmPath';

/** The goals of the performance issue, checked against a run; the cold start's on the headline node (Node 22 when installed). */
const GOALS = Object.freeze({ warmHandlerToJose: 1.2, coldStartToBareNode: 2, artifactKb: 200, callsPerCacheWindow: 1, peakRssMb: 100 });

const mark = (met: boolean) => (met ? 'met' : '**not met**');
const count = (n: number) => n.toLocaleString('en-US');
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
const table = (rows: ReadonlyArray<readonly string[]>) => rows.flatMap((cells, i) => [cells, ...(i === 0 ? [cells.map(() => '---')] : [])]).map((cells) => `| ${cells.join(' | ')} |`);

function heading(title: string, meta: BenchResults['meta']): string[] {
  const missing = meta.node22Missing ? `; **Node 22 not measured**: ${meta.node22Missing}` : '';
  const ownRuns = title.endsWith('variants') ? 'warm path runs' : 'warm path, memory and the HTTP stack run';
  return [
    `${title}: ${meta.platform}, ${meta.cpus} × ${meta.cpuModel}, ${meta.startedAt}`,
    `Cold start on ${meta.coldStartNodes.join(' and ')}, each process next to a bare node of the same version${missing}. The ${ownRuns} on this machine's node, ${meta.node}.`,
    '',
  ];
}

/** The results as Markdown tables, as the README shows them. */
export function renderTable(results: BenchResults): string {
  const { warmPath, coldStart: cold, artifact, secretsManager: sm, memory, httpStack: http, meta } = results;
  const [handler, jose, nodeCrypto, logged, loggedJose, auditLine] = [
    ...['handler', 'jose', 'nodeCrypto'].map((name) => warmPath.variants[name]),
    ...['handler', 'jose', 'auditLine'].map((name) => results.warmPathWithLogs.variants[name]),
  ] as Array<WarmPathResult['variants'][string]>;
  const callsPerWindow = sm.calls === 1 && sm.callsOverSustainedRun === 1 && sm.cacheWindows.calls === sm.cacheWindows.windows;
  // One cell for every node the cold start ran on, Node 22 (the headline, where its goal is checked) first.
  const nodes = cold.nodes.map(({ node, bareNode, builds: [bundle] }) => ({ label: node.label, bare: bareNode, bundle: bundle as NonNullable<typeof bundle> }));
  const each = (cell: (entry: (typeof nodes)[number]) => string) => nodes.map((e) => `${e.label}: ${cell(e)}`).join('; ');
  const [headline] = nodes;
  const rows = [
    ['figure', 'measured', 'next to (same run)', 'ratio', 'goal'],
    [
      'Warm path, CPU per request, logs on (INFO, as deployed, to /dev/null)',
      `handler ${logged?.cpuUsPerRequest} µs`,
      `jose alone ${loggedJose?.cpuUsPerRequest} µs`,
      `${logged?.toJose}× jose`,
      `≤ ${GOALS.warmHandlerToJose}× jose: ${mark((logged?.toJose ?? Infinity) <= GOALS.warmHandlerToJose)}`,
    ],
    [
      'Warm path, CPU per request, logs off',
      `handler ${handler?.cpuUsPerRequest} µs`,
      `jose alone ${jose?.cpuUsPerRequest} µs; node:crypto ${nodeCrypto?.cpuUsPerRequest} µs`,
      `${handler?.toJose}× jose; jose ${jose?.toNodeCrypto}× node:crypto`,
      `one audit line alone, logs on: ${auditLine?.cpuUsPerRequest} µs, ${auditLine?.toJose}× jose`,
    ],
    [
      'Warm path, latency p50 / p99',
      `handler ${handler?.p50Us} / ${handler?.p99Us} µs`,
      `jose ${jose?.p50Us} / ${jose?.p99Us} µs; node:crypto ${nodeCrypto?.p50Us} / ${nodeCrypto?.p99Us} µs`,
      '',
      '',
    ],
    [
      `Cold start, wall (median of ${cold.pairs} pairs)`,
      (meta.node22Missing ? 'Node 22 not measured (see above); ' : '') + each(({ bundle }) => `${bundle.wallMs} ms`),
      `\`node -e 0\`: ${each(({ bare }) => `${bare.wallMs} ms`)}`,
      each(({ bundle }) => `${bundle.toBare.wall}×`),
      `≤ ${GOALS.coldStartToBareNode}× on ${headline?.label}: ${mark((headline?.bundle.toBare.wall ?? Infinity) <= GOALS.coldStartToBareNode)}`,
    ],
    ['Cold start, CPU', each(({ bundle }) => `${bundle.cpuMs} ms`), `\`node -e 0\`: ${each(({ bare }) => `${bare.cpuMs} ms`)}`, each(({ bundle }) => `${bundle.toBare.cpu}×`), ''],
    ['Cold start, split', each(({ bundle: b }) => `node ${b.nodeStartMs} ms + load bundle ${b.loadMs} ms + first request ${b.firstRequestMs} ms`), '', '', ''],
    [
      'Artifact (`serverless package`)',
      `${artifact.zipKb} KB zipped (${kb(artifact.unzippedBytes)} unzipped), the mint function's`,
      '',
      '',
      `≤ ${GOALS.artifactKb} KB: ${mark(artifact.zipKb <= GOALS.artifactKb)}`,
    ],
    [
      'Secrets Manager calls',
      `${sm.calls} over ${count(sm.requests)} warm requests (first ${sm.concurrentFirst} concurrent); ${sm.callsOverSustainedRun} over ${count(sm.sustainedRequests)}; ` +
        `${sm.cacheWindows.calls} over ${count(sm.cacheWindows.requests)} spread across ${sm.cacheWindows.windows} cache windows`,
      `${cold.secretsManagerCalls} over ${cold.pairs * cold.nodes.length} cold starts`,
      '',
      `1 per container per window: ${mark(callsPerWindow)}`,
    ],
    [
      `Memory, peak RSS after ${count(memory.requests)} requests`,
      `${memory.peakRssMb} MB (heap used at end ${memory.heapUsedAtEndMb} MB)`,
      `\`node -e 0\` ${memory.bareNodePeakRssMb} MB`,
      '',
      `< ${GOALS.peakRssMb} MB: ${mark(memory.peakRssMb < GOALS.peakRssMb)}`,
    ],
    http
      ? [
          `Local HTTP stack (\`npm start\`), ${http.concurrency} clients`,
          `${count(http.requestsPerSecond)} requests/s, p50 ${http.p50Ms} ms, p99 ${http.p99Ms} ms`,
          '',
          '',
          'for developers; not a Lambda figure',
        ]
      : ['Local HTTP stack', 'skipped (--http 0)', '', '', ''],
  ];
  return [
    ...heading('jwt-mint bench', meta),
    ...table(rows),
    '',
    `Cold start, what loading costs: each dependency bundled alone with the shipped esbuild options, \`require\` time in a fresh process on ${cold.parts.node} (median of ${cold.pairs}), next to the whole bundle's ${headline?.bundle.loadMs} ms:`,
    '',
    ...table([['loaded alone', 'bundle size', 'require'], ...cold.parts.list.map((part) => [part.name, kb(part.bytes), `${part.loadMs} ms`])]),
    '',
    ...(cold.profile ? profileTable(cold.profile) : []),
    `Lambda memory sizes, estimated from this run: CPU share = memory / 1769 MB; a warm request's ${logged?.cpuUsPerRequest} µs (logs on) and a cold start's ${headline?.bundle.cpuMs} ms of CPU (${headline?.label}) stretched by that share; duration billed per started ms at $${PRICES.arm64PerGbSecond} per GB-s on arm64 ($${PRICES.x86PerGbSecond} on x86), plus $${PRICES.perMillionRequests} per million requests either way:`,
    '',
    ...table([
      ['memory', 'vCPU', 'warm request', 'billed', 'arm64 $ per million', 'x86 $ per million', 'cold start (CPU-bound part)'],
      ...results.memorySizes.map((s) => [`${s.memoryMb} MB`, `${s.vcpu}`, `${s.warmMs} ms`, `${s.warmBilledMs} ms`, `${s.arm64PerMillion}`, `${s.x86PerMillion}`, `${s.coldStartMs} ms`]),
    ]),
  ].join('\n');
}

/** Where a cold start's CPU goes, next to a bare node's, from the profiled runs. */
function profileTable(profile: NonNullable<BenchResults['coldStart']['profile']>): string[] {
  return [
    `Cold start, where the CPU goes: ${profile.runs} cold starts of the unminified bundle and ${profile.runs} bare nodes under V8's profiler (250 µs samples) on ${profile.node}, mean ms of CPU by area (the profiler slows both; idle time, waiting for I/O, left out):`,
    '',
    ...table([
      ['area', 'cold start', '`node -e 0`', 'difference', 'share of the difference'],
      ...profile.areas.map((a) => [a.area, `${a.coldMs} ms`, `${a.bareMs} ms`, `${a.extraMs} ms`, `${Math.round((100 * a.extraMs) / (profile.coldTotalMs - profile.bareTotalMs))}%`]),
      ['all', `${profile.coldTotalMs} ms`, `${profile.bareTotalMs} ms`, `${round(profile.coldTotalMs - profile.bareTotalMs)} ms`, '100%'],
    ]),
    '',
    `Warm path, where the CPU goes: ${profile.runs} containers serving ${count(profile.warm.requests)} requests each under the same profiler, logs at INFO, µs of CPU per request by area (0.5 µs and over):`,
    '',
    ...table([['area', 'per warm request', 'share'], ...profile.warm.areas.map((a) => [a.area, `${a.usPerRequest} µs`, `${Math.round((100 * a.usPerRequest) / profile.warm.totalUs)}%`]), ['all', `${profile.warm.totalUs} µs`, '100%']]),
    '',
  ];
}

/** `--variants`: one row per variant, its cold start on each node and its warm CPU, each next to the first variant's. */
export function renderVariants(results: VariantResults): string {
  const { coldStart, builds, warmPath, warmPathWithLogs, meta } = results;
  const first = builds[0]?.name;
  const versus = (ratio: number, i: number) => (i === 0 ? '' : `, ${ratio}× ${first}`);
  const cold = ({ builds: figures }: ColdStartResult['nodes'][number], i: number) => {
    const b = figures[i];
    return b ? [`${b.wallMs} ms, ${b.toBare.wall}× bare${versus(b.toFirst.wall, i)}`, `${b.cpuMs} ms, ${b.toBare.cpu}× bare${versus(b.toFirst.cpu, i)}`, `${b.loadMs} + ${b.firstRequestMs} ms`] : [];
  };
  const warm = (result: WarmPathResult, name: string, i: number) => {
    const w = result.variants[name];
    return w ? `${w.cpuUsPerRequest} µs, ${w.toJose}× jose${versus(w.toFirst, i)}` : '';
  };
  const nodeColumns = coldStart.nodes.flatMap(({ node }) => [`${node.label} cold wall`, 'cold CPU', 'load + first request']);
  return [
    ...heading('jwt-mint bench --variants', meta),
    `Builds: the shipped esbuild options \`${JSON.stringify(results.shippedEsbuild)}\` with each variant's from bench/variants.ts laid over them; ` +
      `the first variant's bundle ${results.firstIsArtifact ? 'is byte-identical to' : '**differs from**'} the one \`serverless package\` wrote.`,
    `Cold start: ${coldStart.pairs} pairs per variant and node; × bare and × ${first} are medians of per-pair ratios. Warm: ${count(warmPath.requestsPerVariant)} requests per variant ` +
      `in ${warmPath.rounds} rounds, every variant and jose alone in one process; × jose and × ${first} are medians of per-round ratios.`,
    '',
    ...table([
      ['variant', 'bundle (deflated)', ...nodeColumns, 'warm CPU, logs off', 'warm CPU, logs on'],
      ...builds.map((built, i) => [
        built.name,
        `${kb(built.bytes)} (${kb(built.deflatedBytes)})`,
        ...coldStart.nodes.flatMap((node) => cold(node, i)),
        warm(warmPath, built.name, i),
        warm(warmPathWithLogs, built.name, i),
      ]),
    ]),
  ].join('\n');
}
