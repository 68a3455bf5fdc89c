import type { CallerClaims } from '../../../lib/tokens/callerToken';
import { loadConfig, type Config } from '../../../lib/config';
import { MintError, type MintErrorCode } from '../../../lib/errors';
import { decideMintedClaims } from '../../../lib/mint/policy';
import type { MintRequest } from '../../../lib/mint/request';

const NOW = 1_900_000_000;
const CALLER: CallerClaims = { sub: 'caller-1', scopes: ['generateJwt', 'push', 'query'], exp: NOW + 3600 };

function config(env: Record<string, string> = {}): Config {
  return loadConfig({ SIGNING_SECRET_ID: 'test/secret', ...env });
}

function refusalOf(request: MintRequest, policy: Config = config(), caller: CallerClaims = CALLER): MintError {
  try {
    decideMintedClaims(request, caller, policy, NOW);
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('decideMintedClaims allowed a mint it should refuse');
}

describe('decideMintedClaims', () => {
  test('defaults to the caller as issuer, the default audience, the caller scopes less the right to mint, and DEFAULT_TTL_SECONDS', () => {
    // Act
    const claims = decideMintedClaims({ subject: 'test1' }, CALLER, config(), NOW);

    // Assess
    expect(claims).toEqual({ iss: 'caller-1', sub: 'test1', aud: 'mfs', scope: ['push', 'query'], exp: NOW + 43_200, act: { sub: 'caller-1' } });
  });

  test('leaves out the right to mint by the configured REQUIRED_SCOPE', () => {
    // Act
    const claims = decideMintedClaims({ subject: 'test1' }, { ...CALLER, scopes: ['mint:tokens', 'generateJwt'] }, config({ REQUIRED_SCOPE: 'mint:tokens' }), NOW);

    // Assess
    expect(claims.scope).toEqual(['generateJwt']);
  });

  test('records the caller, and the chain that led to it, as act', () => {
    // Act
    const claims = decideMintedClaims({ subject: 'test1' }, { ...CALLER, act: { sub: 'ops-admin' } }, config(), NOW);

    // Assess
    expect(claims.act).toEqual({ sub: 'caller-1', act: { sub: 'ops-admin' } });
  });

  describe('passing on the right to mint', () => {
    const delegate = { subject: 'svc-1', authorities: ['generateJwt'] };

    test('caps the default lifetime at the caller\'s expiry', () => {
      // Act
      const claims = decideMintedClaims(delegate, CALLER, config(), NOW);

      // Assess
      expect(claims).toMatchObject({ scope: ['generateJwt'], exp: CALLER.exp });
    });

    test('keeps a requested expiry at or before the caller\'s', () => {
      // Act
      const claims = decideMintedClaims({ ...delegate, expiresAt: CALLER.exp }, CALLER, config(), NOW);

      // Assess
      expect(claims.exp).toBe(CALLER.exp);
    });

    test('keeps a shorter default lifetime than the caller has left', () => {
      // Act
      const claims = decideMintedClaims(delegate, CALLER, config({ DEFAULT_TTL_SECONDS: '60' }), NOW);

      // Assess
      expect(claims.exp).toBe(NOW + 60);
    });

    test.each([
      {
        why: 'an expiry a second past the caller\'s',
        request: { ...delegate, expiresAt: NOW + 3601 },
        caller: CALLER,
        message: 'Field "expiresAt" is past the expiry of the caller token: a token that may mint never outlives its caller.',
      },
      {
        why: 'a caller token with no time left (inside the clock tolerance)',
        request: delegate,
        caller: { ...CALLER, exp: NOW },
        message: 'The caller token expires too soon to pass on the right to mint.',
      },
    ])('refuses $why with DELEGATION_EXCEEDS_CALLER, saying why', ({ request, caller, message }) => {
      // Act
      const error = refusalOf(request, config(), caller);

      // Assess
      expect(error).toMatchObject({ code: 'DELEGATION_EXCEEDS_CALLER', statusCode: 403, message });
    });

    test('does not cap a token that cannot mint, however long its caller lives', () => {
      // Act
      const claims = decideMintedClaims({ subject: 'svc-1', authorities: ['push'] }, { ...CALLER, exp: NOW + 10 }, config(), NOW);

      // Assess
      expect(claims.exp).toBe(NOW + 43_200);
    });
  });

  test.each([
    { depth: 3, act: { sub: 'b', act: { sub: 'a' } }, allowed: true },
    { depth: 4, act: { sub: 'c', act: { sub: 'b', act: { sub: 'a' } } }, allowed: true },
    { depth: 5, act: { sub: 'd', act: { sub: 'c', act: { sub: 'b', act: { sub: 'a' } } } }, allowed: false },
  ])('a token $depth mints from its origin is allowed: $allowed (MAX_DELEGATION_DEPTH 4)', ({ act, allowed }) => {
    // Act
    const mint = () => decideMintedClaims({ subject: 'test1' }, { ...CALLER, act }, config(), NOW);

    // Assess
    if (allowed) expect(mint).not.toThrow();
    else expect(refusalOf({ subject: 'test1' }, config(), { ...CALLER, act })).toMatchObject({ code: 'DELEGATION_TOO_DEEP', statusCode: 403 });
  });

  test('says how deep a refused chain would be and what MAX_DELEGATION_DEPTH allows', () => {
    // Act
    const error = refusalOf({ subject: 'test1' }, config({ MAX_DELEGATION_DEPTH: '1' }), { ...CALLER, act: { sub: 'a' } });

    // Assess
    expect(error.message).toBe('This token would be minted 2 mints away from its origin; at most 1 are allowed (MAX_DELEGATION_DEPTH).');
  });

  test('records a caller without a chain as act with its sub alone', () => {
    // Act
    const claims = decideMintedClaims({ subject: 'test1' }, CALLER, config(), NOW);

    // Assess
    expect(claims.act).toStrictEqual({ sub: 'caller-1' });
  });

  test.each([
    { name: 'an audience', request: { subject: 'test1', audience: 'payments' }, code: 'AUDIENCE_NOT_ALLOWED', message: 'Audience "payments" is not allowed.' },
    { name: 'an authority', request: { subject: 'test1', authorities: ['admin'] }, code: 'SCOPE_ESCALATION', message: 'Authority "admin" is not among the caller\'s scopes.' },
  ])('names $name it refuses', ({ request, code, message }) => {
    // Act
    const error = refusalOf(request);

    // Assess
    expect(error).toMatchObject({ code, message });
  });

  test('refuses a notBefore more than MAX_TTL_SECONDS from now, and accepts one exactly that far back', () => {
    // Act
    const tooEarly = refusalOf({ subject: 'test1', notBefore: NOW - 86_401 });
    const earliest = decideMintedClaims({ subject: 'test1', notBefore: NOW - 86_400 }, CALLER, config(), NOW);

    // Assess
    expect(tooEarly).toMatchObject({ code: 'INVALID_REQUEST', message: 'Field "notBefore" must be within 86400 seconds of now.' });
    expect(earliest.nbf).toBe(NOW - 86_400);
  });

  test('uses TOKEN_ISSUER as iss when configured', () => {
    // Act
    const claims = decideMintedClaims({ subject: 'test1' }, CALLER, config({ TOKEN_ISSUER: 'jwt-mint' }), NOW);

    // Assess
    expect(claims.iss).toBe('jwt-mint');
  });

  test('uses the configured DEFAULT_TTL_SECONDS and DEFAULT_AUDIENCE', () => {
    // Act
    const claims = decideMintedClaims(
      { subject: 'test1' },
      CALLER,
      config({ DEFAULT_TTL_SECONDS: '60', DEFAULT_AUDIENCE: 'billing', ALLOWED_AUDIENCES: 'billing' }),
      NOW,
    );

    // Assess
    expect(claims).toMatchObject({ exp: NOW + 60, aud: 'billing' });
  });

  test.each([
    { name: 'one second from now', expiresAt: NOW + 1 },
    { name: 'exactly MAX_TTL_SECONDS from now', expiresAt: NOW + 86_400 },
  ])('accepts an expiry $name', ({ expiresAt }) => {
    // Act
    const claims = decideMintedClaims({ subject: 'test1', expiresAt }, CALLER, config(), NOW);

    // Assess
    expect(claims.exp).toBe(expiresAt);
  });

  test.each([
    { name: 'now', expiresAt: NOW },
    { name: 'in the past', expiresAt: NOW - 1 },
    { name: 'the seed value 1', expiresAt: 1 },
    { name: 'one second past MAX_TTL_SECONDS', expiresAt: NOW + 86_401 },
  ])('refuses an expiry $name with INVALID_REQUEST naming expiresAt', ({ expiresAt }) => {
    // Act
    const error = refusalOf({ subject: 'test1', expiresAt });

    // Assess
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toContain('expiresAt');
  });

  test('applies a configured MAX_TTL_SECONDS to a requested expiry', () => {
    // Prepare
    const policy = config({ DEFAULT_TTL_SECONDS: '600', MAX_TTL_SECONDS: '600' });

    // Act
    const claims = decideMintedClaims({ subject: 'test1' }, CALLER, policy, NOW);
    const error = refusalOf({ subject: 'test1', expiresAt: NOW + 601 }, policy);

    // Assess
    expect(claims.exp).toBe(NOW + 600);
    expect(error.code).toBe('INVALID_REQUEST');
  });

  test('sets nbf when notBefore is before the expiry', () => {
    // Act
    const claims = decideMintedClaims({ subject: 'test1', expiresAt: NOW + 60, notBefore: NOW + 59 }, CALLER, config(), NOW);

    // Assess
    expect(claims.nbf).toBe(NOW + 59);
  });

  test('leaves nbf out when notBefore is absent', () => {
    // Act
    const claims = decideMintedClaims({ subject: 'test1' }, CALLER, config(), NOW);

    // Assess
    expect(claims).not.toHaveProperty('nbf');
  });

  test.each([
    { name: 'equal to the expiry', notBefore: NOW + 60 },
    { name: 'after the expiry', notBefore: NOW + 61 },
  ])('refuses a notBefore $name with INVALID_REQUEST naming notBefore', ({ notBefore }) => {
    // Act
    const error = refusalOf({ subject: 'test1', expiresAt: NOW + 60, notBefore });

    // Assess
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toContain('notBefore');
  });

  test.each([
    { name: 'one audience as a string', audience: 'billing', aud: 'billing' },
    { name: 'one audience as an array', audience: ['billing'], aud: 'billing' },
    { name: 'a repeated audience', audience: ['billing', 'billing'], aud: 'billing' },
    { name: 'several audiences', audience: ['mfs', 'billing'], aud: ['mfs', 'billing'] },
  ])('sets aud for $name', ({ audience, aud }) => {
    // Act
    const claims = decideMintedClaims({ subject: 'test1', audience }, CALLER, config({ ALLOWED_AUDIENCES: 'mfs,billing' }), NOW);

    // Assess
    expect(claims.aud).toEqual(aud);
  });

  test.each<{ name: string; request: MintRequest; env: Record<string, string>; code: MintErrorCode }>([
    { name: 'an audience outside the default allow-list', request: { subject: 'x', audience: 'billing' }, env: {}, code: 'AUDIENCE_NOT_ALLOWED' },
    { name: 'an audience list with one outsider', request: { subject: 'x', audience: ['mfs', 'admin'] }, env: { ALLOWED_AUDIENCES: 'mfs,billing' }, code: 'AUDIENCE_NOT_ALLOWED' },
    { name: 'an audience differing only in case', request: { subject: 'x', audience: 'MFS' }, env: {}, code: 'AUDIENCE_NOT_ALLOWED' },
    { name: 'an authority the caller lacks', request: { subject: 'x', authorities: ['root'] }, env: {}, code: 'SCOPE_ESCALATION' },
    { name: 'held authorities plus one more', request: { subject: 'x', authorities: ['push', 'query', 'root'] }, env: {}, code: 'SCOPE_ESCALATION' },
  ])('refuses $name with 403 $code', ({ request, env, code }) => {
    // Act
    const error = refusalOf(request, config(env));

    // Assess
    expect(error.code).toBe(code);
    expect(error.statusCode).toBe(403);
  });

  test('narrows scope to the requested authorities, once each', () => {
    // Act
    const claims = decideMintedClaims({ subject: 'test1', authorities: ['push', 'push'] }, CALLER, config(), NOW);

    // Assess
    expect(claims.scope).toEqual(['push']);
  });

  test('returns a scope array the caller claims cannot change afterwards', () => {
    // Prepare
    const scopes = ['generateJwt', 'push'];

    // Act
    const claims = decideMintedClaims({ subject: 'test1', authorities: ['push'] }, { ...CALLER, scopes }, config(), NOW);
    scopes.push('root');

    // Assess
    expect(claims.scope).toEqual(['push']);
  });
});
