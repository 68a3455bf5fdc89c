import { MintError } from '../../../lib/errors';
import { formatAtPath, matchRoute } from '../../../lib/http/router';

const ROUTES = [
  { name: 'mint', method: 'POST', path: '/user/generateJwt', format: 'envelope', directInvoke: 'default' },
  { name: 'token', method: 'POST', path: '/oauth2/token', format: 'oauth', directInvoke: 'byPath' },
  { name: 'jwks', method: 'GET', path: '/.well-known/jwks.json', format: 'document' },
  { name: 'discovery', method: 'GET', path: '/.well-known/openid-configuration', format: 'document' },
] as const;

function refusal(
  method: string,
  path: string | undefined,
  routes: readonly (typeof ROUTES)[number][] = ROUTES,
  shape: 'http-v2' | 'direct' = path === undefined ? 'direct' : 'http-v2',
): MintError {
  try {
    matchRoute(routes, { method, path, shape });
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error(`expected ${method} ${path} to be refused`);
}

describe('matchRoute', () => {
  test.each([
    ['POST', '/user/generateJwt', 'mint'],
    ['GET', '/.well-known/jwks.json', 'jwks'],
    ['GET', '/.well-known/openid-configuration', 'discovery'],
  ])('finds %s %s', (method, path, name) => {
    // Act
    const route = matchRoute(ROUTES, { method, path, shape: 'http-v2' });

    // Assess
    expect(route.name).toBe(name);
  });

  test('serves a direct invoke, which names no path, by the route marked for it', () => {
    // Act
    const route = matchRoute(ROUTES, { method: 'POST', path: undefined, shape: 'direct' });

    // Assess
    expect(route.name).toBe('mint');
  });

  test.each([
    ['/oauth2/token', 'token'],
    ['/user/generateJwt', 'mint'],
  ])('serves a direct invoke naming %s by the route at that path', (path, name) => {
    // Act
    const route = matchRoute(ROUTES, { method: 'POST', path, shape: 'direct' });

    // Assess
    expect(route.name).toBe(name);
  });

  test.each(['/.well-known/jwks.json', '/elsewhere', ''])('refuses a direct invoke naming %p, which no route marked for it has, with 404', (path) => {
    // Act
    const error = refusal('POST', path, ROUTES, 'direct');

    // Assess
    expect(error).toMatchObject({ code: 'NOT_FOUND', statusCode: 404 });
  });

  test('refuses a direct invoke with 404 when no route is marked for it', () => {
    // Act
    const error = refusal('POST', undefined, ROUTES.slice(2));

    // Assess
    expect(error).toMatchObject({ code: 'NOT_FOUND', statusCode: 404 });
  });

  test.each([
    ['GET', '/user/generateJwt', 'Use POST /user/generateJwt.'],
    ['POST', '/.well-known/jwks.json', 'Use GET /.well-known/jwks.json.'],
    ['DELETE', '/.well-known/openid-configuration', 'Use GET /.well-known/openid-configuration.'],
    ['GET', '/oauth2/token', 'Use POST /oauth2/token.'],
  ])('refuses %s %s with 405, naming the method to use', (method, path, message) => {
    // Act
    const error = refusal(method, path);

    // Assess
    expect(error).toMatchObject({ code: 'METHOD_NOT_ALLOWED', statusCode: 405, message });
  });

  test.each(['/.well-known/keys', '/user/generatejwt', '/user/generateJwt/', ''])('refuses the unknown path %p with 404', (path) => {
    // Act
    const error = refusal('GET', path);

    // Assess
    expect(error).toMatchObject({ code: 'NOT_FOUND', statusCode: 404 });
  });
});

describe('formatAtPath', () => {
  test.each([
    ['/oauth2/token', 'oauth'],
    ['/user/generateJwt', 'envelope'],
    ['/elsewhere', undefined],
    [undefined, undefined],
  ])('answers a refusal at %p in %p', (path, format) => {
    // Act
    const answer = formatAtPath(ROUTES, path);

    // Assess
    expect(answer).toBe(format);
  });

  test('has no format for a path whose routes answer in different ones', () => {
    // Prepare
    const routes = [...ROUTES, { name: 'status', method: 'GET', path: '/oauth2/token', format: 'document' }] as const;

    // Act
    const answer = formatAtPath(routes, '/oauth2/token');

    // Assess
    expect(answer).toBeUndefined();
  });
});
