import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RotateSecretCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from '../../scripts/secretsManagerStandIn';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
process.env.AWS_REGION = 'us-east-1';

const SECRET = 'jwt-mint/signing-key';

let standIn: SecretsManagerStandIn;
let client: SecretsManagerClient;
const extraClients: SecretsManagerClient[] = [];

/** A client that finds the stand-in through the SDK's standard env var, as the service under test will. */
function newClient(config: SecretsManagerClientConfig = {}): SecretsManagerClient {
  const c = new SecretsManagerClient({ maxAttempts: 1, ...config });
  extraClients.push(c);
  return c;
}

/**
 * Changes a request's headers, after it is signed (`after: 'signed'`: the deserialize step, right
 * before the HTTP handler) or before (`after: 'built'`: the build step, so the signature covers it).
 */
function tamperWithRequest(c: SecretsManagerClient, tamper: (headers: Record<string, string>) => void, when: 'signed' | 'built' = 'signed'): void {
  const step = when === 'signed' ? ('deserialize' as const) : ('build' as const);
  c.middlewareStack.add(
    (next) => async (args) => {
      tamper((args.request as { headers: Record<string, string> }).headers);
      return next(args);
    },
    // The middleware has the same shape at both steps; the overloads differ only in the step's name.
    { step: step as 'deserialize', name: 'tamperWithRequest' },
  );
}

let uniqueSecretCount = 0;
const uniqueSecretName = (): string => `test/secret-${++uniqueSecretCount}`;

beforeAll(async () => {
  standIn = await startSecretsManagerStandIn({ secrets: { [SECRET]: 'key-v1' } });
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = standIn.endpoint;
  client = newClient();
});

afterEach(async () => {
  await standIn.clearFault();
  standIn.resetCallCount();
});

afterAll(async () => {
  for (const c of extraClients) c.destroy();
  await standIn.close();
});

