/**
 * `npm start`: the whole service on this machine. Starts a Secrets Manager stand-in holding the
 * local secret (a plain string or a JWK Set from `npm run keys -- new`), serves
 * POST http://localhost:8080/user/generateJwt through serverless-offline with the real handlers,
 * configured from this environment as serverless.yml configures them from stage parameters, and
 * prints the configuration, a caller token and a curl line to try it (and, with TOKEN_ISSUER set,
 * one that exchanges the caller token at POST /oauth2/token).
 *
 * It leaves no process behind: on Ctrl+C, SIGTERM or SIGHUP, on an error while starting, when
 * serverless-offline exits, and when the process that started it exits, it stops serverless-offline's
 * process group and the stand-in before it exits itself.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../lib/config';
import { MintError } from '../lib/errors';
import { issuerBaseUrl, TOKEN_EXCHANGE_GRANT } from '../lib/keys/published';
import { onAncestorExit } from './ancestors';
import { parseTtl, signCallerToken } from './callerTokens';
import { localConfiguration, type LocalConfiguration } from './localConfig';
import { localSigningSecret, LOCAL_SECRET_FILE, localStackFile, type LocalStackFile } from './localSecret';
import { assertPortFree, localFunctionName, startLocalStack, type LocalStack } from './localStack';

const aborter = new AbortController();
let starting: Promise<LocalStack> | undefined;
let stopping: Promise<never> | undefined;

/** Stops whatever has started, once, then exits with `code`. */
function stopAndExit(code: number, why?: string): Promise<never> {
  stopping ??= (async () => {
    if (why) console.error(`\nstart: ${why}`);
    rmSync(localStackFile(), { force: true });
    aborter.abort(new Error('stopped'));
    const stack = await starting?.catch(() => undefined);
    await stack?.stop();
    process.exit(code);
  })();
  return stopping;
}

// `on`, not `once`: a second signal while stopping (a terminal and npm may both pass one on) must
// not end this process before it has stopped the others.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void stopAndExit(0, signal === 'SIGINT' ? undefined : `${signal}: stopping.`));
}
process.once('uncaughtException', (error) => void stopAndExit(1, error.stack ?? error.message));
process.once('unhandledRejection', (reason) => void stopAndExit(1, String(reason)));

async function main(): Promise<void> {
  const local = localConfiguration(process.env);
  const secretString = localSigningSecret();
  const httpPort = Number(process.env.PORT || 8080);
  const lambdaPort = Number(process.env.LAMBDA_PORT || 3002);
  // Checked first: the start waits for this port to answer, and another program's answer would do.
  await assertPortFree(httpPort, 'PORT');
  onAncestorExit((pid) => void stopAndExit(1, `the process that started npm start (pid ${pid}) has exited; stopping.`));

  console.log('Starting jwt-mint locally (serverless-offline + Secrets Manager stand-in)...');
  starting = startLocalStack({
    secretString,
    secretId: local.secretId,
    params: local.params,
    logLevel: local.logLevel,
    httpPort,
    lambdaPort,
    echo: true,
    signal: aborter.signal,
  });
  const stack = await starting;
  void stack.exited.then(({ code, signal }) => stopAndExit(1, `serverless-offline exited (${signal ?? `code ${code}`}); stopping.`));
  writeStackFile(stack);
  console.log(describeStack(stack, local) + (await tryItOut(stack, secretString, local)));
}

/** Where `npm run rotate -- --local` finds this stack. */
function writeStackFile(stack: LocalStack): void {
  const file: LocalStackFile = {
    pid: process.pid,
    secretsManagerEndpoint: stack.standIn.endpoint,
    lambdaEndpoint: stack.lambdaEndpoint,
    secretId: stack.secretId,
    rotationFunction: localFunctionName('rotateSigningKeys'),
  };
  mkdirSync(dirname(localStackFile()), { recursive: true });
  writeFileSync(localStackFile(), `${JSON.stringify(file, null, 2)}\n`);
}

