import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { CliResult } from './keysCli';

const ROOT = join(__dirname, '../..');

/** Runs `npm run rotate -- ...` as an operator would, in a separate process. */
export function runRotate(args: readonly string[], options: { env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'scripts/rotate.ts'), ...args], {
      env: { ...process.env, SIGNING_SECRET_ID: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The options that point `npm run rotate -- --local` at a stack a test started. */
export function localStackOptions(stack: { standIn: { endpoint: string }; lambdaEndpoint: string; secretId: string }): string[] {
  return ['--local', '--secrets-manager', stack.standIn.endpoint, '--lambda', stack.lambdaEndpoint, '--secret-id', stack.secretId];
}
