/**
 * Key tooling: `npm run keys -- new | rotate | public`. See USAGE, and "Keys and rotation" in the README.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadRotationConfig } from '../lib/config';
import { ALGS_BY_KTY, type SigningAlg } from '../lib/keys/jwk';
import {
  defaultRotationAlg,
  generateSigningJwk,
  newKeySetSecret,
  publicKeySet,
  rotateKeySet,
} from '../lib/keys/rotation';
import { createSecretsManagerClient, secretFetcher, secretWriter } from '../lib/secrets/secretsManager';

const ALGS: readonly string[] = Object.values(ALGS_BY_KTY).flat();

const USAGE = `Usage: npm run keys -- <command> [options]

  new     [--alg ES256]            Print a new key set holding one key, which signs at once.

  rotate  [--alg ALG] [--file PATH|-] [--publish-delay SECONDS] [--drop KID]... [--drop-all] [--dry-run]
          Read the current set, put a new key first that is published now and signs after
          --publish-delay (default: PUBLISH_DELAY_SECONDS, or twice SECRET_CACHE_SECONDS plus the
          two hours API Gateway may cache the JWKS), stamp retired_at on the keys it replaces, and
          drop keys retired longer ago than MAX_TTL_SECONDS + SECRET_CACHE_SECONDS. The rotation
          function applies the same rules on its schedule.
          --alg defaults to the current signing key's (ES256 when the secret is a plain string).
          --drop KID removes a key now (after a leak; with --publish-delay 0 if it is the signer).
          --drop-all removes every current key (the secret value leaked); needs --publish-delay 0.

  public  [--file PATH|-]          Print the JWKS a verifier needs: the public halves only.

Where the current set comes from: --file PATH, or --file - for stdin; otherwise the secret named by
SIGNING_SECRET_ID in AWS Secrets Manager (AWS credentials from the usual SDK chain), and then
rotate writes the new set back with PutSecretValue unless --dry-run. A set read from a file or
stdin is printed on stdout instead. MAX_TTL_SECONDS, SECRET_CACHE_SECONDS and PUBLISH_DELAY_SECONDS
must be the deployed values. Supported --alg: ${ALGS.join(', ')}.`;

/** Where the current set was read from, and how to write the rotated one. */
interface Source {
  readonly secretString: string;
  readonly write: ((secretString: string) => Promise<{ versionId: string | undefined }>) | undefined;
  readonly name: string;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      alg: { type: 'string' },
      file: { type: 'string' },
      'publish-delay': { type: 'string' },
      drop: { type: 'string', multiple: true, default: [] },
      'drop-all': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined) {
    console.log(USAGE);
    if (command === undefined && !values.help) process.exitCode = 2;
    return;
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const alg = values.alg === undefined ? undefined : parseAlg(values.alg);
  // Rounded up, so that a new key's nbf is never less than --publish-delay after the write.
  const nowSeconds = Math.ceil(Date.now() / 1000);

  switch (command) {
    case 'new': {
      console.log(newKeySetSecret(await generateSigningJwk(alg ?? 'ES256')));
      return;
    }
    case 'public': {
      const source = await readSource(values.file);
      console.log(JSON.stringify(publicKeySet(source.secretString, nowSeconds), null, 2));
      return;
    }
    case 'rotate': {
      // The same parsing and defaults as the rotation function, so that the windows match the deployed ones.
      const config = loadRotationConfig(process.env);
      const source = await readSource(values.file);
      const publishDelaySeconds =
        values['publish-delay'] === undefined ? config.publishDelaySeconds : parseSeconds(values['publish-delay']);
      const newKey = await generateSigningJwk(alg ?? defaultRotationAlg(source.secretString, nowSeconds));
      const rotation = rotateKeySet(source.secretString, newKey, {
        nowSeconds,
        publishDelaySeconds,
        keepRetiredSeconds: config.keepRetiredSeconds,
        dropKids: values.drop,
        dropAll: values['drop-all'],
      });
      console.error(
        [
          `Added ${newKey.alg} key "${rotation.added}": published now, signs from ${iso(rotation.signsFrom)}.`,
          `Retired from then on: ${list(rotation.retired)}. Dropped now: ${list(rotation.dropped)}.`,
          `(MAX_TTL_SECONDS=${config.maxTtlSeconds}, SECRET_CACHE_SECONDS=${config.secretCacheSeconds}, publish delay ${publishDelaySeconds} s)`,
        ].join('\n'),
      );
      if (source.write && !values['dry-run']) {
        const { versionId } = await source.write(rotation.secretString);
        console.error(`Wrote version ${versionId ?? '(unknown)'} of ${source.name} as AWSCURRENT.`);
      } else {
        console.log(rotation.secretString);
      }
      return;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function readSource(file: string | undefined): Promise<Source> {
  if (file === '-') return { secretString: await readStdin(), write: undefined, name: 'stdin' };
  if (file !== undefined) return { secretString: readFileSync(file, 'utf8').trim(), write: undefined, name: file };
  const secretId = process.env.SIGNING_SECRET_ID;
  if (!secretId) throw new UsageError('give --file PATH, --file - for stdin, or set SIGNING_SECRET_ID');
  const client = createSecretsManagerClient();
  const fetched = await secretFetcher(client, secretId)();
  return { secretString: fetched.secretString, write: secretWriter(client, secretId), name: `secret "${secretId}"` };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

function parseAlg(text: string): SigningAlg {
  if (!ALGS.includes(text)) throw new UsageError(`--alg ${text} is not supported; use one of ${ALGS.join(', ')}`);
  return text as SigningAlg;
}

function parseSeconds(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--publish-delay ${text} is not a whole number of seconds`);
  return Number(text);
}

function iso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

function list(kids: readonly string[]): string {
  return kids.length === 0 ? 'none' : kids.map((kid) => `"${kid}"`).join(', ');
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

main().catch((error: unknown) => {
  console.error(`keys: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof UsageError) console.error('Run "npm run keys -- --help" for usage.');
  process.exitCode = 1;
});