function describeStack(stack: LocalStack, local: LocalConfiguration): string {
  const width = Math.max(...local.rows.map((row) => row.variable.length));
  const rows = local.rows.map((row) => `  ${row.variable.padEnd(width)}  ${row.value}${row.from === 'default' ? '  (default)' : ''}`);
  return `
jwt-mint is running.

  Endpoint:        POST ${stack.url}
  Public keys:     GET  http://localhost:${stack.httpPort}/.well-known/jwks.json (empty for an HMAC-only secret)
  Discovery:       GET  http://localhost:${stack.httpPort}/.well-known/openid-configuration (404 without TOKEN_ISSUER)
                   GET  http://localhost:${stack.httpPort}/.well-known/oauth-authorization-server (404 without TOKEN_ISSUER)
  Token exchange:  POST http://localhost:${stack.httpPort}/oauth2/token (RFC 8693; 404 without TOKEN_ISSUER)
  Lambda invoke:   ${stack.lambdaEndpoint} (functions ${localFunctionName('generateJwt')}, ${localFunctionName('rotateSigningKeys')})
  Secrets Manager: ${stack.standIn.endpoint} (stand-in; secret "${stack.secretId}" from ${process.env.LOCAL_SIGNING_SECRET ? 'LOCAL_SIGNING_SECRET' : LOCAL_SECRET_FILE})

Configuration, from this environment (each variable of docs/configuration.md; the secret itself is not shown):

${rows.join('\n')}
`;
}

/** A caller token and a curl line; or, when the secret cannot sign, what is wrong with it. */
async function tryItOut(stack: LocalStack, secretString: string, local: LocalConfiguration): Promise<string> {
  let callerToken: string;
  try {
    callerToken = await signCallerToken({
      secretString,
      sub: 'local-admin',
      scopes: [local.config.requiredScope],
      audience: local.config.callerAudience,
      ttlSeconds: parseTtl('1h'),
    });
  } catch (error) {
    if (!(error instanceof MintError)) throw error;
    return `
The local signing secret is unusable: ${error.message}
Every request answers 500 ${error.code}, as the deployed function would, and its log line names the
problem. Fix LOCAL_SIGNING_SECRET (or ${LOCAL_SECRET_FILE}) and start again.

Press Ctrl+C to stop.
`;
  }
  const body = JSON.stringify({ subject: 'test1', audience: local.config.defaultAudience });
  return `
A caller token (sub local-admin, scope ${local.config.requiredScope}, valid 1 hour):

  ${callerToken}

Mint a token:

  curl -s -X POST ${stack.url} \\
    -H 'Authorization: Bearer ${callerToken}' \\
    -H 'Content-Type: application/json' \\
    -d '${body}'
${exchangeLine(stack, callerToken, local)}
More caller tokens: npm run token -- --sub <id> --scope generateJwt,push --ttl 1h
Rotate the signing secret as Secrets Manager would: npm run rotate -- --local
Press Ctrl+C to stop.
`;
}

/**
 * A curl line that exchanges the caller token at the token endpoint, when TOKEN_ISSUER is set so
 * that the endpoint is served: the token it returns has the caller's scopes less the right to mint.
 */
function exchangeLine(stack: LocalStack, callerToken: string, local: LocalConfiguration): string {
  try {
    issuerBaseUrl(local.config.tokenIssuer, 'token endpoint');
  } catch {
    return `\nSet TOKEN_ISSUER (e.g. http://localhost:${stack.httpPort}) to serve the token endpoint, POST /oauth2/token.\n`;
  }
  return `
Exchange it for a narrower token (OAuth 2.0 Token Exchange, RFC 8693; an RFC 9068 access token):

  curl -s -X POST http://localhost:${stack.httpPort}/oauth2/token \\
    -d grant_type=${TOKEN_EXCHANGE_GRANT} \\
    -d subject_token=${callerToken} \\
    -d subject_token_type=urn:ietf:params:oauth:token-type:access_token \\
    -d audience=${local.config.defaultAudience}
`;
}

main().catch((error: unknown) => {
  // A configuration error names the variable, as the function would at its first request.
  const message = error instanceof ConfigError ? `configuration: ${error.message}` : error instanceof Error ? error.message : String(error);
  // Stopped by a signal while starting: the start's own failure says nothing new.
  void stopAndExit(1, stopping ? undefined : message);
});
