import { MintError } from '../../../lib/errors';
import { currentVersionId, parseRotationEvent, rotationStage, type SecretVersions } from '../../../lib/rotation/protocol';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-mint/prod/signing-secret-AbCdEf';

function versions(stagesByVersion: Record<string, string[]>, rotationEnabled = true): SecretVersions {
  return { rotationEnabled, stagesByVersion };
}

function refusalOf(act: () => unknown): MintError {
  try {
    act();
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parseRotationEvent', () => {
  test('reads the step, the secret, the token and the optional rotation token', () => {
    // Act
    const event = parseRotationEvent({ Step: 'testSecret', SecretId: SECRET, ClientRequestToken: 'v2', RotationToken: 'rt' });

    // Assess
    expect(event).toEqual({ step: 'testSecret', secretId: SECRET, token: 'v2', rotationToken: 'rt' });
  });

  test.each([
    { name: 'null', event: null },
    { name: 'a step in the snake case of the docs', event: { Step: 'create_secret', SecretId: SECRET, ClientRequestToken: 'v2' } },
    { name: 'a SecretId that is not a string', event: { Step: 'createSecret', SecretId: 42, ClientRequestToken: 'v2' } },
    { name: 'no ClientRequestToken', event: { Step: 'createSecret', SecretId: SECRET } },
  ])('refuses $name with ROTATION_REFUSED', ({ event }) => {
    // Act
    const error = refusalOf(() => parseRotationEvent(event));

    // Assess
    expect(error.code).toBe('ROTATION_REFUSED');
  });
});

describe('rotationStage', () => {
  test('is pending while the token holds AWSPENDING', () => {
    expect(rotationStage(versions({ v1: ['AWSCURRENT'], v2: ['AWSPENDING'] }), 'v2', SECRET)).toBe('pending');
  });

  test('is current once the token holds AWSCURRENT, with or without AWSPENDING', () => {
    expect(rotationStage(versions({ v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'] }), 'v2', SECRET)).toBe('current');
    expect(rotationStage(versions({ v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT', 'AWSPENDING'] }), 'v2', SECRET)).toBe('current');
  });

  test.each([
    { name: 'rotation is off', state: versions({ v1: ['AWSCURRENT'], v2: ['AWSPENDING'] }, false), token: 'v2', mentions: /rotation turned on/ },
    { name: 'the token is no labelled version', state: versions({ v1: ['AWSCURRENT'] }), token: 'v9', mentions: /not a version of secret/ },
    { name: 'the token is an older version', state: versions({ v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'] }), token: 'v1', mentions: /not labelled AWSPENDING/ },
    { name: 'the token is an inherited member name', state: versions({ v1: ['AWSCURRENT'] }), token: 'constructor', mentions: /not a version/ },
  ])('refuses when $name', ({ state, token, mentions }) => {
    // Act
    const error = refusalOf(() => rotationStage(state, token, SECRET));

    // Assess
    expect(error.code).toBe('ROTATION_REFUSED');
    expect(error.message).toMatch(mentions);
  });
});

describe('currentVersionId', () => {
  test('finds the version labelled AWSCURRENT', () => {
    expect(currentVersionId(versions({ v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'], v3: ['AWSPENDING'] }), SECRET)).toBe('v2');
  });

  test('refuses a secret without a current version', () => {
    expect(refusalOf(() => currentVersionId(versions({ v3: ['AWSPENDING'] }), SECRET)).code).toBe('ROTATION_REFUSED');
  });
});
