import { MintError } from '../../../lib/errors';
import type { FormFields } from '../../../lib/http/body';
import { parseExchangeRequest } from '../../../lib/exchange/request';

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';

/** A valid exchange form, with any field replaced or removed (undefined). */
function form(fields: Record<string, string | string[] | undefined> = {}): FormFields {
  const all: Record<string, string | string[] | undefined> = { grant_type: GRANT, subject_token: 'a.b.c', subject_token_type: ACCESS_TOKEN, ...fields };
  const result: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of Object.entries(all)) if (value !== undefined) result[name] = value;
  return result;
}

function refusalOf(fields: FormFields, authorization: readonly string[] = []): MintError {
  try {
    parseExchangeRequest(fields, authorization);
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('parseExchangeRequest accepted a request it should refuse');
}

describe('parseExchangeRequest', () => {
  test('reads the smallest valid request: an access token as subject, the access token type asked for by default', () => {
    // Act
    const request = parseExchangeRequest(form(), []);

    // Assess
    expect(request).toEqual({ subjectToken: 'a.b.c', actorToken: undefined, requestedTokenType: ACCESS_TOKEN, audiences: [], scopes: undefined });
  });

  test('reads every parameter: audiences and resources together, the scope split on spaces, the actor token', () => {
    // Act
    const request = parseExchangeRequest(
      form({
        subject_token_type: JWT,
        actor_token: 'd.e.f',
        actor_token_type: ACCESS_TOKEN,
        requested_token_type: JWT,
        audience: ['mfs', 'billing'],
        resource: 'https://api.example.com',
        scope: 'push  query',
        client_id: 'my-client',
      }),
      [],
    );

    // Assess
    expect(request).toEqual({
      subjectToken: 'a.b.c',
      actorToken: 'd.e.f',
      requestedTokenType: JWT,
      audiences: ['mfs', 'billing', 'https://api.example.com'],
      scopes: ['push', 'query'],
    });
  });

  test('ignores parameters it does not know (RFC 6749 §3.2), repeated or not', () => {
    // Act
    const request = parseExchangeRequest(form({ foo: 'x', bar: ['1', '2'], constructor: 'y' }), []);

    // Assess
    expect(request.subjectToken).toBe('a.b.c');
  });

  test('reads a parameter sent without a value as absent (RFC 6749 §3.2)', () => {
    // Act
    const request = parseExchangeRequest(form({ scope: '', audience: ['', 'mfs'], actor_token: '', actor_token_type: '', requested_token_type: '' }), []);

    // Assess
    expect(request).toMatchObject({ scopes: undefined, audiences: ['mfs'], actorToken: undefined, requestedTokenType: ACCESS_TOKEN });
  });

  test.each(['grant_type', 'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'scope', 'client_id'])(
    'refuses %s sent twice with INVALID_REQUEST',
    (name) => {
      expect(refusalOf(form({ actor_token: 'd.e.f', actor_token_type: JWT, [name]: ['x', 'y'] }))).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining(`"${name}"`) });
    },
  );

  test.each([
    ['no grant_type', { grant_type: undefined }, 'INVALID_REQUEST'],
    ['another grant type', { grant_type: 'client_credentials' }, 'UNSUPPORTED_GRANT_TYPE'],
    ['the grant type in another case', { grant_type: GRANT.toUpperCase() }, 'UNSUPPORTED_GRANT_TYPE'],
    ['no subject_token', { subject_token: undefined }, 'INVALID_REQUEST'],
    ['no subject_token_type', { subject_token_type: undefined }, 'INVALID_REQUEST'],
    ['an id_token subject', { subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }, 'INVALID_REQUEST'],
    ['a refresh token asked for', { requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }, 'INVALID_REQUEST'],
    ['an actor_token without its type', { actor_token: 'd.e.f' }, 'INVALID_REQUEST'],
    ['an actor_token_type without a token', { actor_token_type: JWT }, 'INVALID_REQUEST'],
    ['a SAML actor', { actor_token: 'd.e.f', actor_token_type: 'urn:ietf:params:oauth:token-type:saml2' }, 'INVALID_REQUEST'],
    ['a client_secret', { client_secret: 's3cret' }, 'CLIENT_AUTHENTICATION_UNSUPPORTED'],
    ['a client_assertion', { client_assertion: 'x.y.z', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' }, 'CLIENT_AUTHENTICATION_UNSUPPORTED'],
    ['a scope with a quote', { scope: 'push "admin"' }, 'INVALID_SCOPE'],
    ['a scope with a non-ASCII character', { scope: 'café' }, 'INVALID_SCOPE'],
    ['65 scopes', { scope: Array.from({ length: 65 }, (_, i) => `s${i}`).join(' ') }, 'INVALID_SCOPE'],
    ['65 audiences', { audience: Array.from({ length: 65 }, (_, i) => `a${i}`) }, 'INVALID_REQUEST'],
    ['an audience of 257 characters', { audience: 'a'.repeat(257) }, 'INVALID_REQUEST'],
    ['a subject token longer than any of ours', { subject_token: 'a'.repeat(8193) }, 'INVALID_TOKEN'],
  ])('refuses %s', (_case, fields, code) => {
    expect(refusalOf(form(fields))).toMatchObject({ code });
  });

  test('refuses an Authorization header: the endpoint takes no client authentication', () => {
    expect(refusalOf(form(), ['Basic Y2xpZW50OnNlY3JldA=='])).toMatchObject({ code: 'CLIENT_AUTHENTICATION_UNSUPPORTED', statusCode: 401 });
  });

  test('checks the grant type before client authentication, and that before the rest', () => {
    expect(refusalOf(form({ grant_type: 'password', client_secret: 'x' }))).toMatchObject({ code: 'UNSUPPORTED_GRANT_TYPE' });
    expect(refusalOf(form({ subject_token: undefined, client_secret: 'x' }))).toMatchObject({ code: 'CLIENT_AUTHENTICATION_UNSUPPORTED' });
  });

  test('never repeats a value it was sent in a refusal', () => {
    // Prepare
    const hostile = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2VjcmV0LXZhbHVl';

    // Act
    const refusals = [
      refusalOf(form({ grant_type: hostile })),
      refusalOf(form({ subject_token_type: hostile })),
      refusalOf(form({ scope: `${hostile}"` })),
      refusalOf(form({ requested_token_type: hostile })),
    ];

    // Assess
    for (const refusal of refusals) expect(refusal.message).not.toContain(hostile);
  });
});
