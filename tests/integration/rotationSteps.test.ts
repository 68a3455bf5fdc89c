/**
 * The rotation function's four steps, driven through its handler as Secrets Manager drives them,
 * against the Secrets Manager stand-in with the real SDK client: what each step writes, that each
 * may run again without harm, and what it refuses. The clock is frozen.
 */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { createRotationHandler } from '../../handlers/rotateSigningKeys';
import { MintError } from '../../lib/errors';
import type { StoredJwk } from '../../lib/keys/jwk';
import { importSigningKeys, signingKeyAt } from '../../lib/keys/signingKeys';
import type { RotationStep } from '../../lib/rotation/protocol';
import { createRotationRuntime } from '../../lib/rotation/rotationRuntime';
import type { StepOutcome } from '../../lib/rotation/steps';
import { createSecretsManagerClient, rotationStore } from '../../lib/secrets/secretsManager';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from '../../scripts/secretsManagerStandIn';
import { NOW_MS, NOW_SECONDS } from '../helpers/defaults';
import { fakeContext } from '../helpers/events';
import { keySetSecret, privateJwk } from '../helpers/keys';

const PLAIN = 'the-original-plain-secret-of-more-than-32-bytes';
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:jwt-mint-test-rotateSigningKeys';
/** The defaults: publish for two 300 s cache windows plus API Gateway's two hours. */
const PUBLISH_DELAY = 2 * 300 + 7200;

let standIn: SecretsManagerStandIn;
let client: SecretsManagerClient;
let nowMs = NOW_MS;

beforeAll(async () => {
  standIn = await startSecretsManagerStandIn();
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = standIn.endpoint;
  client = new SecretsManagerClient({ maxAttempts: 1 });
});

beforeEach(() => {
  nowMs = NOW_MS;
  standIn.resetCallCount();
});

afterEach(async () => {
  await standIn.clearFault();
});

afterAll(async () => {
  client.destroy();
  await standIn.close();
});

/** The rotation function over the stand-in, with the clock of this file and the given settings. */
function rotationFunction(env: Record<string, string> = {}) {
  return createRotationHandler(createRotationRuntime(env, { now: () => nowMs }));
}

/** A secret holding `value`, whose rotation Secrets Manager has just started: the token is labelled AWSPENDING. */
async function startedRotation(value = PLAIN): Promise<{ secretId: string; token: string; firstVersion: string }> {
  const created = await client.send(new CreateSecretCommand({ Name: `test/rotation-${randomUUID()}`, SecretString: value }));
  const token = randomUUID();
  await client.send(new RotateSecretCommand({ SecretId: created.ARN, ClientRequestToken: token, RotationLambdaARN: LAMBDA_ARN }));
  return { secretId: String(created.ARN), token, firstVersion: String(created.VersionId) };
}

type Handler = ReturnType<typeof rotationFunction>;

function step(handler: Handler, Step: RotationStep, rotation: { secretId: string; token: string }): Promise<StepOutcome> {
  return handler({ Step, SecretId: rotation.secretId, ClientRequestToken: rotation.token }, fakeContext(`rotate-${Step}`));
}

async function allSteps(handler: Handler, rotation: { secretId: string; token: string }): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  for (const name of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) outcomes.push(await step(handler, name, rotation));
  return outcomes;
}

async function valueOf(secretId: string, select: { VersionStage?: string; VersionId?: string } = {}): Promise<string> {
  return String((await client.send(new GetSecretValueCommand({ SecretId: secretId, ...select }))).SecretString);
}

const stagesOf = async (secretId: string) => (await client.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages;
const keysOf = (secretString: string) => (JSON.parse(secretString) as { keys: StoredJwk[] }).keys;

/** What a step threw, as a MintError. */
async function refusal(outcome: Promise<unknown>): Promise<MintError> {
  const error = await outcome.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof MintError)) throw new Error(`expected a MintError, got ${String(error)}`);
  return error;
}

