import { MintError } from '../../lib/errors';
import { routeEvent, resolveRoute } from '../../lib/routes';
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

describe('routeEvent', () => {
  test('sends the JWKS and discovery requests of either API Gateway version to the published routes', () => {
    expect(routeEvent(v2Event({ method: 'GET', path: '/.well-known/jwks.json' }))).toEqual({ shape: 'http-v2', route: 'jwks' });
    expect(routeEvent(v1Event({ method: 'GET', path: '/.well-known/openid-configuration' }))).toEqual({
      shape: 'http-v1',
      route: 'openidConfiguration',
    });
  });

  test('routes mint requests of every shape, direct invokes included, to the mint route', () => {
    const mint = eventsFor('Bearer x', { subject: 's' });

    expect(routeEvent(mint.v2)).toEqual({ shape: 'http-v2', route: 'mint' });
    expect(routeEvent(mint.v1)).toEqual({ shape: 'http-v1', route: 'mint' });
    expect(routeEvent(mint.direct)).toEqual({ shape: 'direct', route: 'mint' });
  });

  test('carries the refusal of a wrong method or an unknown path, for the envelope to answer', () => {
    const wrongMethod = routeEvent(v2Event({ method: 'POST', path: '/.well-known/jwks.json' })).route;
    const unknown = routeEvent(v2Event({ method: 'GET', path: '/nowhere' })).route;

    expect(wrongMethod).toMatchObject({ code: 'METHOD_NOT_ALLOWED', statusCode: 405 });
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', statusCode: 404 });
  });
});
