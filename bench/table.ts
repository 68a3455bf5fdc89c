import type { CacheWindowsResult } from './cacheWindows';
import type { ColdStartResult } from './coldStart';
import type { HttpStackResult } from './httpStack';
import { PRICES, type MemorySizeEstimate } from './memorySizes';
import type { WarmPathResult } from './warmPath';

/** Everything one run measured: the shape of bench/results.json. */
export interface BenchResults {
  readonly meta: {
    readonly node: string;
    readonly platform: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly startedAt: string;
    readonly durationSeconds: number;
    readonly counts: Record<string, number>;
  };
  readonly warmPath: WarmPathResult;
  readonly warmPathWithLogs: WarmPathResult;
  readonly coldStart: ColdStartResult;
  readonly artifact: {
    readonly zipBytes: number;
    readonly zipKb: number;
    readonly unzippedBytes: number;
    readonly files: number;
    readonly packageSeconds: number;
    readonly esbuild: Record<string, unknown>;
  };
  readonly secretsManager: {
    readonly requests: number;
    readonly concurrentFirst: number;
    readonly calls: number;
    readonly callsOverSustainedRun: number;
    readonly sustainedRequests: number;
    readonly cacheWindows: CacheWindowsResult;
  };
  readonly memory: {
    readonly requests: number;
    readonly peakRssMb: number;
    readonly rssAtEndMb: number;
    readonly heapUsedAtEndMb: number;
    readonly bareNodePeakRssMb: number;
    /** Over the whole run, logs on, the first requests concurrent. */
    readonly cpuUsPerRequest: number;
  };
  readonly httpStack: HttpStackResult | null;
  /** Each Lambda memory size, estimated from the warm path with logs on and the cold start's CPU. */
  readonly memorySizes: readonly MemorySizeEstimate[];
}

/** The goals of the performance issue, checked against a run. */
export const GOALS = Object.freeze({
  warmHandlerToJose: 1.2,
  coldStartToBareNode: 1.5,
  artifactKb: 200,
  callsPerCacheWindow: 1,
  peakRssMb: 100,
});

const mark = (met: boolean) => (met ? 'met' : '**not met**');
const count = (n: number) => n.toLocaleString('en-US');