describe('a scheduled rotation', () => {
  test('turns a plain string into an RS256 key set: the new key published now, signing after the publish delay', async () => {
    // Prepare
    const rotation = await startedRotation(PLAIN);

    // Act
    const outcomes = await allSteps(rotationFunction(), rotation);

    // Assess
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['created', 'nothing to set', 'tested', 'made current']);
    expect(outcomes[0]).toMatchObject({ signsFrom: NOW_SECONDS + PUBLISH_DELAY, retired: ['(no kid)'], dropped: [] });
    expect(await stagesOf(rotation.secretId)).toEqual({ [rotation.firstVersion]: ['AWSPREVIOUS'], [rotation.token]: ['AWSCURRENT'] });
    const current = await valueOf(rotation.secretId);
    expect(keysOf(current)).toEqual([
      expect.objectContaining({ kty: 'RSA', alg: 'RS256', kid: outcomes[0]?.kid, nbf: NOW_SECONDS + PUBLISH_DELAY }),
      { kty: 'oct', alg: 'HS256', k: Buffer.from(PLAIN).toString('base64url'), retired_at: NOW_SECONDS + PUBLISH_DELAY },
    ]);
    const keys = await importSigningKeys(current, new Date(NOW_MS));
    expect(signingKeyAt(keys, new Date(NOW_MS)).kid).toBeUndefined();
    expect(signingKeyAt(keys, new Date((NOW_SECONDS + PUBLISH_DELAY) * 1000)).kid).toBe(outcomes[0]?.kid);
    expect(await valueOf(rotation.secretId, { VersionStage: 'AWSPREVIOUS' })).toBe(PLAIN);
  });

  test('rotates a key set with SIGNING_ALGORITHM and PUBLISH_DELAY_SECONDS, dropping keys retired longer than a token lives', async () => {
    // Prepare
    // MAX_TTL_SECONDS + SECRET_CACHE_SECONDS = 3900 s after it stopped signing, a key goes.
    const old = await privateJwk('ES256', { kid: 'old', retired_at: NOW_SECONDS - 3900 });
    const signing = await privateJwk('ES256', { kid: 'signing' });
    const rotation = await startedRotation(keySetSecret(signing, old));

    // Act
    const [created] = await allSteps(rotationFunction({ SIGNING_ALGORITHM: 'EdDSA', PUBLISH_DELAY_SECONDS: '60', MAX_TTL_SECONDS: '3600' }), rotation);

    // Assess
    expect(created).toMatchObject({ result: 'created', signsFrom: NOW_SECONDS + 60, retired: ['signing'], dropped: ['old'] });
    expect(keysOf(await valueOf(rotation.secretId)).map((jwk) => [jwk.alg, jwk.kid, jwk.nbf, jwk.retired_at])).toEqual([
      ['EdDSA', created?.kid, NOW_SECONDS + 60, undefined],
      ['ES256', 'signing', undefined, NOW_SECONDS + 60],
    ]);
  });
  test('testSecret and finishSecret accept a key createSecret dropped in the same second it became old enough', async () => {
    // Prepare: MAX_TTL_SECONDS + SECRET_CACHE_SECONDS = 3900; createSecret at NOW + 0.4 s counts as NOW + 1.
    const old = await privateJwk('ES256', { kid: 'old', retired_at: NOW_SECONDS + 1 - 3900 });
    const rotation = await startedRotation(keySetSecret(await privateJwk('ES256', { kid: 'signing' }), old));
    const handler = rotationFunction({ MAX_TTL_SECONDS: '3600' });
    nowMs = NOW_MS + 400;
    const created = await step(handler, 'createSecret', rotation);
    nowMs = NOW_MS + 600;

    // Act
    const outcomes = [await step(handler, 'testSecret', rotation), await step(handler, 'finishSecret', rotation)];

    // Assess
    expect(created).toMatchObject({ result: 'created', dropped: ['old'] });
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['tested', 'made current']);
  });
});

