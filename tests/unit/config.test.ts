import { ConfigError, loadConfig, loadRotationConfig, VERIFIER_CACHE_SECONDS } from '../../lib/config';

const REQUIRED = { SIGNING_SECRET_ID: 'prod/jwt-mint/signing-secret' };

/** Runs a loader and returns what it threw, so the variable named can be checked. */
function configErrorFor(env: Record<string, string | undefined>, load: (env: Record<string, string | undefined>) => unknown = loadConfig): ConfigError {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted a configuration it should refuse');
}

describe('loadConfig', () => {
  test('applies the documented defaults when only SIGNING_SECRET_ID is set', () => {
    // Act
    const config = loadConfig(REQUIRED);

    // Assess
    expect(config).toEqual({
      signingSecretId: 'prod/jwt-mint/signing-secret',
      requiredScope: 'generateJwt',
      callerAudience: 'mfs',
      defaultAudience: 'mfs',
      allowedAudiences: ['mfs'],
      defaultTtlSeconds: 43_200,
      maxTtlSeconds: 86_400,
      clockToleranceSeconds: 30,
      tokenIssuer: undefined,
      secretCacheSeconds: 300,
      secretStaleSeconds: 900,
      maxDelegationDepth: 4,
      tokenFormat: 'seed',
      scopesSupported: undefined,
    });
  });

  test('reads every variable', () => {
    // Act
    const config = loadConfig({
      SIGNING_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt',
      REQUIRED_SCOPE: 'mint',
      CALLER_AUDIENCE: 'gateway',
      DEFAULT_AUDIENCE: 'billing',
      ALLOWED_AUDIENCES: 'mfs,billing',
      DEFAULT_TTL_SECONDS: '600',
      MAX_TTL_SECONDS: '3600',
      CLOCK_TOLERANCE_SECONDS: '5',
      TOKEN_ISSUER: 'https://jwt-mint.example',
      SECRET_CACHE_SECONDS: '60',
      SECRET_STALE_SECONDS: '120',
      MAX_DELEGATION_DEPTH: '2',
      TOKEN_FORMAT: 'rfc9068',
      SCOPES_SUPPORTED: 'push, query,',
    });

    // Assess
    expect(config).toEqual({
      signingSecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt',
      requiredScope: 'mint',
      callerAudience: 'gateway',
      defaultAudience: 'billing',
      allowedAudiences: ['mfs', 'billing'],
      defaultTtlSeconds: 600,
      maxTtlSeconds: 3600,
      clockToleranceSeconds: 5,
      tokenIssuer: 'https://jwt-mint.example',
      secretCacheSeconds: 60,
      secretStaleSeconds: 120,
      maxDelegationDepth: 2,
      tokenFormat: 'rfc9068',
      scopesSupported: ['push', 'query'],
    });
  });

  test.each([
    ['TOKEN_FORMAT', 'jwt', /^TOKEN_FORMAT must be one of seed, rfc9068/],
    ['SCOPES_SUPPORTED', 'push,read write', /^SCOPES_SUPPORTED lists "read write", which is not an OAuth scope/],
    ['SCOPES_SUPPORTED', 'a"b', /^SCOPES_SUPPORTED lists "a"b"/],
  ])('refuses %s=%p, naming the variable', (variable, value, message) => {
    // Act
    const load = () => loadConfig({ ...REQUIRED, [variable]: value });

    // Assess
    expect(load).toThrow(message);
  });

  test('returns a frozen configuration', () => {
    // Act
    const config = loadConfig(REQUIRED);

    // Assess
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.allowedAudiences)).toBe(true);
  });

  test('ignores variables it does not know', () => {
    // Act
    const config = loadConfig({ ...REQUIRED, PATH: '/usr/bin', AWS_REGION: 'eu-west-1' });

    // Assess
    expect(config.signingSecretId).toBe(REQUIRED.SIGNING_SECRET_ID);
  });

  test('splits ALLOWED_AUDIENCES on commas, trimming spaces and dropping empty entries', () => {
    // Act
    const config = loadConfig({ ...REQUIRED, ALLOWED_AUDIENCES: ' mfs , billing,, reports ' });

    // Assess
    expect(config.allowedAudiences).toEqual(['mfs', 'billing', 'reports']);
  });

  test('treats an empty variable as unset', () => {
    // Act
    const config = loadConfig({ ...REQUIRED, REQUIRED_SCOPE: '', DEFAULT_TTL_SECONDS: '', TOKEN_ISSUER: '' });

    // Assess
    expect(config.requiredScope).toBe('generateJwt');
    expect(config.defaultTtlSeconds).toBe(43_200);
    expect(config.tokenIssuer).toBeUndefined();
  });

  test('treats a blank TOKEN_ISSUER as unset, so iss falls back to the caller', () => {
    // Act
    const config = loadConfig({ ...REQUIRED, TOKEN_ISSUER: '   ' });

    // Assess
    expect(config.tokenIssuer).toBeUndefined();
  });

  test('trims surrounding white space from names', () => {
    // Act
    const config = loadConfig({ SIGNING_SECRET_ID: '  prod/secret ', REQUIRED_SCOPE: ' mint ' });

    // Assess
    expect(config.signingSecretId).toBe('prod/secret');
    expect(config.requiredScope).toBe('mint');
  });

  test('accepts the bounds of the second ranges', () => {
    // Act
    const config = loadConfig({ ...REQUIRED, CLOCK_TOLERANCE_SECONDS: '0', SECRET_CACHE_SECONDS: '0', SECRET_STALE_SECONDS: '0', DEFAULT_TTL_SECONDS: '1', MAX_TTL_SECONDS: '1' });

    // Assess
    expect(config).toMatchObject({ clockToleranceSeconds: 0, secretCacheSeconds: 0, secretStaleSeconds: 0, defaultTtlSeconds: 1, maxTtlSeconds: 1 });
  });

  test.each([
    { name: 'a missing SIGNING_SECRET_ID', env: {}, variable: 'SIGNING_SECRET_ID' },
    { name: 'an empty SIGNING_SECRET_ID', env: { SIGNING_SECRET_ID: '' }, variable: 'SIGNING_SECRET_ID' },
    { name: 'a blank SIGNING_SECRET_ID', env: { SIGNING_SECRET_ID: '   ' }, variable: 'SIGNING_SECRET_ID' },
    { name: 'a blank REQUIRED_SCOPE', env: { ...REQUIRED, REQUIRED_SCOPE: '  ' }, variable: 'REQUIRED_SCOPE' },
    { name: 'a blank CALLER_AUDIENCE', env: { ...REQUIRED, CALLER_AUDIENCE: ' ' }, variable: 'CALLER_AUDIENCE' },
    { name: 'a blank DEFAULT_AUDIENCE', env: { ...REQUIRED, DEFAULT_AUDIENCE: ' ' }, variable: 'DEFAULT_AUDIENCE' },
    { name: 'a DEFAULT_TTL_SECONDS that is not a number', env: { ...REQUIRED, DEFAULT_TTL_SECONDS: '12h' }, variable: 'DEFAULT_TTL_SECONDS' },
    { name: 'a fractional DEFAULT_TTL_SECONDS', env: { ...REQUIRED, DEFAULT_TTL_SECONDS: '1.5' }, variable: 'DEFAULT_TTL_SECONDS' },
    { name: 'a negative MAX_TTL_SECONDS', env: { ...REQUIRED, MAX_TTL_SECONDS: '-1' }, variable: 'MAX_TTL_SECONDS' },
    { name: 'a zero MAX_TTL_SECONDS', env: { ...REQUIRED, MAX_TTL_SECONDS: '0' }, variable: 'MAX_TTL_SECONDS' },
    { name: 'a MAX_TTL_SECONDS over a year', env: { ...REQUIRED, MAX_TTL_SECONDS: String(365 * 86_400 + 1) }, variable: 'MAX_TTL_SECONDS' },
    { name: 'a CLOCK_TOLERANCE_SECONDS over ten minutes', env: { ...REQUIRED, CLOCK_TOLERANCE_SECONDS: '601' }, variable: 'CLOCK_TOLERANCE_SECONDS' },
    { name: 'a CLOCK_TOLERANCE_SECONDS with spaces', env: { ...REQUIRED, CLOCK_TOLERANCE_SECONDS: ' 30' }, variable: 'CLOCK_TOLERANCE_SECONDS' },
    { name: 'a SECRET_CACHE_SECONDS over a day', env: { ...REQUIRED, SECRET_CACHE_SECONDS: '86401' }, variable: 'SECRET_CACHE_SECONDS' },
    { name: 'a SECRET_STALE_SECONDS that is not a number', env: { ...REQUIRED, SECRET_STALE_SECONDS: 'forever' }, variable: 'SECRET_STALE_SECONDS' },
    { name: 'a zero MAX_DELEGATION_DEPTH', env: { ...REQUIRED, MAX_DELEGATION_DEPTH: '0' }, variable: 'MAX_DELEGATION_DEPTH' },
    { name: 'a MAX_DELEGATION_DEPTH over 32', env: { ...REQUIRED, MAX_DELEGATION_DEPTH: '33' }, variable: 'MAX_DELEGATION_DEPTH' },
    { name: 'an ALLOWED_AUDIENCES of commas only', env: { ...REQUIRED, ALLOWED_AUDIENCES: ' , ,' }, variable: 'ALLOWED_AUDIENCES' },
    { name: 'a DEFAULT_AUDIENCE outside ALLOWED_AUDIENCES', env: { ...REQUIRED, ALLOWED_AUDIENCES: 'billing' }, variable: 'DEFAULT_AUDIENCE' },
    { name: 'a DEFAULT_TTL_SECONDS above MAX_TTL_SECONDS', env: { ...REQUIRED, DEFAULT_TTL_SECONDS: '7200', MAX_TTL_SECONDS: '3600' }, variable: 'DEFAULT_TTL_SECONDS' },
  ])('throws a ConfigError naming the variable for $name', ({ env, variable }) => {
    // Act
    const error = configErrorFor(env);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toContain(variable);
  });
});

