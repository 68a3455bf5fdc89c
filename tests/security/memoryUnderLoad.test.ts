import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

// The heap check needs a process of its own: --expose-gc, and no jest module registry holding
// on to objects. bench/memory.ts exits non-zero when the heap grows past its 10 MB bound.
test('50,000 invocations in one process grow the heap after GC by less than 10 MB', async () => {
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/memory.ts'], {
    cwd: ROOT,
    env: { ...process.env, BENCH_INVOCATIONS: '50000', LOG_LEVEL: 'SILENT' },
    maxBuffer: 1024 * 1024,
  });

  const growth = /growth (\d+\.\d+) MB \(bound 10\.00 MB\)/.exec(stdout);
  expect(growth).not.toBeNull();
  expect(Number(growth?.[1])).toBeLessThan(10);
}, 180_000);
