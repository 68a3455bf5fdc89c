import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { LOCAL_SECRET_ID } from './localSecret';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from './secretsManagerStandIn';

const ROOT = join(__dirname, '..');

/** A running local stack: serverless-offline serving the real handler, and the Secrets Manager stand-in. */
export interface LocalStack {
  readonly url: string;
  readonly httpPort: number;
  readonly lambdaPort: number;
  readonly standIn: SecretsManagerStandIn;
  /** Everything serverless-offline and the handler wrote, for tests that read the logs. */
  output(): string;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  readonly secretString: string;
  readonly httpPort?: number;
  readonly lambdaPort?: number;
  /**
   * Extra environment for serverless-offline. The function itself sees only AWS_* variables from
   * here; set its configuration through `params` instead.
   */
  readonly env?: Record<string, string>;
  /** Stage parameters of serverless.yml, e.g. `{ secretCacheSeconds: '2' }`: how the function is configured. */
  readonly params?: Record<string, string>;
  /** Echo serverless-offline's output to this process's stdout/stderr. */
  readonly echo?: boolean;
  readonly startTimeoutMs?: number;
}

/** Starts the stand-in, then serverless-offline pointed at it with dummy credentials. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const standIn = await startSecretsManagerStandIn({ secrets: { [LOCAL_SECRET_ID]: options.secretString } });
  const httpPort = options.httpPort ?? 8080;
  const lambdaPort = options.lambdaPort ?? 3002;
  let output = '';
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js'),
      'offline',
      'start',
      '--stage',
      'local',
      '--param',
      `signingSecretArn=${LOCAL_SECRET_ID}`,
      ...Object.entries(options.params ?? {}).flatMap(([name, value]) => ['--param', `${name}=${value}`]),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...options.env,
        PORT: String(httpPort),
        LAMBDA_PORT: String(lambdaPort),
        AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn.endpoint,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const collect = (chunk: Buffer, sink: NodeJS.WriteStream) => {
    output += chunk.toString('utf8');
    if (options.echo) sink.write(chunk);
  };
  child.stdout?.on('data', (chunk: Buffer) => collect(chunk, process.stdout));
  child.stderr?.on('data', (chunk: Buffer) => collect(chunk, process.stderr));

  const stop = async () => {
    await killGroup(child);
    await standIn.close();
  };
  try {
    await waitForPort(httpPort, child, options.startTimeoutMs ?? 60_000, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `http://localhost:${httpPort}/user/generateJwt`,
    httpPort,
    lambdaPort,
    standIn,
    output: () => output,
    stop,
  };
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`serverless offline exited with code ${child.exitCode}:\n${output()}`);
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
async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}