describe('loadRotationConfig', () => {
  test('signs new keys with RS256 and waits two cache windows plus the verifier cache when nothing is set', () => {
    // Act
    const config = loadRotationConfig({});

    // Assess
    expect(config).toEqual({
      signingAlgorithm: 'RS256',
      publishDelaySeconds: 2 * 300 + VERIFIER_CACHE_SECONDS,
      maxTtlSeconds: 86_400,
      secretCacheSeconds: 300,
      keepRetiredSeconds: 86_400 + 300,
    });
    expect(VERIFIER_CACHE_SECONDS).toBe(7200);
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('follows SECRET_CACHE_SECONDS with the default publish delay', () => {
    // Act
    const config = loadRotationConfig({ SECRET_CACHE_SECONDS: '60' });

    // Assess
    expect(config.publishDelaySeconds).toBe(2 * 60 + VERIFIER_CACHE_SECONDS);
  });

  test('reads every variable, sharing MAX_TTL_SECONDS and SECRET_CACHE_SECONDS with the service', () => {
    // Act
    const config = loadRotationConfig({ SIGNING_ALGORITHM: 'ES256', PUBLISH_DELAY_SECONDS: '0', MAX_TTL_SECONDS: '3600', SECRET_CACHE_SECONDS: '2' });

    // Assess
    expect(config).toEqual({ signingAlgorithm: 'ES256', publishDelaySeconds: 0, maxTtlSeconds: 3600, secretCacheSeconds: 2, keepRetiredSeconds: 3602 });
  });

  test('treats an empty variable as unset and needs no SIGNING_SECRET_ID, which comes with each event', () => {
    // Act
    const config = loadRotationConfig({ SIGNING_ALGORITHM: '', PUBLISH_DELAY_SECONDS: '', SIGNING_SECRET_ID: '' });

    // Assess
    expect(config).toEqual(loadRotationConfig({}));
  });

  test.each([
    { name: 'an unknown SIGNING_ALGORITHM', env: { SIGNING_ALGORITHM: 'none' }, variable: 'SIGNING_ALGORITHM' },
    { name: 'a SIGNING_ALGORITHM in lower case', env: { SIGNING_ALGORITHM: 'rs256' }, variable: 'SIGNING_ALGORITHM' },
    { name: 'a PUBLISH_DELAY_SECONDS that is not a number', env: { PUBLISH_DELAY_SECONDS: '2h' }, variable: 'PUBLISH_DELAY_SECONDS' },
    { name: 'a PUBLISH_DELAY_SECONDS over thirty days', env: { PUBLISH_DELAY_SECONDS: String(30 * 86_400 + 1) }, variable: 'PUBLISH_DELAY_SECONDS' },
    { name: 'a zero MAX_TTL_SECONDS', env: { MAX_TTL_SECONDS: '0' }, variable: 'MAX_TTL_SECONDS' },
  ])('throws a ConfigError naming the variable for $name', ({ env, variable }) => {
    // Act
    const error = configErrorFor(env, loadRotationConfig);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(variable);
  });
});
