import { discoveryIssuer, jwksDocument, openIdConfiguration } from '../../../lib/keys/published';
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

const JWKS_PATH = '/.well-known/jwks.json';

describe('openIdConfiguration', () => {
  test('puts the JWKS beside the issuer and lists the algorithm of each published key that signs now or later, once', () => {
    expect(openIdConfiguration(keys, 'https://auth.example.com', JWKS_PATH, NOW)).toEqual({
      issuer: 'https://auth.example.com',
      jwks_uri: 'https://auth.example.com/.well-known/jwks.json',
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });

  test('keeps the issuer exactly as configured, trailing slash included, but never doubles the slash', () => {
    const document = openIdConfiguration(keys, 'https://example.com/mint/', JWKS_PATH, NOW);

    expect(document.issuer).toBe('https://example.com/mint/');
    expect(document.jwks_uri).toBe('https://example.com/mint/.well-known/jwks.json');
  });

  test.each([
    ['unset', undefined],
    ['a bare name', 'jwt-mint'],
    ['a URL with a query', 'https://auth.example.com/?tenant=1'],
    ['another scheme', 'urn:jwt-mint'],
  ])('there is no discovery document (NOT_FOUND) when TOKEN_ISSUER is %s', (_case, issuer) => {
    expect(() => discoveryIssuer(issuer)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  test.each(['https://auth.example.com', 'http://localhost:8080/'])('serves discovery for the http(s) base URL %s', (issuer) => {
    expect(discoveryIssuer(issuer)).toBe(issuer);
  });
});
