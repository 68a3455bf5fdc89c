import type { JSONWebKeySet } from 'jose';
import { testHandler } from '../helpers/handler';
import { callerTokenSignedWith, keySetSecret, privateJwk } from '../helpers/keys';
import { eventFor, v1Event, v2Event } from '../helpers/events';
import { decodeJwt } from '../helpers/tokens';

const NOW_MS = Date.parse('2026-01-01T00:00:00Z');
const NOW_SECONDS = NOW_MS / 1000;
const JWKS_PATH = '/.well-known/jwks.json';
const DISCOVERY_PATH = '/.well-known/openid-configuration';

async function keySet() {
  const signer = await privateJwk('ES256', { kid: 'signer' });
  const retired = await privateJwk('RS256', { kid: 'retired', retired_at: NOW_SECONDS - 60 });
  const hmac = await privateJwk('HS256', { kid: 'hmac' });
  return { signer, secret: keySetSecret(signer, retired, hmac) };
}

describe('GET /.well-known/jwks.json', () => {
  it.each([
    ['API Gateway v2', v2Event],
    ['API Gateway v1', v1Event],
  ] as const)('serves the public keys over %s without a caller token, cacheable for the cache window', async (_shape, event) => {
    const { secret } = await keySet();
    const service = testHandler({ nowMs: NOW_MS, secret, env: { SECRET_CACHE_SECONDS: '120' } });

    const response = await service.invoke(event({ method: 'GET', path: JWKS_PATH }));

    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=120' });
    const jwks = JSON.parse(response.raw) as JSONWebKeySet;
    expect(jwks.keys.map((key) => [key.kid, key.alg, key.use])).toEqual([
      ['signer', 'ES256', 'sig'],
      ['retired', 'RS256', 'sig'],
    ]);
  });

  it('refuses POST with 405, naming the method to use', async () => {
    const service = testHandler({ nowMs: NOW_MS, secret: (await keySet()).secret });

    const response = await service.invoke(v2Event({ method: 'POST', path: JWKS_PATH, body: '{}' }));

    expect(response.status).toBe(405);
    expect(response.envelope).toMatchObject({ code: 405, error: 'METHOD_NOT_ALLOWED', message: 'Use GET /.well-known/jwks.json.' });
  });

  it('answers 404 for another path under /.well-known', async () => {
    const service = testHandler({ nowMs: NOW_MS, secret: (await keySet()).secret });

    const response = await service.invoke(v2Event({ method: 'GET', path: '/.well-known/keys' }));

    expect(response.status).toBe(404);
    expect(response.envelope.error).toBe('NOT_FOUND');
  });

  it('answers 503 without caching when the secret cannot be fetched', async () => {
    const service = testHandler({
      nowMs: NOW_MS,
      fetchSecret: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    });

    const response = await service.invoke(v2Event({ method: 'GET', path: JWKS_PATH }));

    expect(response.status).toBe(503);
    expect(response.headers['Cache-Control']).toBe('no-store');
    expect(response.envelope).toMatchObject({ code: 503, data: null, error: 'SECRET_UNAVAILABLE' });
  });
});

