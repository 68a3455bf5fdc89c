import { loadConfig, type Config } from '../../../lib/config';
import { MintError } from '../../../lib/errors';
import { decideExchangedClaims } from '../../../lib/exchange/policy';
import type { ExchangeRequest } from '../../../lib/exchange/request';
import type { ExchangedTokenClaims } from '../../../lib/tokens/callerToken';

const NOW = 1_900_000_000;
const ISSUER = 'https://auth.example.com';
const REQUEST: ExchangeRequest = {
  subjectToken: 'a.b.c',
  actorToken: undefined,
  requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
  audiences: [],
  scopes: undefined,
};
/** A subject token addressed to this service. */
const SUBJECT: ExchangedTokenClaims = { sub: 'user-1', aud: ['mfs'], scopes: ['generateJwt', 'push', 'query'], exp: NOW + 3600 };
/** A downstream service's own token: the actor. */
const ACTOR: ExchangedTokenClaims = { sub: 'svc-orders', aud: ['mfs'], scopes: [], exp: NOW + 600 };

function config(env: Record<string, string> = {}): Config {
  return loadConfig({ SIGNING_SECRET_ID: 'test/secret', ALLOWED_AUDIENCES: 'mfs,billing,reports', ...env });
}

function decide(request: Partial<ExchangeRequest> = {}, subject: Partial<ExchangedTokenClaims> = {}, actor?: Partial<ExchangedTokenClaims>, env?: Record<string, string>) {
  return decideExchangedClaims({ ...REQUEST, ...request }, { ...SUBJECT, ...subject }, actor === undefined ? undefined : { ...ACTOR, ...actor }, config(env), ISSUER, NOW);
}

