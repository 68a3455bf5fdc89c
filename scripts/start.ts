/**
 * `npm start`: the whole service on this machine. Starts a Secrets Manager stand-in holding the
 * local secret (a plain string or a JWK Set from `npm run keys -- new`), serves POST http://localhost:8080/user/generateJwt through serverless-offline with
 * the real handler, and prints a caller token and a curl line to try it.
 */
import { parseTtl, signCallerToken } from './callerTokens';
import { localSigningSecret, LOCAL_SECRET_FILE } from './localSecret';
import { startLocalStack } from './localStack';

async function main(): Promise<void> {
  const secretString = localSigningSecret();
  const httpPort = Number(process.env.PORT || 8080);
  const lambdaPort = Number(process.env.LAMBDA_PORT || 3002);
  console.log('Starting jwt-mint locally (serverless-offline + Secrets Manager stand-in)...');
  const stack = await startLocalStack({ secretString, httpPort, lambdaPort, echo: true });

  const callerToken = await signCallerToken({
    secretString,
    sub: 'local-admin',
    scopes: ['generateJwt'],
    audience: process.env.CALLER_AUDIENCE || 'mfs',
    ttlSeconds: parseTtl('1h'),
  });
  const body = JSON.stringify({ subject: 'test1', audience: 'mfs' });
  console.log(`
jwt-mint is running.

  Endpoint:        POST ${stack.url}
  Public keys:     GET  http://localhost:${stack.httpPort}/.well-known/jwks.json (empty for an HMAC-only secret)
  Lambda invoke:   http://localhost:${stack.lambdaPort} (function jwt-mint-local-generateJwt)
  Secrets Manager: ${stack.standIn.endpoint} (stand-in; secret from ${process.env.LOCAL_SIGNING_SECRET ? 'LOCAL_SIGNING_SECRET' : LOCAL_SECRET_FILE})

A caller token (sub local-admin, scope generateJwt, valid 1 hour):

  ${callerToken}

Mint a token:

  curl -s -X POST ${stack.url} \\
    -H 'Authorization: Bearer ${callerToken}' \\
    -H 'Content-Type: application/json' \\
    -d '${body}'

More caller tokens: npm run token -- --sub <id> --scope generateJwt,push --ttl 1h
Press Ctrl+C to stop.
`);

  const shutdown = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

main().catch((error: unknown) => {
  console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
