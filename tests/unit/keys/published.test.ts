import { authorizationServerMetadata, issuerBaseUrl, jwksDocument, openIdConfiguration } from '../../../lib/keys/published';
import { importSigningKeys, type SigningKeys } from '../../../lib/keys/signingKeys';
import { keySetSecret, privateJwk } from '../../helpers/keys';

const NOW = new Date('2026-01-01T00:00:00Z');
let keys: SigningKeys;

beforeAll(async () => {
  keys = await importSigningKeys(
    keySetSecret(
      await privateJwk('ES256', { kid: 'a' }),
      await privateJwk('ES256', { kid: 'b', retired_at: NOW.getTime() / 1000 - 1 }),
      await privateJwk('HS512', { kid: 'c' }),
    ),
    NOW,
  );
});

describe('jwksDocument', () => {
  test('lists the public halves of the asymmetric keys in the set order', () => {
    expect(jwksDocument(keys).keys.map((jwk) => jwk.kid)).toEqual(['a', 'b']);
  });
});

const PATHS = { jwks: '/.well-known/jwks.json', token: '/oauth2/token' };

describe('authorizationServerMetadata', () => {
  test('names the token endpoint and the JWKS beside the issuer, the token exchange grant, no client authentication, and the signing algorithms', () => {
    expect(authorizationServerMetadata(keys, 'https://auth.example.com', PATHS, undefined, NOW)).toEqual({
      issuer: 'https://auth.example.com',
      token_endpoint: 'https://auth.example.com/oauth2/token',
      jwks_uri: 'https://auth.example.com/.well-known/jwks.json',
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:token-exchange'],
      token_endpoint_auth_methods_supported: ['none'],
      response_types_supported: [],
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });

  test('lists scopes_supported only when configured', () => {
    expect(authorizationServerMetadata(keys, 'https://auth.example.com', PATHS, ['push', 'query'], NOW).scopes_supported).toEqual(['push', 'query']);
  });
});

describe('openIdConfiguration', () => {
  test('is the authorization server metadata with the subject type, and lists the algorithm of each published key that signs now or later, once', () => {
    expect(openIdConfiguration(keys, 'https://auth.example.com', PATHS, undefined, NOW)).toEqual({
      ...authorizationServerMetadata(keys, 'https://auth.example.com', PATHS, undefined, NOW),
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });

  test('keeps the issuer exactly as configured, trailing slash included, but never doubles the slash', () => {
    const document = openIdConfiguration(keys, 'https://example.com/mint/', PATHS, undefined, NOW);

    expect(document.issuer).toBe('https://example.com/mint/');
    expect(document.jwks_uri).toBe('https://example.com/mint/.well-known/jwks.json');
    expect(document.token_endpoint).toBe('https://example.com/mint/oauth2/token');
  });

  test.each([
    ['unset', undefined],
    ['a bare name', 'jwt-mint'],
    ['a URL with a query', 'https://auth.example.com/?tenant=1'],
    ['another scheme', 'urn:jwt-mint'],
  ])('there is no discovery document or token endpoint (NOT_FOUND) when TOKEN_ISSUER is %s', (_case, issuer) => {
    expect(() => issuerBaseUrl(issuer, 'token endpoint')).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringMatching(/^No token endpoint: /) }));
  });

  test.each(['https://auth.example.com', 'http://localhost:8080/'])('serves discovery for the http(s) base URL %s', (issuer) => {
    expect(issuerBaseUrl(issuer, 'discovery document')).toBe(issuer);
  });
});
