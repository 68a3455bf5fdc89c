import { MintError } from '../../../lib/errors';
import { matchRoute } from '../../../lib/http/router';

const ROUTES = [
  { name: 'mint', method: 'POST', path: '/user/generateJwt', directInvoke: true },
  { name: 'jwks', method: 'GET', path: '/.well-known/jwks.json' },
  { name: 'discovery', method: 'GET', path: '/.well-known/openid-configuration' },
] as const;

function refusal(method: string, path: string | undefined, routes: readonly (typeof ROUTES)[number][] = ROUTES): MintError {
  try {
    matchRoute(routes, { method, path });
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
    const route = matchRoute(ROUTES, { method, path });

    // Assess
    expect(route.name).toBe(name);
  });

  test('serves a direct invoke, which names no path, by the route marked for it', () => {
    // Act
    const route = matchRoute(ROUTES, { method: 'POST', path: undefined });

    // Assess
    expect(route.name).toBe('mint');
  });

  test('refuses a direct invoke with 404 when no route is marked for it', () => {
    // Act
    const error = refusal('POST', undefined, ROUTES.slice(1));

    // Assess
    expect(error).toMatchObject({ code: 'NOT_FOUND', statusCode: 404 });
  });

  test.each([
    ['GET', '/user/generateJwt', 'Use POST /user/generateJwt.'],
    ['POST', '/.well-known/jwks.json', 'Use GET /.well-known/jwks.json.'],
    ['DELETE', '/.well-known/openid-configuration', 'Use GET /.well-known/openid-configuration.'],
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
