import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The name the local stack gives the signing secret in its Secrets Manager stand-in. */
export const LOCAL_SECRET_ID = 'local/jwt-mint/signing-secret';

/** Where the generated local secret lives: git-ignored, reused across runs. */
export const LOCAL_SECRET_FILE = join(__dirname, '..', '.local', 'signing-secret');

/**
 * Where `npm start` says, while it runs, how to reach its stack: `npm run rotate -- --local` reads
 * it. LOCAL_STACK_FILE moves it (tests do, so as not to touch a developer's running stack).
 */
export function localStackFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOCAL_STACK_FILE || join(__dirname, '..', '.local', 'stack.json');
}

/** The contents of the local stack file. */
export interface LocalStackFile {
  /** The pid of `npm start`, to tell a stale file from a running stack. */
  readonly pid: number;
  readonly secretsManagerEndpoint: string;
  readonly lambdaEndpoint: string;
  readonly secretId: string;
  readonly rotationFunction: string;
}

/**
 * The local signing secret: LOCAL_SIGNING_SECRET when set, otherwise one generated once into
 * .local/ and reused, so caller tokens survive a restart.
 */
export function localSigningSecret(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOCAL_SIGNING_SECRET) return env.LOCAL_SIGNING_SECRET;
  if (existsSync(LOCAL_SECRET_FILE)) return readFileSync(LOCAL_SECRET_FILE, 'utf8').trim();
  mkdirSync(join(LOCAL_SECRET_FILE, '..'), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(LOCAL_SECRET_FILE, `${secret}\n`, { mode: 0o600 });
  return secret;
}
