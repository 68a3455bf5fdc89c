/**
 * Prints a caller token: `npm run token -- --sub <id> --scope generateJwt,push --ttl 1h`.
 * Signs with the local secret, or with the real one when SIGNING_SECRET_ID is set (AWS credentials
 * from the usual SDK chain): that is how an operator makes the first admin token.
 */
import { parseArgs } from 'node:util';
import { createSecretsManagerClient, secretFetcher } from '../lib/secrets/secretsManager';
import { parseTtl, signCallerToken } from './callerTokens';
import { localSigningSecret } from './localSecret';

const USAGE = `Usage: npm run token -- [--sub <id>] [--scope a,b] [--ttl 1h] [--aud mfs]

  --sub    the caller's subject                      (default: local-admin)
  --scope  comma-separated scopes                    (default: generateJwt)
  --ttl    lifetime: 3600, 30m, 1h, 7d               (default: 1h)
  --aud    audience                                  (default: CALLER_AUDIENCE or mfs)

Signs with .local/signing-secret (or LOCAL_SIGNING_SECRET); with SIGNING_SECRET_ID set, signs with
that secret from AWS Secrets Manager instead. Prints only the token on stdout.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string', default: 'local-admin' },
      scope: { type: 'string', default: 'generateJwt' },
      ttl: { type: 'string', default: '1h' },
      aud: { type: 'string', default: process.env.CALLER_AUDIENCE || 'mfs' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const secretId = process.env.SIGNING_SECRET_ID;
  let secretString: string;
  if (secretId) {
    console.error(`Signing with secret "${secretId}" from Secrets Manager.`);
    const fetched = await secretFetcher(createSecretsManagerClient(), secretId)();
    secretString = fetched.secretString;
  } else {
    secretString = localSigningSecret();
  }
  const token = await signCallerToken({
    secretString,
    sub: values.sub,
    scopes: values.scope.split(',').map((scope) => scope.trim()).filter(Boolean),
    audience: values.aud,
    ttlSeconds: parseTtl(values.ttl),
  });
  console.log(token);
}

main().catch((error: unknown) => {
  console.error(`token: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
