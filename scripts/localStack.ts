import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { startHeaderJoiningProxy } from './headerJoiningProxy';
import { LOCAL_SECRET_ID } from './localSecret';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from './secretsManagerStandIn';

const ROOT = join(__dirname, '..');

/** The stage the local stack runs as: serverless-offline names the functions jwt-mint-local-<function>. */
const LOCAL_STAGE = 'local';

/** The local name of one of serverless.yml's functions, as the Lambda invoke endpoint knows it. */
export function localFunctionName(fn: 'generateJwt' | 'rotateSigningKeys'): string {
  return `jwt-mint-${LOCAL_STAGE}-${fn}`;
}

/** A running local stack: serverless-offline serving the real handlers, and the Secrets Manager stand-in. */
export interface LocalStack {
  readonly url: string;
  readonly httpPort: number;
  readonly lambdaPort: number;
  /** serverless-offline's Lambda Invoke API, e.g. http://localhost:3002. */
  readonly lambdaEndpoint: string;
  /** The name of the signing secret in the stand-in. */
  readonly secretId: string;
  readonly standIn: SecretsManagerStandIn;
  /** Settles when serverless-offline exits, on its own or stopped. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything serverless-offline and the handler wrote, for tests that read the logs. */
  output(): string;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  readonly secretString: string;
  /** The signing secret's name in the stand-in (SIGNING_SECRET_ID); default local/jwt-mint/signing-secret. */
  readonly secretId?: string;
  readonly httpPort?: number;
  readonly lambdaPort?: number;
  /**
   * Extra environment for serverless-offline. The functions themselves see only AWS_* variables from
   * here; set their configuration through `params` instead.
   */
  readonly env?: Record<string, string>;
  /** Stage parameters of serverless.yml, e.g. `{ secretCacheSeconds: '2' }`: how the functions are configured. */
  readonly params?: Record<string, string>;
  /** The functions' log level, given to them as AWS_LAMBDA_LOG_LEVEL, as Lambda does from applicationLogLevel. */
  readonly logLevel?: string;
  /** Echo serverless-offline's output to this process's stdout/stderr. */
  readonly echo?: boolean;
  readonly startTimeoutMs?: number;
  /** Aborting stops whatever has started and rejects the start. */
  readonly signal?: AbortSignal;
}

/**
 * Starts the stand-in, then serverless-offline pointed at it with dummy credentials. On any failure,
 * or when `signal` aborts, it stops what it started before it rejects.
 * @throws Error when serverless-offline exits or does not listen in time; the abort reason when aborted.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const secretId = options.secretId ?? LOCAL_SECRET_ID;
  const standIn = await startSecretsManagerStandIn({ secrets: { [secretId]: options.secretString } });
  if (options.signal?.aborted) {
    await standIn.close();
    throw options.signal.reason;
  }
  const httpPort = options.httpPort ?? 8080;
  const lambdaPort = options.lambdaPort ?? 3002;
  // serverless-offline listens inside, the header-joining proxy on the port callers use.
  const offlinePort = await anyFreePort();
  let output = '';
  const child = spawn(
    process.execPath,
    [
      // Stops serverless-offline's process group once this process is gone, however it ended.
      '--require',
      join(__dirname, 'exitWithParent.cjs'),
      join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js'),
      'offline',
      'start',
      '--stage',
      LOCAL_STAGE,
      '--param',
      `signingSecretArn=${secretId}`,
      ...Object.entries(options.params ?? {}).flatMap(([name, value]) => ['--param', `${name}=${value}`]),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...options.env,
        PORT: String(offlinePort),
        LAMBDA_PORT: String(lambdaPort),
        AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn.endpoint,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...(options.logLevel ? { AWS_LAMBDA_LOG_LEVEL: options.logLevel } : {}),
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: serverless-offline starts workers (esbuild) that must stop with it.
      detached: true,
    },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A failed spawn emits 'error' and no 'exit'.
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const collect = (chunk: Buffer, sink: NodeJS.WriteStream) => {
    output += chunk.toString('utf8');
    if (options.echo) sink.write(chunk);
  };
  child.stdout?.on('data', (chunk: Buffer) => collect(chunk, process.stdout));
  child.stderr?.on('data', (chunk: Buffer) => collect(chunk, process.stderr));

  let proxy: { close(): Promise<void> } | undefined;
  const stop = async () => {
    await proxy?.close();
    await killGroup(child, exited);
    await standIn.close();
  };
  const stopOnAbort = () => void stop();
  options.signal?.addEventListener('abort', stopOnAbort, { once: true });
  try {
    await waitForPort(offlinePort, child, options.startTimeoutMs ?? 60_000, () => output, options.signal);
    proxy = await startHeaderJoiningProxy({ port: httpPort, target: offlinePort });
  } catch (error) {
    await stop();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', stopOnAbort);
  }
  return {
    url: `http://localhost:${httpPort}/user/generateJwt`,
    httpPort,
    lambdaPort,
    lambdaEndpoint: `http://localhost:${lambdaPort}`,
    secretId,
    standIn,
    exited,
    output: () => output,
    stop,
  };
}

/** A TCP port that was free a moment ago. */
function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * Resolves when nothing listens on `port`, so that the start can tell serverless-offline's answer
 * from another program's.
 * @throws Error naming the port when it is taken.
 */
export function assertPortFree(port: number, variable: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`port ${port} is in use (${error.code ?? error.message}); stop what listens there or set ${variable}`)),
    );
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

async function waitForPort(
  port: number,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw signal.reason;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`serverless offline exited with code ${child.exitCode ?? child.signalCode}:\n${output()}`);
    }
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`serverless offline did not listen on port ${port} within ${timeoutMs} ms:\n${output()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** serverless-offline starts worker processes of its own: stop the whole process group. */
async function killGroup(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.pid === undefined) return;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone
    }
  };
  if (child.exitCode !== null || child.signalCode !== null) {
    // serverless-offline is gone; a worker of its group may still run.
    signalGroup('SIGKILL');
    return;
  }
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  signalGroup('SIGKILL');
}
