import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';

/** The child programs, bundled to plain CommonJS so that they start in `node` without a loader. */
export interface ChildPrograms {
  readonly coldStart: string;
  readonly warmPath: string;
  readonly sustained: string;
}

/** Bundles bench/child/*.ts into `dir`. */
export async function buildChildPrograms(dir: string): Promise<ChildPrograms> {
  const names = ['coldStart', 'warmPath', 'sustained'] as const;
  await build({
    entryPoints: names.map((name) => join(__dirname, 'child', `${name}.ts`)),
    outdir: dir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
  });
  return Object.fromEntries(names.map((name) => [name, join(dir, `${name}.js`)])) as unknown as ChildPrograms;
}

/** What a child process is given, and nothing else: its results come back on fd 3. */
export interface ChildOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Called for each IPC message; when given, the child gets an IPC channel. */
  readonly onMessage?: (message: unknown, child: ChildProcess) => void;
}

/** A finished child: what it wrote to fd 3, and the wall time from spawn to its exit. */
export interface ChildRun<Report> {
  readonly report: Report;
  readonly wallMs: number;
}

/**
 * Runs `node <args>` with stdout discarded (the service's logs go there, as to Lambda's log pipe)
 * and returns the JSON the child wrote to fd 3.
 * @throws Error with the child's stderr when it exits non-zero or reports nothing.
 */
export function runNode<Report>(args: readonly string[], options: ChildOptions): Promise<ChildRun<Report>> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, args, {
      env: options.env,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', ...(options.onMessage ? (['ipc'] as const) : [])],
    });
    let stderr = '';
    let reported = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => (reported += chunk.toString('utf8')));
    if (options.onMessage) child.on('message', (message) => options.onMessage?.(message, child));
    let exitedAt = Number.NaN;
    child.on('exit', () => (exitedAt = performance.now()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = exitedAt - startedAt;
      if (code !== 0 || reported === '') {
        reject(new Error(`node ${args.join(' ').slice(0, 200)} exited with ${code}:\n${stderr}`));
        return;
      }
      resolve({ report: JSON.parse(reported) as Report, wallMs });
    });
  });
}
