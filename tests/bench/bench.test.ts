import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchResults } from '../../bench/table';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);
let outDir: string;
let stdout: string;
let results: BenchResults;

// The real `npm run bench`, end to end, on counts small enough for a test; no timing is asserted.
beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'jwt-mint-bench-test-'));
  const outFile = join(outDir, 'results.json');
  const tiny = ['--warm', '60', '--rounds', '3', '--cold', '2', '--memory', '300', '--secrets', '100'];
  const tinier = ['--windows', '2', '--window-requests', '20', '--http', '16', '--concurrency', '2', '--out', outFile];
  ({ stdout } = await run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bench/run.ts', ...tiny, ...tinier], {
    cwd: ROOT,
    timeout: 170_000,
  }));
  results = JSON.parse(readFileSync(outFile, 'utf8')) as BenchResults;
}, 180_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

test('writes every section of the benchmark to results.json', () => {
  expect(Object.keys(results).sort()).toEqual(
    ['artifact', 'coldStart', 'httpStack', 'memory', 'memorySizes', 'meta', 'secretsManager', 'warmPath', 'warmPathWithLogs'].sort(),
  );
  for (const warm of [results.warmPath, results.warmPathWithLogs]) {
    for (const variant of [warm.variants.handler, warm.variants.jose, warm.variants.nodeCrypto]) {
      expect(variant.cpuUsPerRequest).toBeGreaterThan(0);
      expect(variant.p99Us).toBeGreaterThanOrEqual(variant.p50Us);
    }
  }
  expect(results.coldStart.processes).toBe(2);
  expect(results.coldStart.bundle.wallMs).toBeGreaterThan(0);
  expect(results.coldStart.parts.length).toBeGreaterThan(0);
  expect(results.memory.requests).toBe(300);
  expect(results.memory.peakRssMb).toBeGreaterThan(0);
  expect(results.httpStack?.requests).toBe(16);
  expect(results.memorySizes.map((size) => size.memoryMb)).toContain(128);
});

test('measures the artifact that serverless package writes', () => {
  expect(results.artifact.zipBytes).toBeGreaterThan(10_000);
  expect(results.artifact.files).toBeGreaterThanOrEqual(1);
});

test('counts one Secrets Manager call per container per cache window', () => {
  expect(results.secretsManager).toMatchObject({ requests: 100, calls: 1, callsOverSustainedRun: 1 });
  expect(results.secretsManager.cacheWindows).toMatchObject({ windows: 2, requests: 20, calls: 2 });
  expect(results.coldStart.secretsManagerCalls).toBe(2);
});

test('prints the table with every goal', () => {
  expect(stdout).toContain('| figure | measured | next to (same run) | ratio | goal |');
  for (const goal of ['≤ 1.2× jose', '≤ 1.5×', '≤ 200 KB', '1 per container per window', '< 100 MB']) {
    expect(stdout).toContain(goal);
  }
});