function refusalOf(...args: Parameters<typeof decide>): MintError {
  try {
    decide(...args);
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('decideExchangedClaims allowed an exchange it should refuse');
}

describe('decideExchangedClaims', () => {
  test('by default: the subject, the default audience, its scopes less the right to mint, its expiry, itself as client', () => {
    expect(decide()).toEqual({ iss: ISSUER, sub: 'user-1', aud: 'mfs', scope: ['push', 'query'], exp: NOW + 3600, clientId: 'user-1' });
  });

  test('narrows to the scopes and audiences asked for', () => {
    expect(decide({ scopes: ['push'], audiences: ['billing', 'reports', 'billing'] })).toMatchObject({ scope: ['push'], aud: ['billing', 'reports'] });
  });

  test('passes the right to mint on only when asked for by name', () => {
    expect(decide({ scopes: ['generateJwt', 'push'] }).scope).toEqual(['generateJwt', 'push']);
  });

  test('never outlives the subject token, nor MAX_TTL_SECONDS from now', () => {
    expect(decide({}, { exp: NOW + 10 * 86_400 }).exp).toBe(NOW + 86_400);
    expect(decide({}, { exp: NOW + 60 }, undefined, { MAX_TTL_SECONDS: '600', DEFAULT_TTL_SECONDS: '300' }).exp).toBe(NOW + 60);
  });

  test('keeps the subject token\'s client_id, else names the actor, else the subject', () => {
    expect(decide({}, { clientId: 'web-app' }, {}).clientId).toBe('web-app');
    expect(decide({}, {}, {}).clientId).toBe('svc-orders');
    expect(decide().clientId).toBe('user-1');
  });

  test('names the actor in act, its own chain nested inside (RFC 8693 §4.1)', () => {
    expect(decide({}, { act: { sub: 'ops-admin' } }, {}).act).toEqual({ sub: 'svc-orders' });
    expect(decide({}, {}, { act: { sub: 'ops-admin' } }).act).toEqual({ sub: 'svc-orders', act: { sub: 'ops-admin' } });
  });

  test('without an actor keeps the subject token\'s own act, so an exchange never shortens a chain of mints', () => {
    expect(decide({}, { act: { sub: 'ops-admin' } }).act).toEqual({ sub: 'ops-admin' });
    expect(decide()).not.toHaveProperty('act');
  });

  describe('who may exchange', () => {
    const DOWNSTREAM = { aud: ['svc-orders'] };

    test('a token addressed to a downstream service, by that service with its own token as actor', () => {
      expect(decide({}, DOWNSTREAM, {}).sub).toBe('user-1');
    });

    test('a token whose may_act names the actor (RFC 8693 §4.4), its issuer too when it names one', () => {
      expect(decide({}, { aud: ['elsewhere'], mayAct: { sub: 'svc-orders' } }, {}).sub).toBe('user-1');
      expect(decide({}, { aud: ['elsewhere'], mayAct: { sub: 'svc-orders', iss: ISSUER } }, { iss: ISSUER }).sub).toBe('user-1');
    });

    test('a token whose may_act names the actor without an issuer, whatever issuer the actor token has', () => {
      expect(decide({}, { aud: ['elsewhere'], mayAct: { sub: 'svc-orders' } }, { iss: ISSUER }).sub).toBe('user-1');
    });

    test('tells a requester without an actor token how it may exchange, and one with an actor token what did not match', () => {
      // Act
      const withoutActor = refusalOf({}, DOWNSTREAM, undefined);
      const withActor = refusalOf({}, DOWNSTREAM, { sub: 'svc-thief' });

      // Assess
      expect(withoutActor.message).toBe(
        'The subject token is not addressed to this service: only a party it is addressed to, or that its may_act names, may exchange it, with its own token as actor_token.',
      );
      expect(withActor.message).toBe('The subject token is addressed neither to this service nor to the actor, and its may_act does not name the actor.');
    });

    test.each([
      ['a token addressed elsewhere, with no actor: whoever took it from that service', DOWNSTREAM, undefined],
      ['a token addressed elsewhere, with an actor it is not addressed to', DOWNSTREAM, { sub: 'svc-thief' }],
      ['a token whose may_act names another party', { aud: ['elsewhere'], mayAct: { sub: 'svc-billing' } }, {}],
      ['a token whose may_act names the actor at another issuer', { aud: ['elsewhere'], mayAct: { sub: 'svc-orders', iss: 'https://other.example' } }, { iss: ISSUER }],
      ['a token with no audience at all', { aud: [] }, undefined],
    ])('refuses %s with EXCHANGE_NOT_ALLOWED', (_case, subject: Partial<ExchangedTokenClaims>, actor: Partial<ExchangedTokenClaims> | undefined) => {
      expect(refusalOf({}, subject, actor)).toMatchObject({ code: 'EXCHANGE_NOT_ALLOWED' });
    });
  });

  test.each([
    ['an audience outside ALLOWED_AUDIENCES', { audiences: ['payments'] }, {}, 'AUDIENCE_NOT_ALLOWED'],
    ['a scope beyond the subject token\'s', { scopes: ['push', 'admin'] }, {}, 'SCOPE_ESCALATION'],
    ['a subject token with no time left inside the clock tolerance', {}, { exp: NOW }, 'TOKEN_EXPIRED'],
  ])('refuses %s', (_case, request: Partial<ExchangeRequest>, subject: Partial<ExchangedTokenClaims>, code) => {
    expect(refusalOf(request, subject)).toMatchObject({ code });
  });

  test.each([
    ['an audience', { audiences: ['payments'] }, {}, 'An audience or resource asked for is not one this service issues tokens for (ALLOWED_AUDIENCES).'],
    ['a scope', { scopes: ['admin'] }, {}, "A scope asked for is not among the subject token's scopes."],
    ['an expired subject token', {}, { exp: NOW }, 'The subject token has no time left to give.'],
  ])('says which check refused %s', (_case, request: Partial<ExchangeRequest>, subject: Partial<ExchangedTokenClaims>, message) => {
    expect(refusalOf(request, subject).message).toBe(message);
  });

  test('refuses an actor whose chain would take the token past MAX_DELEGATION_DEPTH', () => {
    expect(refusalOf({}, {}, { act: { sub: 'b', act: { sub: 'c' } } }, { MAX_DELEGATION_DEPTH: '2' })).toMatchObject({ code: 'DELEGATION_TOO_DEEP' });
    expect(decide({}, {}, { act: { sub: 'b' } }, { MAX_DELEGATION_DEPTH: '2' }).act).toEqual({ sub: 'svc-orders', act: { sub: 'b' } });
  });

  test('refuses a subject token whose own chain is already past MAX_DELEGATION_DEPTH', () => {
    expect(refusalOf({}, { act: { sub: 'b', act: { sub: 'c' } } }, undefined, { MAX_DELEGATION_DEPTH: '1' })).toMatchObject({ code: 'DELEGATION_TOO_DEEP' });
  });

  test('never repeats an audience or scope it was sent in a refusal', () => {
    // Prepare
    const hostile = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2VjcmV0LXZhbHVl';

    // Act
    const refusals = [refusalOf({ audiences: [hostile] }), refusalOf({ scopes: [hostile] })];

    // Assess
    for (const refusal of refusals) expect(refusal.message).not.toContain(hostile);
  });
});
