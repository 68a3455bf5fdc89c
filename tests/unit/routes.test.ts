import { MintError } from '../../lib/errors';
import { publishedRouteOf, resolveRoute } from '../../lib/routes';
import { eventsFor, v1Event, v2Event } from '../helpers/events';

function routeError(route: string): MintError {
  try {
    resolveRoute(route);
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error(`expected ${route} to be refused`);
}

describe('resolveRoute', () => {
  test.each([
    ['POST /user/generateJwt', 'mint'],
    ['GET /.well-known/jwks.json', 'jwks'],
    ['GET /.well-known/openid-configuration', 'openidConfiguration'],
  ])('names %s as the %s route', (route, name) => {
    expect(resolveRoute(route)).toBe(name);
  });

  test.each([
    ['GET /user/generateJwt', 'Use POST /user/generateJwt.'],
    ['POST /.well-known/jwks.json', 'Use GET /.well-known/jwks.json.'],
    ['DELETE /.well-known/openid-configuration', 'Use GET /.well-known/openid-configuration.'],
  ])('refuses %s with 405, naming the method to use', (route, message) => {
    const error = routeError(route);

    expect(error).toMatchObject({ code: 'METHOD_NOT_ALLOWED', statusCode: 405, message });
  });

  test('refuses an unknown path with 404', () => {
    expect(routeError('GET /.well-known/keys')).toMatchObject({ code: 'NOT_FOUND', statusCode: 404 });
  });
});

describe('publishedRouteOf', () => {
  test('sends the JWKS and discovery requests of either API Gateway version to the published chain', () => {
    expect(publishedRouteOf(v2Event({ method: 'GET', path: '/.well-known/jwks.json' }))).toBe('jwks');
    expect(publishedRouteOf(v1Event({ method: 'GET', path: '/.well-known/openid-configuration' }))).toBe('openidConfiguration');
  });

  test('leaves mint requests, direct invokes and unroutable requests to the mint chain', () => {
    const mint = eventsFor('Bearer x', { subject: 's' });

    expect(publishedRouteOf(mint.v2)).toBeUndefined();
    expect(publishedRouteOf(mint.direct)).toBeUndefined();
    expect(publishedRouteOf(v2Event({ method: 'POST', path: '/.well-known/jwks.json' }))).toBeUndefined();
    expect(publishedRouteOf(v2Event({ method: 'GET', path: '/nowhere' }))).toBeUndefined();
  });
});