describe('GET /.well-known/openid-configuration', () => {
  it('names the issuer, the JWKS beside it and the signing algorithms when TOKEN_ISSUER is the base URL', async () => {
    const service = testHandler({
      nowMs: NOW_MS,
      secret: (await keySet()).secret,
      env: { TOKEN_ISSUER: 'https://auth.example.com/jwt-mint/', SECRET_CACHE_SECONDS: '60' },
    });

    const response = await service.invoke(v2Event({ method: 'GET', path: DISCOVERY_PATH }));

    expect(response.status).toBe(200);
    expect(response.headers['Cache-Control']).toBe('public, max-age=60');
    expect(JSON.parse(response.raw)).toEqual({
      issuer: 'https://auth.example.com/jwt-mint/',
      token_endpoint: 'https://auth.example.com/jwt-mint/oauth2/token',
      jwks_uri: 'https://auth.example.com/jwt-mint/.well-known/jwks.json',
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:token-exchange'],
      token_endpoint_auth_methods_supported: ['none'],
      response_types_supported: [],
      subject_types_supported: ['public'],
      // The signer's; not the retired RS256 key's, nor the HMAC key's (docs/security.md, finding 5).
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });

  it('matches the iss of the tokens it mints', async () => {
    const { signer, secret } = await keySet();
    const service = testHandler({ nowMs: NOW_MS, secret, env: { TOKEN_ISSUER: 'https://auth.example.com' } });

    const minted = await service.invoke(
      eventFor('v2', { authorization: `Bearer ${await callerTokenSignedWith(signer, { nowSeconds: NOW_SECONDS })}`, body: { subject: 's' } }),
    );
    const discovery = await service.invoke(v2Event({ method: 'GET', path: DISCOVERY_PATH }));

    expect(decodeJwt(String(minted.envelope.data)).payload.iss).toBe(JSON.parse(discovery.raw).issuer);
  });

  it.each([
    ['unset', {}],
    ['not a URL', { TOKEN_ISSUER: 'jwt-mint' }],
  ])('answers 404 when TOKEN_ISSUER is %s', async (_case, env: Record<string, string>) => {
    const service = testHandler({ nowMs: NOW_MS, secret: (await keySet()).secret, env });

    const response = await service.invoke(v2Event({ method: 'GET', path: DISCOVERY_PATH }));

    expect(response.status).toBe(404);
    expect(response.envelope).toMatchObject({ code: 404, data: null, error: 'NOT_FOUND' });
    expect(response.headers['Cache-Control']).toBe('no-store');
  });
});

describe('GET /.well-known/oauth-authorization-server', () => {
  const METADATA_PATH = '/.well-known/oauth-authorization-server';

  it.each([
    ['API Gateway v2', v2Event],
    ['API Gateway v1', v1Event],
  ] as const)('serves RFC 8414 metadata over %s: the token endpoint, the JWKS, the grant, no client authentication, the configured scopes', async (_shape, event) => {
    const service = testHandler({
      nowMs: NOW_MS,
      secret: (await keySet()).secret,
      env: { TOKEN_ISSUER: 'https://auth.example.com', SCOPES_SUPPORTED: 'push,query', SECRET_CACHE_SECONDS: '60' },
    });

    const response = await service.invoke(event({ method: 'GET', path: METADATA_PATH }));

    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=60', 'X-Content-Type-Options': 'nosniff' });
    expect(JSON.parse(response.raw)).toEqual({
      issuer: 'https://auth.example.com',
      token_endpoint: 'https://auth.example.com/oauth2/token',
      jwks_uri: 'https://auth.example.com/.well-known/jwks.json',
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:token-exchange'],
      token_endpoint_auth_methods_supported: ['none'],
      response_types_supported: [],
      scopes_supported: ['push', 'query'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });

  it('lists the same fields as the discovery document, which adds only the subject type', async () => {
    const service = testHandler({ nowMs: NOW_MS, secret: (await keySet()).secret, env: { TOKEN_ISSUER: 'https://auth.example.com' } });

    const metadata = JSON.parse((await service.invoke(v2Event({ method: 'GET', path: METADATA_PATH }))).raw);
    const discovery = JSON.parse((await service.invoke(v2Event({ method: 'GET', path: DISCOVERY_PATH }))).raw);

    expect(discovery).toEqual({ ...metadata, subject_types_supported: ['public'] });
  });

  it.each([
    ['unset', {}],
    ['not a URL', { TOKEN_ISSUER: 'jwt-mint' }],
  ])('answers 404 when TOKEN_ISSUER is %s', async (_case, env: Record<string, string>) => {
    const service = testHandler({ nowMs: NOW_MS, secret: (await keySet()).secret, env });

    const response = await service.invoke(v2Event({ method: 'GET', path: METADATA_PATH }));

    expect(response.status).toBe(404);
    expect(response.envelope).toMatchObject({ code: 404, data: null, error: 'NOT_FOUND' });
  });
});

describe('the mint route beside the published ones', () => {
  it('still refuses GET /user/generateJwt with 405', async () => {
    const service = testHandler({ nowMs: NOW_MS, secret: (await keySet()).secret });

    const response = await service.invoke(v2Event({ method: 'GET', path: '/user/generateJwt' }));

    expect(response.status).toBe(405);
    expect(response.envelope.error).toBe('METHOD_NOT_ALLOWED');
  });

  it('still mints on a direct invoke, which never reaches the published routes', async () => {
    const { signer, secret } = await keySet();
    const service = testHandler({ nowMs: NOW_MS, secret });
    const authorization = `Bearer ${await callerTokenSignedWith(signer, { nowSeconds: NOW_SECONDS })}`;

    const response = await service.invoke(eventFor('direct', { authorization, body: { subject: 's' } }));

    expect(response.status).toBe(200);
    expect(decodeJwt(String(response.envelope.data)).header.kid).toBe('signer');
  });
});
