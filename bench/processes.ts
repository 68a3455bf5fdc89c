import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { ROOT } from './service';

/** The child programs (bench/child/*.ts), bundled to plain CommonJS so that they start in `node` without a loader. */
export async function buildChildPrograms(dir: string) {
  const entryPoints = ['container', 'warmPath'].map((name) => join(__dirname, 'child', `${name}.ts`));
  await build({ entryPoints, outdir: dir, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
  return { container: join(dir, 'container.js'), warmPath: join(dir, 'warmPath.js') };
}
type ChildPrograms = Awaited<ReturnType<typeof buildChildPrograms>>;

/** A node binary to run children on; `label` is its major ("Node 22"): the bench runs one binary per major. */
export interface NodeBinary {
  readonly label: string;
  readonly version: string;
  readonly execPath: string;
}
const nodeBinary = (version: string, execPath: string): NodeBinary => ({ label: `Node ${version.slice(1).split('.')[0]}`, version, execPath });

/** The node running the bench: the warm path, the sustained run and the HTTP stack run on it. */
export const OWN_NODE = nodeBinary(process.version, process.execPath);

/** Node 22, Lambda's runtime, from scripts/node22.sh (installed from the npm registry on first use), or why there is none. */
export async function node22(): Promise<NodeBinary | { readonly missing: string }> {
  try {
    const execPath = (await promisify(execFile)('bash', [join(ROOT, 'scripts', 'node22.sh')])).stdout.trim();
    return nodeBinary((await promisify(execFile)(execPath, ['--version'])).stdout.trim(), execPath);
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    return { missing: (stderr?.trim() || message).split('\n').at(-1) ?? 'scripts/node22.sh failed' };
  }
}

/** What every measurement is given: the child programs, the children's environment, the caller, and where to count. */
export interface Bench {
  readonly programs: ChildPrograms;
  /** What a Lambda container is given, pointed at the Secrets Manager stand-in. */
  readonly env: NodeJS.ProcessEnv;
  readonly callerToken: string;
  readonly secretString: string;
  /** The nodes cold starts run on: Node 22 first (when installed), then this machine's. */
  readonly nodes: readonly NodeBinary[];
  /** GetSecretValue calls the stand-in has received so far. */
  readonly secretsManagerCalls: () => number;
  readonly workDir: string;
}

/**
 * Runs `node <args>` on `node` (this process's own by default) with stdout discarded (the service's
 * logs go there, as to Lambda's log pipe) and returns the JSON the child wrote to fd 3 and the wall
 * time from spawn to exit. `onMessage`, when given, gets each IPC message. A Lambda container has
 * neither NODE_OPTIONS nor NODE_EXTRA_CA_CERTS (which alone adds 40 to 80 ms to a node start here),
 * so neither reaches a child, whatever `env` holds.
 * @throws Error with the child's stderr when it exits non-zero or reports nothing.
 */
export function runNode<Report>(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; node?: NodeBinary; onMessage?: (message: unknown, child: ChildProcess) => void },
): Promise<{ report: Report; wallMs: number }> {
  const { NODE_OPTIONS: _options, NODE_EXTRA_CA_CERTS: _certs, ...env } = options.env;
  const { onMessage } = options;
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const stdio = ['ignore', 'ignore', 'pipe', 'pipe', ...(onMessage ? (['ipc'] as const) : [])] as const;
    const child = spawn((options.node ?? OWN_NODE).execPath, args, { env, stdio: [...stdio] });
    let [stderr, reported, exitedAt] = ['', '', Number.NaN];
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => (reported += chunk.toString('utf8')));
    if (onMessage) child.on('message', (message) => onMessage(message, child));
    child.on('exit', () => (exitedAt = performance.now()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && reported !== '') resolve({ report: JSON.parse(reported) as Report, wallMs: exitedAt - startedAt });
      else reject(new Error(`node ${args.join(' ').slice(0, 200)} exited with ${code}:\n${stderr}`));
    });
  });
}
