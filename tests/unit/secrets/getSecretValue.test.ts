import { Agent } from 'node:http';
import { connect } from 'node:net';
import { createSecretsManagerClient, secretFetcher } from '../../../lib/secrets/secretsManager';
import { secretValueFetcher } from '../../../lib/secrets/getSecretValue';
import { FETCH_LIMITS, storeAccessFrom } from '../../../lib/secrets/store';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from '../../../scripts/secretsManagerStandIn';
import { MintError } from '../../../lib/errors';

// The function's own Secrets Manager client against the stand-in, which speaks the real protocol
// and checks every request's SigV4 signature as the real service does.

const SECRET_ID = 'jwt-mint/lean/signing-secret';
const SECRET = 'lean-client-signing-secret-0123456789-abcdefgh';

let standIn: SecretsManagerStandIn;
const env = () => ({ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn.endpoint });

beforeAll(async () => {
  standIn = await startSecretsManagerStandIn({ secrets: { [SECRET_ID]: SECRET } });
});

afterEach(async () => {
  await standIn.clearFault();
  standIn.putSecret(SECRET_ID, SECRET);
  standIn.resetCallCount();
});

afterAll(() => standIn.close());

async function failureOf(fetch: () => Promise<unknown>): Promise<MintError> {
  try {
    await fetch();
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('expected the fetch to fail');
}

describe('storeAccessFrom', () => {
  test('reads the region, the credentials with a session token, and the SDK\'s endpoint override', () => {
    // Act
    const access = storeAccessFrom({ ...env(), AWS_SESSION_TOKEN: 'token' });

    // Assess
    expect(access).toEqual({
      endpoint: new URL(standIn.endpoint),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test', sessionToken: 'token' },
    });
  });

  test('addresses the region\'s public endpoint when no override is set', () => {
    // Act
    const access = storeAccessFrom({ AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });

    // Assess
    expect(access.endpoint.href).toBe('https://secretsmanager.eu-west-1.amazonaws.com/');
  });

  test.each([
    { missing: 'AWS_REGION', names: /AWS_REGION/ },
    { missing: 'AWS_ACCESS_KEY_ID', names: /AWS_ACCESS_KEY_ID/ },
    { missing: 'AWS_SECRET_ACCESS_KEY', names: /AWS_SECRET_ACCESS_KEY/ },
  ])('refuses to start without $missing, naming it', ({ missing, names }) => {
    // Act
    const read = () => storeAccessFrom({ ...env(), [missing]: undefined });

    // Assess
    expect(read).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringMatching(names) }));
  });
});