describe('each step may run again', () => {
  test('createSecret run again keeps the pending set it stored and generates no other key', async () => {
    // Prepare
    const rotation = await startedRotation();
    const handler = rotationFunction();
    await step(handler, 'createSecret', rotation);
    const stored = await valueOf(rotation.secretId, { VersionId: rotation.token, VersionStage: 'AWSPENDING' });

    // Act
    const again = await step(handler, 'createSecret', rotation);

    // Assess
    expect(again.result).toBe('already created');
    expect(await valueOf(rotation.secretId, { VersionId: rotation.token, VersionStage: 'AWSPENDING' })).toBe(stored);
    expect(standIn.callCount('PutSecretValue')).toBe(1);
  });

  test('setSecret run twice writes nothing', async () => {
    // Prepare
    const rotation = await startedRotation();
    const handler = rotationFunction();
    await step(handler, 'createSecret', rotation);
    standIn.resetCallCount();

    // Act
    const outcomes = [await step(handler, 'setSecret', rotation), await step(handler, 'setSecret', rotation)];

    // Assess
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['nothing to set', 'nothing to set']);
    expect(standIn.callCount('PutSecretValue') + standIn.callCount('UpdateSecretVersionStage')).toBe(0);
  });

  test('testSecret run twice passes twice and writes nothing', async () => {
    // Prepare
    const rotation = await startedRotation();
    const handler = rotationFunction();
    await step(handler, 'createSecret', rotation);
    standIn.resetCallCount();

    // Act
    const outcomes = [await step(handler, 'testSecret', rotation), await step(handler, 'testSecret', rotation)];

    // Assess
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['tested', 'tested']);
    expect(standIn.callCount('PutSecretValue') + standIn.callCount('UpdateSecretVersionStage')).toBe(0);
  });

  test('finishSecret run again finds the version current and moves no label', async () => {
    // Prepare
    const rotation = await startedRotation();
    const handler = rotationFunction();
    await allSteps(handler, rotation);
    const stages = await stagesOf(rotation.secretId);
    standIn.resetCallCount();

    // Act
    const again = await step(handler, 'finishSecret', rotation);

    // Assess
    expect(again.result).toBe('already current');
    expect(standIn.callCount('UpdateSecretVersionStage')).toBe(0);
    expect(await stagesOf(rotation.secretId)).toEqual(stages);
  });

  test.each(['createSecret', 'setSecret', 'testSecret'] as const)(
    '%s retried after the rotation finished does nothing, also when AWSPENDING stayed on the current version',
    async (name) => {
      // Prepare: the service may leave AWSPENDING on the version it made current.
      const rotation = await startedRotation();
      const handler = rotationFunction();
      await allSteps(handler, rotation);
      await client.send(new UpdateSecretVersionStageCommand({ SecretId: rotation.secretId, VersionStage: 'AWSPENDING', MoveToVersionId: rotation.token }));
      const current = await valueOf(rotation.secretId);
      standIn.resetCallCount();

      // Act
      const again = await step(handler, name, rotation);

      // Assess
      expect(again.result).toBe('already current');
      expect(standIn.callCount('PutSecretValue') + standIn.callCount('UpdateSecretVersionStage')).toBe(0);
      expect(await valueOf(rotation.secretId)).toBe(current);
    },
  );

  test('a step that failed on Secrets Manager succeeds when retried after the fault clears', async () => {
    // Prepare
    const rotation = await startedRotation();
    const handler = rotationFunction();
    await standIn.injectFault({ kind: 'InternalServiceError' });

    // Act
    const failed = await refusal(step(handler, 'createSecret', rotation));
    await standIn.clearFault();
    const retried = await step(handler, 'createSecret', rotation);

    // Assess
    expect(failed.code).toBe('SECRET_UNAVAILABLE');
    expect(retried.result).toBe('created');
  });
});

