import { headerValuesOf, normalizeEvent } from '../../../lib/http/request';
import { v1Event, v2Event } from '../../helpers/events';

describe('normalizeEvent', () => {
  test('reads an HTTP API (payload 2.0) event by its route key', () => {
    // Act
    const request = normalizeEvent(v2Event({ headers: { 'Content-Type': 'application/json' }, body: '{}' }));

    // Assess
    expect(request).toEqual({
      shape: 'http-v2',
      method: 'POST',
      path: '/user/generateJwt',
      headers: { 'content-type': ['application/json'] },
      body: '{}',
      isBase64Encoded: false,
    });
  });

  test('reads a v2 $default route by its method and raw path', () => {
    // Act
    const request = normalizeEvent({ ...v2Event({ method: 'get', path: '/.well-known/jwks.json' }), routeKey: '$default' });

    // Assess
    expect(request).toMatchObject({ shape: 'http-v2', method: 'GET', path: '/.well-known/jwks.json' });
  });

  test('takes the method of a v2 ANY route from the request itself', () => {
    // Act
    const request = normalizeEvent({ ...v2Event({ method: 'DELETE' }), routeKey: 'ANY /user/generateJwt' });

    // Assess
    expect(request).toMatchObject({ method: 'DELETE', path: '/user/generateJwt' });
  });

  test('reads a REST API (payload 1.0) event by its resource, the method upper-cased', () => {
    // Act
    const request = normalizeEvent(v1Event({ method: 'post', body: 'x', isBase64Encoded: true }));

    // Assess
    expect(request).toMatchObject({ shape: 'http-v1', method: 'POST', path: '/user/generateJwt', body: 'x', isBase64Encoded: true });
  });

  test('reads a v1 null body as no body', () => {
    // Prepare
    const event = v1Event();
    event.body = null;

    // Act
    const request = normalizeEvent(event);

    // Assess
    expect(request.body).toBeUndefined();
  });

  test.each([
    { name: 'a direct invocation', event: { authorization: 'Bearer x', body: { subject: 's' } }, authorization: ['Bearer x'], body: { subject: 's' } },
    { name: 'one that happens to carry a version', event: { version: '2.0', body: {} }, authorization: [], body: {} },
    { name: 'one that happens to carry an httpMethod', event: { httpMethod: 'POST', body: {} }, authorization: [], body: {} },
    { name: 'one with a non-string authorization', event: { authorization: 42, body: 'x' }, authorization: [], body: 'x' },
    { name: 'null', event: null, authorization: [], body: undefined },
    { name: 'a string', event: 'Bearer x', authorization: [], body: undefined },
    { name: 'an array', event: [{ body: {} }], authorization: [], body: undefined },
  ])('reads $name as a direct invoke: a POST naming no path', ({ event, authorization, body }) => {
    // Act
    const request = normalizeEvent(event);

    // Assess
    expect(request).toMatchObject({ shape: 'direct', method: 'POST', path: undefined, body, isBase64Encoded: false });
    expect(headerValuesOf(request, 'authorization')).toEqual(authorization);
  });

  test.each([
    { name: 'a path', event: { path: '/oauth2/token', body: 'grant_type=x' }, path: '/oauth2/token' },
    { name: 'the original route\'s path', event: { path: '/user/generateJwt', body: {} }, path: '/user/generateJwt' },
    { name: 'a path that is not a string', event: { path: 7, body: {} }, path: '' },
  ])('reads a direct invoke naming $name as a POST to it', ({ event, path }) => {
    // Act
    const request = normalizeEvent(event);

    // Assess
    expect(request).toMatchObject({ shape: 'direct', method: 'POST', path, body: event.body });
  });

  test('never changes the event it reads', () => {
    // Prepare
    const event = v1Event({ headers: { Authorization: 'Bearer x', 'Content-Type': 'application/json' }, body: '{}' });
    const before = structuredClone(event);

    // Act
    normalizeEvent(event);

    // Assess
    expect(event).toEqual(before);
  });
});

describe('header values', () => {
  test('are found by name in any case, every spelling of the name read as one header', () => {
    // Act
    const request = normalizeEvent(v1Event({ headers: { authorization: 'Bearer a', Authorization: 'Bearer b', ACCEPT: '*/*' } }));

    // Assess
    expect(headerValuesOf(request, 'Authorization')).toEqual(['Bearer a', 'Bearer b']);
    expect(headerValuesOf(request, 'accept')).toEqual(['*/*']);
  });

  test("keep every value of a REST API event's multiValueHeaders, each once", () => {
    // Prepare: API Gateway repeats the last value in `headers`.
    const event = { ...v1Event({ headers: { Authorization: 'Bearer b' } }), multiValueHeaders: { Authorization: ['Bearer a', 'Bearer b'] } };

    // Act
    const request = normalizeEvent(event);

    // Assess
    expect(headerValuesOf(request, 'authorization')).toEqual(['Bearer a', 'Bearer b']);
  });

  test.each([null, undefined])('are none when the event has %p headers', (headers) => {
    // Act
    const request = normalizeEvent({ ...v2Event(), headers });

    // Assess
    expect(request.headers).toEqual({});
  });

  test('leave out a header without a string value', () => {
    // Act
    const request = normalizeEvent(v2Event({ headers: { 'X-Empty': undefined as unknown as string, Accept: '*/*' } }));

    // Assess
    expect(request.headers).toEqual({ accept: ['*/*'] });
  });

  test('treat a header named like an Object.prototype member as a header like any other', () => {
    // Act
    const request = normalizeEvent(v2Event({ headers: JSON.parse('{"__proto__": "x", "constructor": "y"}') }));

    // Assess
    expect(headerValuesOf(request, '__proto__')).toEqual(['x']);
    expect(headerValuesOf(request, 'constructor')).toEqual(['y']);
    expect(headerValuesOf(request, 'toString')).toEqual([]);
  });
});