describe('secretValueFetcher', () => {
  test('answers GetSecretValue exactly as the SDK does, for a plain secret and a key set', async () => {
    // Prepare
    const sdk = secretFetcher(createSecretsManagerClient(), SECRET_ID);
    const lean = secretValueFetcher(storeAccessFrom(env()), SECRET_ID);
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = standIn.endpoint;

    // Act
    const plain = [await lean(), await sdk()];
    standIn.putSecret(SECRET_ID, '{"keys":[{"kty":"oct","k":"AAAA"}]}');
    const keySet = [await lean(), await sdk()];

    // Assess
    expect(plain[0]).toEqual(plain[1]);
    expect(plain[0]).toEqual({ secretString: SECRET, versionId: expect.any(String) });
    expect(keySet[0]).toEqual(keySet[1]);
  });

  test('signs as the Lambda environment says: a session token is sent and signed', async () => {
    // Act
    const fetched = await secretValueFetcher(storeAccessFrom({ ...env(), AWS_SESSION_TOKEN: 'role-session-token' }), SECRET_ID)();

    // Assess
    expect(fetched.secretString).toBe(SECRET);
  });

  test.each([
    { why: 'for another region', override: { AWS_REGION: 'eu-west-1' }, type: 'InvalidSignatureException' },
    { why: 'with a secret key the store does not know', override: { AWS_SECRET_ACCESS_KEY: 'wrong' }, type: 'InvalidSignatureException' },
    { why: 'as an identity the store does not know', override: { AWS_ACCESS_KEY_ID: 'AKIANOBODY' }, type: 'UnrecognizedClientException' },
  ])('is refused when it signs $why, and says so by the error\'s name', async ({ override, type }) => {
    // Act
    const error = await failureOf(secretValueFetcher(storeAccessFrom({ ...env(), ...override }), SECRET_ID));

    // Assess
    expect(error).toMatchObject({ code: 'SECRET_UNAVAILABLE', statusCode: 503, message: expect.stringContaining(`${type}, HTTP 400`) });
  });

  test('keeps one connection alive for the next fetch', async () => {
    // Prepare
    const fetch = secretValueFetcher(storeAccessFrom(env()), SECRET_ID);
    const connections = await countConnections(standIn, async () => {
      // Act
      await fetch();
      await fetch();
      await fetch();
    });

    // Assess
    expect(connections).toBe(1);
  });

  test('survives the store closing the kept-alive connection: a reused dead connection is tried once more', async () => {
    // Prepare
    const fetch = secretValueFetcher(storeAccessFrom(env()), SECRET_ID);
    await fetch();
    standIn.closeIdleConnections();

    // Act
    const fetched = await fetch();

    // Assess
    expect(fetched.secretString).toBe(SECRET);
  });

  test.each([
    { fault: 'ResourceNotFoundException' as const },
    { fault: 'AccessDeniedException' as const },
    { fault: 'DecryptionFailure' as const },
  ])('answers $fault with SECRET_UNAVAILABLE (503) after one attempt, naming it', async ({ fault }) => {
    // Prepare
    await standIn.injectFault({ kind: fault });

    // Act
    const error = await failureOf(secretValueFetcher(storeAccessFrom(env()), SECRET_ID));

    // Assess
    expect(error).toMatchObject({ code: 'SECRET_UNAVAILABLE', statusCode: 503, message: expect.stringContaining(fault) });
    expect(standIn.callCount('GetSecretValue')).toBe(1);
  });

  test.each([
    { fault: 'ThrottlingException' as const },
    { fault: 'InternalServiceError' as const },
  ])('tries once more after $fault, and mints from the second answer', async ({ fault }) => {
    // Prepare
    await standIn.injectFault({ kind: fault }, { times: 1 });

    // Act
    const fetched = await secretValueFetcher(storeAccessFrom(env()), SECRET_ID)();

    // Assess
    expect(fetched.secretString).toBe(SECRET);
    expect(standIn.callCount('GetSecretValue')).toBe(2);
  });

  test('makes at most two attempts on a throttling that lasts', async () => {
    // Prepare
    await standIn.injectFault({ kind: 'ThrottlingException' });

    // Act
    const error = await failureOf(secretValueFetcher(storeAccessFrom(env()), SECRET_ID));

    // Assess
    expect(error.code).toBe('SECRET_UNAVAILABLE');
    expect(standIn.callCount('GetSecretValue')).toBe(FETCH_LIMITS.maxAttempts);
  });

  test('does not retry a refused connection', async () => {
    // Prepare
    await standIn.injectFault({ kind: 'ConnectionRefused' });

    // Act
    const error = await failureOf(secretValueFetcher(storeAccessFrom(env()), SECRET_ID));

    // Assess
    expect(error).toMatchObject({ code: 'SECRET_UNAVAILABLE', message: expect.stringContaining('ECONNREFUSED') });
  });

  test('gives up on an answer that does not come within the response timeout', async () => {
    // Prepare
    await standIn.injectFault({ kind: 'Slow', delayMs: 10_000 });
    const started = Date.now();

    // Act
    const error = await failureOf(secretValueFetcher(storeAccessFrom(env()), SECRET_ID));

    // Assess
    expect(error).toMatchObject({ code: 'SECRET_UNAVAILABLE', message: expect.stringContaining('TimeoutError') });
    expect(Date.now() - started).toBeLessThan(FETCH_LIMITS.requestTimeoutMs + 1000);
  });

  test('gives up on a connection that does not open within the connect timeout', async () => {
    // Prepare: an agent whose connections never finish looking up their host's address, so never connect.
    const agent = new Agent();
    agent.createConnection = (options) => connect({ ...(options as object), host: 'never.invalid', port: 9, lookup: () => undefined });
    const started = Date.now();

    // Act
    const error = await failureOf(secretValueFetcher(storeAccessFrom(env()), SECRET_ID, { agent }));

    // Assess
    expect(error).toMatchObject({ code: 'SECRET_UNAVAILABLE', message: expect.stringContaining('TimeoutError') });
    expect(Date.now() - started).toBeGreaterThanOrEqual(FETCH_LIMITS.connectionTimeoutMs - 50);
    expect(Date.now() - started).toBeLessThan(FETCH_LIMITS.connectionTimeoutMs + 1000);
  });

  test('answers a binary secret with SIGNING_KEY_UNUSABLE (500), as the SDK client does', async () => {
    // Prepare
    standIn.putSecretBinary(SECRET_ID, Buffer.from(SECRET));

    // Act
    const error = await failureOf(secretValueFetcher(storeAccessFrom(env()), SECRET_ID));

    // Assess
    expect(error).toMatchObject({ code: 'SIGNING_KEY_UNUSABLE', statusCode: 500 });
  });
});

/** How many TCP connections the stand-in accepted while `run` ran. */
async function countConnections(standIn: SecretsManagerStandIn, run: () => Promise<void>): Promise<number> {
  const before = standIn.connectionCount();
  await run();
  return standIn.connectionCount() - before;
}