describe('what the steps refuse', () => {
  test('an event whose token is not a version of the secret', async () => {
    // Prepare
    const rotation = await startedRotation();

    // Act
    const error = await refusal(step(rotationFunction(), 'createSecret', { ...rotation, token: randomUUID() }));

    // Assess
    expect(error.code).toBe('ROTATION_REFUSED');
    expect(error.message).toMatch(/is not a version of secret/);
  });

  test('an event whose token names a version that is not pending', async () => {
    // Prepare
    const rotation = await startedRotation();
    const handler = rotationFunction();
    await allSteps(handler, rotation);

    // Act: the old version, now AWSPREVIOUS
    const error = await refusal(step(handler, 'finishSecret', { ...rotation, token: rotation.firstVersion }));

    // Assess
    expect(error.code).toBe('ROTATION_REFUSED');
    expect(error.message).toMatch(/not labelled AWSPENDING/);
  });

  test('a secret with rotation turned off', async () => {
    // Prepare
    const created = await client.send(new CreateSecretCommand({ Name: `test/no-rotation-${randomUUID()}`, SecretString: PLAIN }));

    // Act
    const error = await refusal(step(rotationFunction(), 'createSecret', { secretId: String(created.ARN), token: String(created.VersionId) }));

    // Assess
    expect(error.code).toBe('ROTATION_REFUSED');
    expect(error.message).toMatch(/does not have rotation turned on/);
  });

  test.each([
    { name: 'no Step', event: { SecretId: 'x', ClientRequestToken: 't' } },
    { name: 'an unknown Step', event: { Step: 'deleteSecret', SecretId: 'x', ClientRequestToken: 't' } },
    { name: 'an empty ClientRequestToken', event: { Step: 'createSecret', SecretId: 'x', ClientRequestToken: '' } },
    { name: 'an HTTP event', event: { version: '2.0', routeKey: 'POST /user/generateJwt' } },
  ])('an event with $name, before any call', async ({ event }) => {
    // Act
    const error = await refusal(rotationFunction()(event, fakeContext()));

    // Assess
    expect(error.code).toBe('ROTATION_REFUSED');
    expect(standIn.callCount()).toBe(0);
  });

  test('testSecret: a pending set the service would refuse', async () => {
    // Prepare
    const rotation = await startedRotation();
    await client.send(
      new PutSecretValueCommand({ SecretId: rotation.secretId, ClientRequestToken: rotation.token, SecretString: '{"keys":[]}', VersionStages: ['AWSPENDING'] }),
    );

    // Act
    const error = await refusal(step(rotationFunction(), 'testSecret', rotation));

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
    expect(error.message).toMatch(/would be refused by the service: The signing key set is empty/);
  });

  test('testSecret before createSecret stored anything', async () => {
    // Prepare
    const rotation = await startedRotation();

    // Act
    const error = await refusal(step(rotationFunction(), 'testSecret', rotation));

    // Assess
    expect(error.code).toBe('ROTATION_REFUSED');
    expect(error.message).toMatch(/holds no value yet/);
  });

  test('testSecret and finishSecret, when AWSCURRENT was written after createSecret (an emergency rotation)', async () => {
    // Prepare
    const rotation = await startedRotation(keySetSecret(await privateJwk('ES256', { kid: 'leaked' })));
    const handler = rotationFunction();
    await step(handler, 'createSecret', rotation);
    await client.send(new PutSecretValueCommand({ SecretId: rotation.secretId, SecretString: keySetSecret(await privateJwk('ES256', { kid: 'replacement' })) }));

    // Act
    const tested = await refusal(step(handler, 'testSecret', rotation));
    const finished = await refusal(step(handler, 'finishSecret', rotation));

    // Assess: the pending set would bring the leaked key back and lose its replacement.
    for (const error of [tested, finished]) {
      expect(error.code).toBe('ROTATION_REFUSED');
      expect(error.message).toMatch(/not the rotation of AWSCURRENT.*Remove the AWSPENDING label from version/);
    }
    expect(keysOf(await valueOf(rotation.secretId)).map((jwk) => jwk.kid)).toEqual(['replacement']);
  });

  test('testSecret, when the rotation began so long ago that its new key would sign before verifiers could see it', async () => {
    // Prepare
    const rotation = await startedRotation();
    const handler = rotationFunction();
    await step(handler, 'createSecret', rotation);
    nowMs = NOW_MS + 3600 * 1000;

    // Act
    const error = await refusal(step(handler, 'testSecret', rotation));

    // Assess
    expect(error.code).toBe('ROTATION_REFUSED');
    expect(error.message).toMatch(/its new key signs 4200 s from now, less than the 7020 s verifiers need/);
  });

  test('a step whose Secrets Manager call hangs gives up within its bound', async () => {
    // Prepare
    const rotation = await startedRotation();
    const limits = { maxAttempts: 2, connectionTimeoutMs: 200, requestTimeoutMs: 200, totalTimeoutMs: 500 };
    const handler = createRotationHandler(
      createRotationRuntime({}, { now: () => nowMs, store: rotationStore(createSecretsManagerClient(limits), limits) }),
    );
    await standIn.injectFault({ kind: 'Slow', delayMs: 5000 });
    const started = Date.now();

    // Act
    const error = await refusal(step(handler, 'createSecret', rotation));

    // Assess
    expect(error.code).toBe('SECRET_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
