/**
 * Every variable of the configuration tables reaches the functions of the local stack: the stack is
 * started with the stage parameters `npm start` derives from its environment (scripts/localConfig.ts),
 * and each variable's effect is observed from outside, over HTTP, the Lambda Invoke API and the log.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { JWK } from 'jose';
import { CONFIG_VARIABLES, ROTATION_CONFIG_VARIABLES } from '../../lib/config';
import type { StoredJwk } from '../../lib/keys/jwk';
import { localConfiguration } from '../../scripts/localConfig';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { callerTokenSignedWith, keySetSecret, privateJwk } from '../helpers/keys';
import { freePort } from '../helpers/ports';
import { localStackOptions, runRotate } from '../helpers/rotateCli';
import { decodeJwt } from '../helpers/tokens';

const nowSeconds = () => Math.floor(Date.now() / 1000);

let stack: LocalStack;
let signing: JWK;
let env: Record<string, string>;

beforeAll(async () => {
  const httpPort = await freePort();
  signing = await privateJwk('ES256', { kid: 'signing' });
  // Retired long enough ago to go at the next rotation with MAX_TTL_SECONDS + SECRET_CACHE_SECONDS = 601, not with the defaults.
  const gone = await privateJwk('ES256', { kid: 'gone', retired_at: nowSeconds() - 700 });
  env = {
    SIGNING_SECRET_ID: 'parity/signing-secret',
    REQUIRED_SCOPE: 'mint:tokens',
    CALLER_AUDIENCE: 'gateway',
    DEFAULT_AUDIENCE: 'billing',
    ALLOWED_AUDIENCES: 'billing,reports',
    DEFAULT_TTL_SECONDS: '120',
    MAX_TTL_SECONDS: '600',
    CLOCK_TOLERANCE_SECONDS: '90',
    TOKEN_ISSUER: `http://localhost:${httpPort}`,
    SECRET_CACHE_SECONDS: '1',
    SECRET_STALE_SECONDS: '0',
    MAX_DELEGATION_DEPTH: '1',
    TOKEN_FORMAT: 'rfc9068',
    SCOPES_SUPPORTED: 'push,reports:read',
    SIGNING_ALGORITHM: 'ES384',
    PUBLISH_DELAY_SECONDS: '40',
    LOG_LEVEL: 'WARN',
  };
  const local = localConfiguration(env);
  stack = await startLocalStack({
    secretString: keySetSecret(signing, gone),
    secretId: local.secretId,
    params: local.params,
    logLevel: local.logLevel,
    httpPort,
    lambdaPort: await freePort(),
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

/** A caller token signed with the set's signing key, valid for the configured caller unless overridden. */
function caller(claims: Record<string, unknown> = {}): Promise<string> {
  return callerTokenSignedWith(signing, { nowSeconds: nowSeconds(), claims: { aud: 'gateway', scope: ['mint:tokens'], ...claims } });
}

