/**
 * `npm start` as a developer runs it: the real npm, shell, tsx and scripts/start.ts over
 * serverless-offline. Each test starts it and ends it one way (Ctrl+C, SIGTERM, the death of the
 * process that started it, an error while starting, Ctrl+C while starting), and then checks that
 * every process it started has exited and that its ports are free. Linux: processes are read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/ports';
import { craftToken } from '../helpers/tokens';

const ROOT = join(__dirname, '..', '..');
const PLAIN_SECRET = 'npm-start-test-secret-abcdefghijklmnopqrstuvwxyz-0123';
const START_TIMEOUT_MS = 60_000;

interface Started {
  /** npm itself, or the launcher that started npm. */
  readonly process: ChildProcess;
  readonly httpPort: number;
  readonly lambdaPort: number;
  readonly stackFile: string;
  output(): string;
  /** Every process seen below `process` so far, with its command line. */
  readonly seen: Map<number, string>;
  readonly exited: Promise<number | null>;
  stopTracking(): void;
}

const running: Started[] = [];
let workDir: string;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'jwt-mint-npm-start-'));
});

afterEach(() => {
  // Whatever a failed test left behind, so that it does not spoil the others.
  for (const started of running.splice(0)) {
    started.stopTracking();
    for (const pid of [started.process.pid, ...started.seen.keys()]) if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** The environment of a developer's shell: none of the test setup's variables that would configure the service. */
function developerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['LOG_LEVEL', 'SIGNING_SECRET_ID', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'LOCAL_SIGNING_SECRET']) delete env[name];
  return { ...env, ...extra };
}

/**
 * Starts `npm start` in its own process group, as a terminal runs a foreground job; or, with
 * `launcher`, starts a node process that starts `npm start`, so that the test can kill its parent.
 */
async function npmStart(
  options: { env?: Record<string, string>; launcher?: boolean; httpPort?: number; lambdaPort?: number } = {},
): Promise<Started> {
  const httpPort = options.httpPort ?? (await freePort());
  const lambdaPort = options.lambdaPort ?? (await freePort());
  const stackFile = join(workDir, `stack-${httpPort}.json`);
  const env = developerEnv({ PORT: String(httpPort), LAMBDA_PORT: String(lambdaPort), LOCAL_STACK_FILE: stackFile, ...options.env });
  const [command, args] = options.launcher
    ? [process.execPath, ['-e', "require('node:child_process').spawn('npm', ['start'], { stdio: 'inherit' }); setInterval(() => {}, 1000);"]]
    : ['npm', ['start']];
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const seen = new Map<number, string>();
  const timer = setInterval(() => {
    for (const [pid, command] of descendantsOf(child.pid as number)) seen.set(pid, command);
  }, 100);
  const started: Started = { process: child, httpPort, lambdaPort, stackFile, output: () => output, seen, exited, stopTracking: () => clearInterval(timer) };
  running.push(started);
  return started;
}

async function waitFor(started: Started, condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const untilRunning = (started: Started) => waitFor(started, () => started.output().includes('Press Ctrl+C to stop.'), 'npm start to be running');

/** Waits for the processes to exit, then checks that none is left and the ports are free. */
async function expectNothingLeft(started: Started): Promise<void> {
  await waitFor(started, () => [...started.seen.keys()].every((pid) => !isAlive(pid)), 'every process npm start started to exit');
  started.stopTracking();
  const commands = [...started.seen.values()];
  // What was tracked: the whole chain, serverless-offline included.
  expect(commands.some((command) => command.includes('scripts/start.ts'))).toBe(true);
  expect([...started.seen.keys()].filter(isAlive)).toEqual([]);
  await expect(portIsFree(started.httpPort)).resolves.toBe(true);
  await expect(portIsFree(started.lambdaPort)).resolves.toBe(true);
  expect(existsSync(started.stackFile)).toBe(false);
}

/** The processes below `root` (not `root` itself), by pid, with their command lines. */
function descendantsOf(root: number): Map<number, string> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const found = new Map<number, string>();
  let frontier = [root];
  while (frontier.length > 0) {
    const children = [...parents].filter(([, parent]) => frontier.includes(parent)).map(([pid]) => pid);
    for (const pid of children) found.set(pid, commandOf(pid));
    frontier = children;
  }
  return found;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Running, and not a zombie waiting for its parent to reap it. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe: Server = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

test('Ctrl+C: it served the discovery document of TOKEN_ISSUER, printed its configuration and a token exchange that works, and leaves nothing behind', async () => {
  // Prepare
  const httpPort = await freePort();
  const issuer = `http://localhost:${httpPort}`;
  const started = await npmStart({ httpPort, env: { TOKEN_ISSUER: issuer, LOCAL_SIGNING_SECRET: PLAIN_SECRET } });
  await untilRunning(started);
  const discovery = await fetch(`http://localhost:${started.httpPort}/.well-known/openid-configuration`);
  // The printed token exchange line, as curl sends it: each -d a form field.
  const curl = /curl -s -X POST (\S+\/oauth2\/token)((?: \\\n +-d \S+)+)/.exec(started.output());
  const exchanged = curl && (await fetch(String(curl[1]), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: [...String(curl[2]).matchAll(/-d (\S+)/g)].map((field) => field[1]).join('&'),
  }));
  const exchangedBody: unknown = await exchanged?.json();

  // Act: a terminal sends SIGINT to the whole foreground job.
  process.kill(-(started.process.pid as number), 'SIGINT');

  // Assess: npm passes SIGINT on and then ends itself by it, so its own exit code says nothing.
  await started.exited;
  expect(discovery.status).toBe(200);
  expect(await discovery.json()).toMatchObject({ issuer, jwks_uri: `${issuer}/.well-known/jwks.json` });
  expect(started.output()).toMatch(new RegExp(`TOKEN_ISSUER +${issuer}\\n`));
  expect(started.output()).toMatch(/REQUIRED_SCOPE +generateJwt +\(default\)/);
  expect(started.output()).toMatch(/A caller token \(sub local-admin/);
  expect(exchanged?.status).toBe(200);
  expect(exchangedBody).toMatchObject({ token_type: 'Bearer', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' });
  expect(started.output()).not.toContain(PLAIN_SECRET);
  await expectNothingLeft(started);
}, 120_000);

test('SIGTERM to npm, with an unusable secret: it answered 500 SIGNING_KEY_UNUSABLE, printed the problem, and leaves nothing behind', async () => {
  // Prepare
  const started = await npmStart({ env: { LOCAL_SIGNING_SECRET: '{"keys":[]}' } });
  await untilRunning(started);
  const refused = await fetch(`http://localhost:${started.httpPort}/user/generateJwt`, {
    method: 'POST',
    // A well-formed token: one that cannot be ours is refused before any key is fetched.
    headers: { authorization: `Bearer ${craftToken('{"alg":"HS256"}', '{"sub":"x"}')}`, 'content-type': 'application/json' },
    body: '{"subject":"x"}',
  });
  await waitFor(started, () => started.output().includes('request failed'), 'the log line of the refusal');

  // Act: `kill <npm's pid>`, the way a process manager stops it.
  process.kill(started.process.pid as number, 'SIGTERM');

  // Assess
  await started.exited;
  expect(refused.status).toBe(500);
  expect(await refused.json()).toMatchObject({ code: 500, error: 'SIGNING_KEY_UNUSABLE', data: null });
  expect(started.output()).toContain('The local signing secret is unusable: The signing key set is empty');
  expect(started.output()).not.toContain('A caller token');
  expect(started.output()).toMatch(/"message":{"event":"request failed".*"code":"SIGNING_KEY_UNUSABLE".*The signing key set is empty/);
  await expectNothingLeft(started);
}, 120_000);

test('the death of the process that started it: it stops and leaves nothing behind', async () => {
  // Prepare
  const started = await npmStart({ launcher: true, env: { LOCAL_SIGNING_SECRET: PLAIN_SECRET } });
  await untilRunning(started);

  // Act: the launcher dies without a word to its children.
  process.kill(started.process.pid as number, 'SIGKILL');

  // Assess
  await started.exited;
  await waitFor(started, () => started.output().includes('has exited; stopping.'), 'npm start to notice');
  await expectNothingLeft(started);
}, 120_000);

test('an error while starting (the Lambda port is taken): it exits 1 and leaves nothing behind', async () => {
  // Prepare
  const lambdaPort = await freePort();
  const squatter = createServer().listen(lambdaPort);
  try {
    // Act
    const started = await npmStart({ lambdaPort, env: { LOCAL_SIGNING_SECRET: PLAIN_SECRET } });
    const code = await started.exited;

    // Assess
    expect(code).toBe(1);
    expect(started.output()).toMatch(/EADDRINUSE/);
    expect(started.output()).toMatch(/start: serverless offline exited with code 1/);
    await waitFor(started, () => [...started.seen.keys()].every((pid) => !isAlive(pid)), 'every process to exit');
    started.stopTracking();
    // serverless-offline fails at once, before it builds: its own exit is what the start reports.
    await expect(portIsFree(started.httpPort)).resolves.toBe(true);
  } finally {
    squatter.close();
  }
}, 120_000);

test('Ctrl+C while it is still starting: it stops serverless-offline too and leaves nothing behind', async () => {
  // Prepare
  const started = await npmStart({ env: { LOCAL_SIGNING_SECRET: PLAIN_SECRET } });
  await waitFor(started, () => [...started.seen.values()].some((command) => command.includes('serverless.js offline')), 'serverless-offline to start');

  // Act
  process.kill(-(started.process.pid as number), 'SIGINT');

  // Assess
  await started.exited;
  expect(started.output()).not.toContain('jwt-mint is running');
  await expectNothingLeft(started);
}, 120_000);