/** The results as a Markdown table, as the README shows them. */
export function renderTable(results: BenchResults): string {
  const { warmPath: warm, coldStart: cold, artifact, secretsManager: sm, memory, httpStack: http } = results;
  const { handler, jose, nodeCrypto } = warm.variants;
  const logged = results.warmPathWithLogs.variants;
  const oneCallPerWindow = sm.calls === 1 && sm.callsOverSustainedRun === 1 && sm.cacheWindows.calls === sm.cacheWindows.windows;
  const rows = [
    ['figure', 'measured', 'next to (same run)', 'ratio', 'goal'],
    ['---', '---', '---', '---', '---'],
    [
      'Warm path, CPU per request (logs off)',
      `handler ${handler.cpuUsPerRequest} µs`,
      `jose alone ${jose.cpuUsPerRequest} µs; node:crypto ${nodeCrypto.cpuUsPerRequest} µs`,
      `${warm.ratios.handlerToJose}× jose; jose ${warm.ratios.joseToNodeCrypto}× node:crypto`,
      `≤ ${GOALS.warmHandlerToJose}× jose: ${mark(warm.ratios.handlerToJose <= GOALS.warmHandlerToJose)}`,
    ],
    [
      'Warm path, latency p50 / p99',
      `handler ${handler.p50Us} / ${handler.p99Us} µs`,
      `jose ${jose.p50Us} / ${jose.p99Us} µs; node:crypto ${nodeCrypto.p50Us} / ${nodeCrypto.p99Us} µs`,
      '',
      '',
    ],
    [
      `Cold start, wall (median of ${cold.processes})`,
      `${cold.bundle.wallMs} ms`,
      `\`node -e 0\` ${cold.bareNode.wallMs} ms`,
      `${cold.ratios.wall}×`,
      `≤ ${GOALS.coldStartToBareNode}×: ${mark(cold.ratios.wall <= GOALS.coldStartToBareNode)}`,
    ],
    [
      'Cold start, CPU',
      `${cold.bundle.cpuMs} ms`,
      `\`node -e 0\` ${cold.bareNode.cpuMs} ms`,
      `${cold.ratios.cpu}×`,
      '',
    ],
    [
      'Cold start, split',
      `node ${cold.bundle.nodeStartMs} ms + load bundle ${cold.bundle.loadMs} ms + first request ${cold.bundle.firstRequestMs} ms`,
      '',
      '',
      '',
    ],
    [
      'Artifact (`serverless package`)',
      `${artifact.zipKb} KB zipped (${Math.round(artifact.unzippedBytes / 1024)} KB unzipped), SDK bundled`,
      '',
      '',
      `≤ ${GOALS.artifactKb} KB: ${mark(artifact.zipKb <= GOALS.artifactKb)}`,
    ],
    [
      'Secrets Manager calls',
      `${sm.calls} over ${count(sm.requests)} warm requests (first ${sm.concurrentFirst} concurrent); ` +
        `${sm.callsOverSustainedRun} over ${count(sm.sustainedRequests)}; ` +
        `${sm.cacheWindows.calls} over ${count(sm.cacheWindows.requests)} spread across ${sm.cacheWindows.windows} cache windows`,
      `${cold.processes} over ${cold.processes} cold starts`,
      '',
      `1 per container per window: ${mark(oneCallPerWindow)}`,
    ],
    [
      `Memory, peak RSS after ${count(memory.requests)} requests`,
      `${memory.peakRssMb} MB (heap used at end ${memory.heapUsedAtEndMb} MB)`,
      `\`node -e 0\` ${memory.bareNodePeakRssMb} MB`,
      '',
      `< ${GOALS.peakRssMb} MB: ${mark(memory.peakRssMb < GOALS.peakRssMb)}`,
    ],
    [
      'Warm path, logs on (INFO, to /dev/null)',
      `handler ${logged.handler.cpuUsPerRequest} µs`,
      `jose alone ${logged.jose.cpuUsPerRequest} µs`,
      `${results.warmPathWithLogs.ratios.handlerToJose}× jose`,
      '',
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
  const parts = [
    '',
    `Cold start, what loading costs: each dependency bundled alone with the shipped esbuild options, \`require\` time in a fresh process (median of ${cold.processes}), next to the whole bundle's ${cold.bundle.loadMs} ms:`,
    '',
    '| loaded alone | bundle size | require |',
    '|---|---|---|',
    ...cold.parts.map((part) => `| ${part.name} | ${Math.round(part.bytes / 1024)} KB | ${part.loadMs} ms |`),
  ];
  const sizes = [
    '',
    `Lambda memory sizes, estimated from this run: CPU share = memory / 1769 MB; a warm request's ${logged.handler.cpuUsPerRequest} µs (logs on) and a cold start's ${cold.bundle.cpuMs} ms of CPU stretched by that share; duration billed per started ms at $${PRICES.arm64PerGbSecond} per GB-s on arm64 ($${PRICES.x86PerGbSecond} on x86), plus $${PRICES.perMillionRequests} per million requests either way:`,
    '',
    '| memory | vCPU | warm request | billed | arm64 $ per million | x86 $ per million | cold start (CPU-bound part) |',
    '|---|---|---|---|---|---|---|',
    ...results.memorySizes.map(
      (size) =>
        `| ${size.memoryMb} MB | ${size.vcpu} | ${size.warmMs} ms | ${size.warmBilledMs} ms | ${size.arm64PerMillion} | ${size.x86PerMillion} | ${size.coldStartMs} ms |`,
    ),
  ];
  const { meta } = results;
  return [
    `jwt-mint bench: ${meta.node}, ${meta.platform}, ${meta.cpus} × ${meta.cpuModel}, ${meta.startedAt}`,
    '',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    ...parts,
    ...sizes,
  ].join('\n');
}