describe('GetSecretValue', () => {
  it('returns the stored secret by name, reached through AWS_ENDPOINT_URL_SECRETS_MANAGER', async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: SECRET }));
    expect(out).toMatchObject({ Name: SECRET, SecretString: 'key-v1', VersionStages: ['AWSCURRENT'] });
    expect(out.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:jwt-mint\/signing-key-\w{6}$/);
    // Epoch seconds on the wire must come out of the SDK as a real Date.
    expect(out.CreatedDate).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - (out.CreatedDate?.getTime() ?? 0))).toBeLessThan(60_000);
    expect(out.$metadata).toMatchObject({ httpStatusCode: 200, requestId: expect.any(String) });
  });

  it('returns the same secret when addressed by its ARN, also via the endpoint client option', async () => {
    const { ARN, VersionId } = await client.send(new GetSecretValueCommand({ SecretId: SECRET }));
    const viaOption = newClient({ endpoint: standIn.endpoint });
    const out = await viaOption.send(new GetSecretValueCommand({ SecretId: ARN }));
    expect(out).toMatchObject({ ARN, Name: SECRET, VersionId, SecretString: 'key-v1' });
  });

  it('returns the previous value for VersionStage AWSPREVIOUS after a put', async () => {
    const name = uniqueSecretName();
    standIn.putSecret(name, 'old');
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'new' }));

    const current = await client.send(new GetSecretValueCommand({ SecretId: name }));
    const previous = await client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }));
    expect(current).toMatchObject({ SecretString: 'new', VersionStages: ['AWSCURRENT'] });
    expect(previous).toMatchObject({ SecretString: 'old', VersionStages: ['AWSPREVIOUS'] });
    const byId = await client.send(new GetSecretValueCommand({ SecretId: name, VersionId: previous.VersionId }));
    expect(byId.SecretString).toBe('old');
  });

  it('returns a binary secret as SecretBinary bytes, with no SecretString', async () => {
    const name = uniqueSecretName();
    standIn.putSecretBinary(name, Uint8Array.from([0, 1, 254, 255]));
    const out = await client.send(new GetSecretValueCommand({ SecretId: name }));
    expect(out.SecretString).toBeUndefined();
    expect(Array.from(out.SecretBinary ?? [])).toEqual([0, 1, 254, 255]);
    expect(out.VersionStages).toEqual(['AWSCURRENT']);
  });

  it('rejects an unknown secret with a ResourceNotFoundException the SDK models (HTTP 400, client fault)', async () => {
    const error: unknown = await client.send(new GetSecretValueCommand({ SecretId: 'no/such/secret' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error).toMatchObject({
      name: 'ResourceNotFoundException',
      $fault: 'client',
      message: expect.stringContaining("can't find the specified secret"),
      $metadata: { httpStatusCode: 400, requestId: expect.any(String) },
    });
  });

  it('rejects an unknown VersionStage or VersionId with ResourceNotFoundException', async () => {
    await expect(client.send(new GetSecretValueCommand({ SecretId: SECRET, VersionStage: 'AWSPENDING' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(client.send(new GetSecretValueCommand({ SecretId: SECRET, VersionId: 'no-such-version' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe('PutSecretValue, DescribeSecret and CreateSecret', () => {
  it('put moves AWSCURRENT to the new version and AWSPREVIOUS to the old current, as describe shows', async () => {
    const name = uniqueSecretName();
    const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    const v2 = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }));
    expect(v2).toMatchObject({ ARN: created.ARN, Name: name, VersionStages: ['AWSCURRENT'] });
    const afterOnePut = await client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(afterOnePut.VersionIdsToStages).toEqual({ [String(created.VersionId)]: ['AWSPREVIOUS'], [String(v2.VersionId)]: ['AWSCURRENT'] });

    // A third version leaves v1 with no label, so (like the real service) it drops out of the map.
    const v3 = await client.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'v3' }));
    const afterTwoPuts = await client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(afterTwoPuts).toMatchObject({ ARN: created.ARN, Name: name, LastChangedDate: expect.any(Date) });
    expect(afterTwoPuts.VersionIdsToStages).toEqual({ [String(v2.VersionId)]: ['AWSPREVIOUS'], [String(v3.VersionId)]: ['AWSCURRENT'] });
  });

  it('put with VersionStages AWSPENDING stages a version without touching the current one', async () => {
    const name = uniqueSecretName();
    standIn.putSecret(name, 'live');
    const pending = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'next', VersionStages: ['AWSPENDING'] }));
    expect(pending.VersionStages).toEqual(['AWSPENDING']);
    expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('live');
    expect((await client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }))).SecretString).toBe('next');
  });

  it('uses the ClientRequestToken the SDK always sends as the VersionId, so a repeated put is idempotent', async () => {
    const name = uniqueSecretName();
    standIn.putSecret(name, 'v1');
    const token = 'c0ffee00-0000-4000-8000-000000000001';
    const first = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token }));
    const again = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token }));
    expect(first.VersionId).toBe(token);
    expect(again.VersionId).toBe(token);
    const previous = await client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }));
    expect(previous.SecretString).toBe('v1');
  });

  it('put to an unknown secret is rejected with ResourceNotFoundException', async () => {
    await expect(client.send(new PutSecretValueCommand({ SecretId: 'no/such/secret', SecretString: 'x' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('create of an existing name is rejected with ResourceExistsException', async () => {
    await expect(client.send(new CreateSecretCommand({ Name: SECRET, SecretString: 'x' }))).rejects.toBeInstanceOf(ResourceExistsException);
  });
});

describe('the rotation API', () => {
  const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:rotate';

  /** A secret with one current version, and the stages DescribeSecret reports. */
  async function secretWithCurrent(value = 'v1'): Promise<{ name: string; currentId: string }> {
    const name = uniqueSecretName();
    const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    return { name, currentId: String(created.VersionId) };
  }
  const stagesOf = async (name: string) => (await client.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages;

  it('a new secret has rotation off, and DescribeSecret says so', async () => {
    const { name } = await secretWithCurrent();

    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));

    expect(described.RotationEnabled).toBe(false);
  });

  it('RotateSecret turns rotation on and labels a new, empty version AWSPENDING whose value cannot be read yet', async () => {
    const { name, currentId } = await secretWithCurrent();

    const rotated = await client.send(
      new RotateSecretCommand({ SecretId: name, ClientRequestToken: 'token-1', RotationLambdaARN: LAMBDA_ARN, RotationRules: { ScheduleExpression: 'rate(30 days)' } }),
    );

    expect(rotated.VersionId).toBe('token-1');
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described).toMatchObject({ RotationEnabled: true, RotationLambdaARN: LAMBDA_ARN, RotationRules: { ScheduleExpression: 'rate(30 days)' } });
    expect(described.VersionIdsToStages).toEqual({ [currentId]: ['AWSCURRENT'], 'token-1': ['AWSPENDING'] });
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: name, VersionId: 'token-1', VersionStage: 'AWSPENDING' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('RotateSecret without a rotation function is refused', async () => {
    const { name } = await secretWithCurrent();

    await expect(client.send(new RotateSecretCommand({ SecretId: name }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
  });

  it('RotateSecret while a rotation is unfinished is refused, as the service does', async () => {
    const { name } = await secretWithCurrent();
    await client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: 'first', RotationLambdaARN: LAMBDA_ARN }));

    await expect(client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: 'second' }))).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringContaining("previous rotation isn't complete"),
    });
  });

  it('PutSecretValue with the rotation token fills the empty version; the same value again is ignored, another is refused', async () => {
    const { name, currentId } = await secretWithCurrent();
    await client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: 'token-1', RotationLambdaARN: LAMBDA_ARN }));
    const put = (value: string) =>
      client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: 'token-1', SecretString: value, VersionStages: ['AWSPENDING'] }));

    const first = await put('next');
    const again = await put('next');

    expect(first).toMatchObject({ VersionId: 'token-1', VersionStages: ['AWSPENDING'] });
    expect(again.VersionId).toBe('token-1');
    await expect(put('other')).rejects.toBeInstanceOf(ResourceExistsException);
    const pending = await client.send(new GetSecretValueCommand({ SecretId: name, VersionId: 'token-1', VersionStage: 'AWSPENDING' }));
    expect(pending.SecretString).toBe('next');
    expect(await stagesOf(name)).toEqual({ [currentId]: ['AWSCURRENT'], 'token-1': ['AWSPENDING'] });
  });

  it('UpdateSecretVersionStage moves AWSCURRENT, AWSPREVIOUS follows the old current, and AWSPENDING is gone', async () => {
    const { name, currentId } = await secretWithCurrent('v1');
    await client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: 'token-1', RotationLambdaARN: LAMBDA_ARN }));
    await client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: 'token-1', SecretString: 'v2', VersionStages: ['AWSPENDING'] }));

    await client.send(
      new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: 'token-1', RemoveFromVersionId: currentId }),
    );

    expect(await stagesOf(name)).toEqual({ [currentId]: ['AWSPREVIOUS'], 'token-1': ['AWSCURRENT'] });
    expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('v2');
  });

  it('UpdateSecretVersionStage refuses to move a label without naming the version it leaves', async () => {
    const { name } = await secretWithCurrent();
    const other = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'staged', VersionStages: ['STAGED'] }));

    await expect(
      client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: other.VersionId })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('RemoveFromVersionId') });
    await expect(
      client.send(
        new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: other.VersionId, RemoveFromVersionId: other.VersionId }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('UpdateSecretVersionStage removes a label other than AWSCURRENT, which lets a new rotation start', async () => {
    const { name } = await secretWithCurrent();
    await client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: 'abandoned', RotationLambdaARN: LAMBDA_ARN }));

    await client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPENDING', RemoveFromVersionId: 'abandoned' }));

    await expect(client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: 'fresh' }))).resolves.toMatchObject({ VersionId: 'fresh' });
    await expect(
      client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', RemoveFromVersionId: 'fresh' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('fault injection', () => {
  it.each([
    { kind: 'ResourceNotFoundException', status: 400, fault: 'client', modelled: ResourceNotFoundException },
    { kind: 'AccessDeniedException', status: 400, fault: 'client', modelled: undefined },
    { kind: 'ThrottlingException', status: 400, fault: 'client', modelled: undefined },
    { kind: 'InternalServiceError', status: 500, fault: 'server', modelled: InternalServiceError },
  ] as const)('$kind reaches the SDK as an error named $kind with HTTP $status', async ({ kind, status, fault, modelled }) => {
    await standIn.injectFault({ kind });
    const error: unknown = await client.send(new GetSecretValueCommand({ SecretId: SECRET })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: kind, $fault: fault, $metadata: { httpStatusCode: status, attempts: 1 } });
    // Errors missing from the Secrets Manager model still arrive as the service's base exception.
    expect(error).toBeInstanceOf(modelled ?? SecretsManagerServiceException);
    // Until cleared, the fault keeps applying.
    await expect(client.send(new GetSecretValueCommand({ SecretId: SECRET }))).rejects.toMatchObject({ name: kind });
  });

  it('a fault injected with times: 1 fails only the next call and then clears itself', async () => {
    await standIn.injectFault({ kind: 'AccessDeniedException' }, { times: 1 });
    await expect(client.send(new GetSecretValueCommand({ SecretId: SECRET }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(client.send(new GetSecretValueCommand({ SecretId: SECRET }))).resolves.toMatchObject({ SecretString: 'key-v1' });
  });

  it('a single ThrottlingException is retried away by a client with the default retry strategy', async () => {
    await standIn.injectFault({ kind: 'ThrottlingException' }, { times: 1 });
    const retrying = newClient({ maxAttempts: 3 });
    const out = await retrying.send(new GetSecretValueCommand({ SecretId: SECRET }));
    expect(out.SecretString).toBe('key-v1');
    expect(out.$metadata.attempts).toBe(2);
    expect(standIn.callCount('GetSecretValue')).toBe(2);
  });

  it('ConnectionRefused fails calls with ECONNREFUSED, and after clearFault the same endpoint answers again', async () => {
    // Warm up a keep-alive connection first: refusing must also cut connections the SDK already holds.
    await client.send(new GetSecretValueCommand({ SecretId: SECRET }));
    await standIn.injectFault({ kind: 'ConnectionRefused' });
    // Under jest, socket errors come from Node's realm, fail the SDK's `instanceof Error` and get wrapped
    // ("AWS SDK error wrapper for Error: connect ECONNREFUSED ..."), losing `code`; only the message survives.
    await expect(client.send(new GetSecretValueCommand({ SecretId: SECRET }))).rejects.toThrow(/connect ECONNREFUSED 127\.0\.0\.1/);
    expect(standIn.callCount('GetSecretValue')).toBe(1);

    // `client` was built with the original endpoint, so this only passes if the same port listens again.
    await standIn.clearFault();
    await expect(client.send(new GetSecretValueCommand({ SecretId: SECRET }))).resolves.toMatchObject({ SecretString: 'key-v1' });
  });

  it('ConnectionRefused cannot be limited with times, since refused connections are never seen', async () => {
    await expect(standIn.injectFault({ kind: 'ConnectionRefused' }, { times: 1 })).rejects.toThrow(/times/);
  });

  it('Slow answers correctly, but only after the delay', async () => {
    await standIn.injectFault({ kind: 'Slow', delayMs: 300 });
    const started = Date.now();
    const out = await client.send(new GetSecretValueCommand({ SecretId: SECRET }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(out.SecretString).toBe('key-v1');
  });

  it('Slow with an abort signal shorter than the delay fails fast with AbortError', async () => {
    await standIn.injectFault({ kind: 'Slow', delayMs: 5_000 });
    const started = Date.now();
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: SECRET }), { abortSignal: AbortSignal.timeout(100) }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('Slow with a requestTimeout and throwOnRequestTimeout shorter than the delay fails fast with TimeoutError', async () => {
    await standIn.injectFault({ kind: 'Slow', delayMs: 5_000 });
    const timingOut = newClient({ requestHandler: { requestTimeout: 100, throwOnRequestTimeout: true } });
    const started = Date.now();
    await expect(timingOut.send(new GetSecretValueCommand({ SecretId: SECRET }))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('Slow with a requestTimeout alone only logs a warning: the SDK still waits for the answer', async () => {
    await standIn.injectFault({ kind: 'Slow', delayMs: 400 });
    const warnings: unknown[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (m: unknown) => void warnings.push(m) };
    const warnOnly = newClient({ requestHandler: { requestTimeout: 100 }, logger });
    const out = await warnOnly.send(new GetSecretValueCommand({ SecretId: SECRET }));
    expect(out.SecretString).toBe('key-v1');
    expect(warnings).toEqual([expect.stringContaining('exceeded the configured 100 ms requestTimeout')]);
  });
});

describe('call counting', () => {
  it('counts calls by operation, including faulted ones, until resetCallCount', async () => {
    await client.send(new GetSecretValueCommand({ SecretId: SECRET }));
    await standIn.injectFault({ kind: 'InternalServiceError' }, { times: 1 });
    await expect(client.send(new GetSecretValueCommand({ SecretId: SECRET }))).rejects.toBeInstanceOf(InternalServiceError);
    await client.send(new DescribeSecretCommand({ SecretId: SECRET }));

    expect(standIn.callCount('GetSecretValue')).toBe(2);
    expect(standIn.callCount('DescribeSecret')).toBe(1);
    expect(standIn.callCount('PutSecretValue')).toBe(0);
    expect(standIn.callCount()).toBe(3);
    standIn.resetCallCount();
    expect(standIn.callCount()).toBe(0);
  });
});

describe('protocol edges', () => {
  it('an unsigned request is rejected with MissingAuthenticationTokenException (HTTP 400)', async () => {
    const unsigned = newClient();
    tamperWithRequest(unsigned, (headers) => delete headers.authorization);
    await expect(unsigned.send(new GetSecretValueCommand({ SecretId: SECRET }))).rejects.toMatchObject({
      name: 'MissingAuthenticationTokenException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('an unknown X-Amz-Target is rejected with UnknownOperationException (HTTP 400)', async () => {
    const misdirected = newClient();
    tamperWithRequest(misdirected, (headers) => void (headers['x-amz-target'] = 'secretsmanager.RotateEverything'), 'built');
    await expect(misdirected.send(new GetSecretValueCommand({ SecretId: SECRET }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(standIn.callCount('RotateEverything')).toBe(1);
  });
});

describe('AWS Signature Version 4, checked as the real service checks it', () => {
  /** Sends GetSecretValue signed by the SDK's own signer with these parts, and returns the error type answered. */
  async function signedAs(parts: {
    readonly accessKeyId?: string;
    readonly secretAccessKey?: string;
    readonly sessionToken?: string;
    readonly region?: string;
    readonly service?: string;
    readonly signedAgoMs?: number;
    readonly bodyOnTheWire?: string;
  }): Promise<{ status: number; type: string | undefined }> {
    const endpoint = new URL(standIn.endpoint);
    const body = JSON.stringify({ SecretId: SECRET });
    const signer = new SignatureV4({
      service: parts.service ?? 'secretsmanager',
      region: parts.region ?? 'us-east-1',
      credentials: {
        accessKeyId: parts.accessKeyId ?? 'test',
        secretAccessKey: parts.secretAccessKey ?? 'test',
        ...(parts.sessionToken === undefined ? {} : { sessionToken: parts.sessionToken }),
      },
      sha256: Hash.bind(null, 'sha256'),
    });
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: endpoint.hostname,
        port: Number(endpoint.port),
        path: '/',
        query: {},
        headers: { host: endpoint.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
        body,
      },
      { signingDate: new Date(Date.now() - (parts.signedAgoMs ?? 0)) },
    );
    const response = await fetch(standIn.endpoint, {
      method: 'POST',
      headers: signed.headers as Record<string, string>,
      body: parts.bodyOnTheWire ?? body,
    });
    const answer = (await response.json()) as { __type?: string };
    return { status: response.status, type: answer.__type };
  }

  test('accepts a request signed with a known key, with or without a session token', async () => {
    // Act
    const plain = await signedAs({});
    const withToken = await signedAs({ sessionToken: 'session-token-from-the-role' });

    // Assess
    expect(plain).toEqual({ status: 200, type: undefined });
    expect(withToken).toEqual({ status: 200, type: undefined });
  });

  test.each([
    { why: 'with the wrong secret key', parts: { secretAccessKey: 'wrong' }, type: 'InvalidSignatureException' },
    { why: 'by a key id the stand-in does not know', parts: { accessKeyId: 'AKIASOMEONEELSE', secretAccessKey: 'x' }, type: 'UnrecognizedClientException' },
    { why: 'for another region', parts: { region: 'eu-west-1' }, type: 'InvalidSignatureException' },
    { why: 'for another service', parts: { service: 'ssm' }, type: 'InvalidSignatureException' },
    { why: '20 minutes ago', parts: { signedAgoMs: 20 * 60_000 }, type: 'InvalidSignatureException' },
    { why: 'over another body than the one sent', parts: { bodyOnTheWire: JSON.stringify({ SecretId: 'someone/else' }) }, type: 'InvalidSignatureException' },
  ])('refuses a request signed $why with $type', async ({ parts, type }) => {
    // Act
    const answer = await signedAs(parts);

    // Assess
    expect(answer).toEqual({ status: 400, type });
  });

  test('refuses a request whose signed header was changed after signing', async () => {
    // Prepare
    const tampered = newClient();
    tamperWithRequest(tampered, (headers) => void (headers['x-amz-target'] = 'secretsmanager.DescribeSecret'));

    // Act
    const call = tampered.send(new GetSecretValueCommand({ SecretId: SECRET }));

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 400 } });
  });
});