async function mint(token: string, body: Record<string, unknown> = { subject: 'svc' }) {
  const response = await fetch(stack.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const envelope = (await response.json()) as { data: string | null; error?: string };
  const minted = envelope.data ? decodeJwt(envelope.data) : undefined;
  return { status: response.status, error: envelope.error, header: minted?.header, claims: minted?.payload };
}

const get = (path: string) => fetch(`http://localhost:${stack.httpPort}${path}`);
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** For each variable, what shows that the functions applied the value this file set. */
const EFFECTS: Record<(typeof CONFIG_VARIABLES)[number] | (typeof ROTATION_CONFIG_VARIABLES)[number] | 'LOG_LEVEL', () => Promise<void>> = {
  async SIGNING_SECRET_ID() {
    // The stand-in holds no other secret: a token minted at all was signed with this one.
    expect(stack.secretId).toBe('parity/signing-secret');
    expect((await mint(await caller())).status).toBe(200);
  },
  async REQUIRED_SCOPE() {
    expect(await mint(await caller({ scope: ['generateJwt'] }))).toMatchObject({ status: 403, error: 'INSUFFICIENT_SCOPE' });
  },
  async CALLER_AUDIENCE() {
    expect(await mint(await caller({ aud: 'mfs' }))).toMatchObject({ status: 401, error: 'INVALID_TOKEN' });
  },
  async DEFAULT_AUDIENCE() {
    expect((await mint(await caller())).claims?.aud).toBe('billing');
  },
  async ALLOWED_AUDIENCES() {
    expect((await mint(await caller(), { subject: 'svc', audience: 'reports' })).claims?.aud).toBe('reports');
    expect(await mint(await caller(), { subject: 'svc', audience: 'mfs' })).toMatchObject({ status: 403, error: 'AUDIENCE_NOT_ALLOWED' });
  },
  async DEFAULT_TTL_SECONDS() {
    const { claims } = await mint(await caller());
    expect(Number(claims?.exp) - Number(claims?.iat)).toBe(120);
  },
  async MAX_TTL_SECONDS() {
    expect(await mint(await caller(), { subject: 'svc', expiresAt: nowSeconds() + 3600 })).toMatchObject({ status: 400, error: 'INVALID_REQUEST' });
  },
  async CLOCK_TOLERANCE_SECONDS() {
    // Expired 60 s ago: inside 90 s of tolerance, outside the default 30.
    expect((await mint(await caller({ exp: nowSeconds() - 60 }))).status).toBe(200);
  },
  async TOKEN_ISSUER() {
    expect((await mint(await caller())).claims?.iss).toBe(env.TOKEN_ISSUER);
    expect(await (await get('/.well-known/openid-configuration')).json()).toMatchObject({ issuer: env.TOKEN_ISSUER });
    expect(await (await get('/.well-known/oauth-authorization-server')).json()).toMatchObject({ token_endpoint: `${env.TOKEN_ISSUER}/oauth2/token` });
  },
  async SECRET_CACHE_SECONDS() {
    expect((await get('/.well-known/jwks.json')).headers.get('cache-control')).toBe('public, max-age=1');
  },
  async SECRET_STALE_SECONDS() {
    // With no stale window, a refresh that fails after the one-second cache is a 503 at once.
    expect((await mint(await caller())).status).toBe(200);
    await stack.standIn.injectFault({ kind: 'InternalServiceError' });
    try {
      await wait(1500);
      expect(await mint(await caller())).toMatchObject({ status: 503, error: 'SECRET_UNAVAILABLE' });
    } finally {
      await stack.standIn.clearFault();
      // The failed refresh is remembered for a back-off of at most one second: wait it out.
      await wait(1100);
    }
  },
  async MAX_DELEGATION_DEPTH() {
    // One mint from its origin at most: a caller that was itself minted cannot mint again.
    expect(await mint(await caller({ act: { sub: 'origin' } }))).toMatchObject({ status: 403, error: 'DELEGATION_TOO_DEEP' });
  },
  async TOKEN_FORMAT() {
    const minted = await mint(await caller({ sub: 'svc-a', scope: ['mint:tokens', 'push'] }), { subject: 'svc', authorities: ['push'] });
    expect(minted.header).toMatchObject({ typ: 'at+jwt' });
    expect(minted.claims).toMatchObject({ client_id: 'svc-a', scope: 'push' });
  },
  async SCOPES_SUPPORTED() {
    expect(await (await get('/.well-known/oauth-authorization-server')).json()).toMatchObject({ scopes_supported: ['push', 'reports:read'] });
  },
  async LOG_LEVEL() {
    // WARN: the denials' audit lines are written, the issued ones (INFO) are not.
    expect((await mint(await caller())).status).toBe(200);
    expect(await mint(await caller({ scope: ['generateJwt'] }))).toMatchObject({ status: 403 });
    await wait(200);
    expect(stack.output()).toContain('"audit":"denied"');
    expect(stack.output()).not.toContain('"audit":"issued"');
  },
  async SIGNING_ALGORITHM() {
    expect((await rotatedKeys())[0]?.alg).toBe('ES384');
  },
  async PUBLISH_DELAY_SECONDS() {
    const [added] = await rotatedKeys();
    expect(Number(added?.nbf) - rotatedAt).toBeGreaterThanOrEqual(39);
    expect(Number(added?.nbf) - rotatedAt).toBeLessThanOrEqual(45);
  },
};

let rotation: Promise<StoredJwk[]> | undefined;
let rotatedAt = 0;

/** The key set after one rotation by the local rotation function, run once for the checks that need it. */
function rotatedKeys(): Promise<StoredJwk[]> {
  rotation ??= (async () => {
    rotatedAt = nowSeconds();
    const result = await runRotate(localStackOptions(stack));
    expect(result).toMatchObject({ code: 0 });
    const client = new SecretsManagerClient({ endpoint: stack.standIn.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const current = await client.send(new GetSecretValueCommand({ SecretId: stack.secretId }));
      return (JSON.parse(String(current.SecretString)) as { keys: StoredJwk[] }).keys;
    } finally {
      client.destroy();
    }
  })();
  return rotation;
}

test('every variable of the configuration tables has an effect checked here', () => {
  expect(Object.keys(EFFECTS).sort()).toEqual([...new Set([...CONFIG_VARIABLES, ...ROTATION_CONFIG_VARIABLES, 'LOG_LEVEL'])].sort());
});

test.each(Object.keys(EFFECTS) as (keyof typeof EFFECTS)[])('%s reaches the functions of the local stack', async (variable) => {
  await EFFECTS[variable]();
}, 30_000);

test('MAX_TTL_SECONDS and SECRET_CACHE_SECONDS reach the rotation function: a key retired 700 s ago is dropped, the signer kept', async () => {
  expect((await rotatedKeys()).map((jwk) => jwk.kid)).toEqual([expect.any(String), 'signing']);
}, 30_000);
