/**
 * A standard OAuth client and the verifiers people use, against the local stack (serverless-offline
 * and the Secrets Manager stand-in, `TOKEN_ISSUER=http://localhost:<port> npm start` with an RS256
 * key set): openid-client discovers the issuer and exchanges a caller token for a narrower one
 * through its generic grant request; aws-jwt-verify, oauth4webapi's validateJwtAccessToken and
 * jsonwebtoken + jwks-rsa accept the result, and the original route's tokens with TOKEN_FORMAT=rfc9068.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import * as client from 'openid-client';
import { localConfiguration } from '../../scripts/localConfig';
import { localFunctionName, startLocalStack, type LocalStack } from '../../scripts/localStack';
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, TOKEN_EXCHANGE } from '../helpers/exchange';
import { callerTokenSignedWith, keySetSecret, privateJwk } from '../helpers/keys';
import { freePort } from '../helpers/ports';
import { decodeJwt } from '../helpers/tokens';
import { VERIFIERS, type VerifierName } from '../helpers/verifiers';

const nowSeconds = () => Math.floor(Date.now() / 1000);

let stack: LocalStack;
let issuer: string;
let caller: (claims?: Record<string, unknown>) => Promise<string>;
let config: client.Configuration;

beforeAll(async () => {
  const httpPort = await freePort();
  issuer = `http://localhost:${httpPort}`;
  const signing = await privateJwk('RS256', { kid: 'rs256-local' });
  caller = (claims = {}) => callerTokenSignedWith(signing, { nowSeconds: nowSeconds(), claims: { sub: 'local-admin', ...claims } });
  // As npm start configures the functions from its environment.
  const local = localConfiguration({ TOKEN_ISSUER: issuer, TOKEN_FORMAT: 'rfc9068', ALLOWED_AUDIENCES: 'mfs,billing', SCOPES_SUPPORTED: 'push,query' });
  stack = await startLocalStack({ secretString: keySetSecret(signing), params: local.params, httpPort, lambdaPort: await freePort() });
  config = await client.discovery(new URL(issuer), 'interop-test-client', undefined, client.None(), { execute: [client.allowInsecureRequests] });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

const JWKS_VERIFIERS: readonly VerifierName[] = ['aws-jwt-verify', 'oauth4webapi', 'jsonwebtoken + jwks-rsa'];

test('openid-client discovers the issuer: the token endpoint, the token exchange grant, no client authentication, RS256', () => {
  // Assess
  expect(config.serverMetadata()).toMatchObject({
    issuer,
    token_endpoint: `${issuer}/oauth2/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    grant_types_supported: [TOKEN_EXCHANGE],
    token_endpoint_auth_methods_supported: ['none'],
    scopes_supported: ['push', 'query'],
    id_token_signing_alg_values_supported: ['RS256'],
  });
});

test('openid-client discovers the same metadata at RFC 8414\'s well-known path', async () => {
  // Act
  const oauth2 = await client.discovery(new URL(issuer), 'interop-test-client', undefined, client.None(), { algorithm: 'oauth2', execute: [client.allowInsecureRequests] });

  // Assess
  const { subject_types_supported: _subjectTypes, ...rfc8414 } = config.serverMetadata();
  expect(oauth2.serverMetadata()).toEqual(rfc8414);
});

test('openid-client exchanges a caller token for a narrower one, which every JWKS verifier accepts', async () => {
  // Prepare
  const subject = await caller({ scope: ['generateJwt', 'push', 'query'] });

  // Act
  const response = await client.genericGrantRequest(config, TOKEN_EXCHANGE, {
    subject_token: subject,
    subject_token_type: ACCESS_TOKEN_TYPE,
    scope: 'push',
    audience: 'billing',
  });

  // Assess
  expect(response).toMatchObject({ issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'bearer', scope: 'push' });
  expect(response.expiresIn()).toBeGreaterThan(3500);
  expect(decodeJwt(response.access_token)).toMatchObject({
    header: { alg: 'RS256', typ: 'at+jwt', kid: 'rs256-local' },
    payload: { iss: issuer, sub: 'local-admin', aud: 'billing', client_id: 'local-admin', scope: 'push' },
  });
  for (const verifier of JWKS_VERIFIERS) {
    await expect(VERIFIERS[verifier]({ token: response.access_token, issuer, audience: 'billing', alg: 'RS256' })).resolves.toMatchObject({ sub: 'local-admin' });
  }
});

test('openid-client exchanges on behalf of a user for the service the user\'s token is addressed to, with its own token as actor', async () => {
  // Prepare
  const userToken = await caller({ sub: 'user-1', aud: 'svc-orders', scope: 'push' });
  const serviceToken = await caller({ sub: 'svc-orders', scope: [] });

  // Act
  const response = await client.genericGrantRequest(config, TOKEN_EXCHANGE, {
    subject_token: userToken,
    subject_token_type: JWT_TOKEN_TYPE,
    actor_token: serviceToken,
    actor_token_type: ACCESS_TOKEN_TYPE,
  });

  // Assess
  expect(decodeJwt(response.access_token).payload).toMatchObject({ sub: 'user-1', aud: 'mfs', client_id: 'svc-orders', act: { sub: 'svc-orders' } });
  await expect(VERIFIERS['aws-jwt-verify']({ token: response.access_token, issuer, audience: 'mfs', alg: 'RS256' })).resolves.toMatchObject({ sub: 'user-1' });
});

test.each([
  ['a scope beyond the caller token\'s', 'invalid_scope', { scope: 'admin' }],
  ['an audience not allowed', 'invalid_target', { audience: 'payments' }],
  ['a token addressed to another service, without its actor', 'invalid_grant', { subject_token: 'STOLEN' }],
])('openid-client reads the refusal of %s as the OAuth error %s', async (_case, error, parameters: Record<string, string>) => {
  // Prepare
  const subject = await caller({ scope: 'push' });
  const stolen = await caller({ sub: 'user-1', aud: 'svc-orders' });

  // Act
  const exchange = client.genericGrantRequest(config, TOKEN_EXCHANGE, {
    subject_token: subject,
    subject_token_type: ACCESS_TOKEN_TYPE,
    ...Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, value === 'STOLEN' ? stolen : value])),
  });

  // Assess
  await expect(exchange).rejects.toMatchObject({ name: 'ResponseBodyError', error, status: 400 });
});

test('the original route\'s tokens with TOKEN_FORMAT=rfc9068 pass the same verifiers', async () => {
  // Act
  const response = await fetch(stack.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${await caller({ scope: ['generateJwt', 'push'] })}`, 'content-type': 'application/json' },
    body: JSON.stringify({ subject: 'svc-1', authorities: ['push'] }),
  });

  // Assess
  const { data } = (await response.json()) as { data: string };
  for (const verifier of JWKS_VERIFIERS) {
    await expect(VERIFIERS[verifier]({ token: data, issuer, audience: 'mfs', alg: 'RS256' })).resolves.toMatchObject({ sub: 'svc-1' });
  }
});

test('another Lambda exchanges a token by invoking the function directly with the path and the form', async () => {
  // Prepare
  const lambda = new LambdaClient({ endpoint: stack.lambdaEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const subject = await caller({ scope: 'push query' });

  try {
    // Act
    const output = await lambda.send(
      new InvokeCommand({
        FunctionName: localFunctionName('generateJwt'),
        Payload: new TextEncoder().encode(JSON.stringify({ path: '/oauth2/token', body: { grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE, scope: 'query' } })),
      }),
    );

    // Assess
    const answer = JSON.parse(new TextDecoder().decode(output.Payload)) as Record<string, unknown>;
    expect(answer).toMatchObject({ issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', scope: 'query' });
    await expect(VERIFIERS.oauth4webapi({ token: String(answer.access_token), issuer, audience: 'mfs', alg: 'RS256' })).resolves.toMatchObject({ scope: 'query' });
  } finally {
    lambda.destroy();
  }
});
