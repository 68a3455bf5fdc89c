import { MintError } from '../../../lib/errors';
import {
  assertBodySize,
  eventShapeOf,
  lowerCaseHeaders,
  MAX_BODY_BYTES,
  parseDirectBody,
  routeOf,
} from '../../../lib/http/request';
import { v1Event, v2Event } from '../../helpers/events';

function failureOf(run: () => unknown): MintError {
  try {
    run();
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('expected a MintError');
}

/** A string of exactly `bytes` UTF-8 bytes. */
const textOf = (bytes: number) => 'a'.repeat(bytes);

describe('eventShapeOf', () => {
  test.each([
    { name: 'an HTTP API (payload 2.0) event', event: v2Event(), shape: 'http-v2' },
    { name: 'a REST API (payload 1.0) event', event: v1Event(), shape: 'http-v1' },
    { name: 'a direct invocation', event: { authorization: 'Bearer x', body: {} }, shape: 'direct' },
    { name: 'a direct invocation that happens to carry a version', event: { version: '2.0', body: {} }, shape: 'direct' },
    { name: 'a direct invocation that happens to carry an httpMethod', event: { httpMethod: 'POST', body: {} }, shape: 'direct' },
    { name: 'null', event: null, shape: 'direct' },
    { name: 'a string', event: 'Bearer x', shape: 'direct' },
  ])('tells $name apart as $shape', ({ event, shape }) => {
    // Act
    const detected = eventShapeOf(event);

    // Assess
    expect(detected).toBe(shape);
  });
});

describe('routeOf', () => {
  test.each([
    { name: 'a v2 route key', event: v2Event(), route: 'POST /user/generateJwt' },
    { name: 'a v2 $default route, from method and raw path', event: { ...v2Event({ method: 'POST' }), routeKey: '$default' }, route: 'POST /user/generateJwt' },
    { name: 'a v1 resource', event: v1Event(), route: 'POST /user/generateJwt' },
    { name: 'a v1 lower-case method', event: v1Event({ method: 'post' }), route: 'POST /user/generateJwt' },
    { name: 'a v1 GET', event: v1Event({ method: 'GET' }), route: 'GET /user/generateJwt' },
  ])('reads $name', ({ event, route }) => {
    // Act
    const read = routeOf(event);

    // Assess
    expect(read).toBe(route);
  });
});

describe('lowerCaseHeaders', () => {
  test('lower-cases header names and keeps their values', () => {
    // Act
    const headers = lowerCaseHeaders({ AUTHORIZATION: 'Bearer x', 'Content-TYPE': 'application/json' });

    // Assess
    expect(headers).toEqual({ authorization: 'Bearer x', 'content-type': 'application/json' });
  });

  test.each([null, undefined])('reads %p headers as none', (headers) => {
    // Act
    const lowered = lowerCaseHeaders(headers);

    // Assess
    expect(lowered).toEqual({});
  });

  test('drops headers without a value', () => {
    // Act
    const headers = lowerCaseHeaders({ 'X-Empty': undefined, Accept: '*/*' });

    // Assess
    expect(headers).toEqual({ accept: '*/*' });
  });
});

describe('assertBodySize', () => {
  test.each([
    { name: 'a text body of exactly 16 KiB', body: textOf(MAX_BODY_BYTES), base64: false },
    { name: 'no body', body: undefined, base64: false },
    { name: 'a null body', body: null, base64: false },
    { name: 'an object body of exactly 16 KiB as JSON', body: { s: textOf(MAX_BODY_BYTES - 8) }, base64: false },
    { name: 'a base64 body decoding to 16 KiB - 1 bytes', body: Buffer.from(textOf(MAX_BODY_BYTES - 1)).toString('base64'), base64: true },
  ])('accepts $name', ({ body, base64 }) => {
    // Act
    const check = () => assertBodySize(body, base64);

    // Assess
    expect(check).not.toThrow();
  });

  test('accepts a base64 body decoding to exactly 16 KiB', () => {
    // Prepare
    const body = Buffer.from(textOf(MAX_BODY_BYTES)).toString('base64');

    // Act
    const check = () => assertBodySize(body, true);

    // Assess
    expect(check).not.toThrow();
  });

  test.each([
    { name: 'a text body of 16 KiB + 1 byte', body: textOf(MAX_BODY_BYTES + 1), base64: false },
    { name: 'a text body whose multi-byte characters pass 16 KiB', body: 'é'.repeat(MAX_BODY_BYTES / 2 + 1), base64: false },
    { name: 'an object body over 16 KiB as JSON', body: { s: textOf(MAX_BODY_BYTES) }, base64: false },
    { name: 'a base64 body decoding to 16 KiB + 3 bytes', body: Buffer.from(textOf(MAX_BODY_BYTES + 3)).toString('base64'), base64: true },
  ])('refuses $name with BODY_TOO_LARGE (413)', ({ body, base64 }) => {
    // Act
    const error = failureOf(() => assertBodySize(body, base64));

    // Assess
    expect(error.code).toBe('BODY_TOO_LARGE');
    expect(error.statusCode).toBe(413);
  });
});

describe('parseDirectBody', () => {
  test('passes an object body through as it is', () => {
    // Prepare
    const body = { subject: 'test1' };

    // Act
    const parsed = parseDirectBody(body);

    // Assess
    expect(parsed).toBe(body);
  });

  test('parses a JSON string body', () => {
    // Act
    const parsed = parseDirectBody('{"subject":"test1"}');

    // Assess
    expect(parsed).toEqual({ subject: 'test1' });
  });

  test('passes an absent body through for the schema to refuse', () => {
    // Act
    const parsed = parseDirectBody(undefined);

    // Assess
    expect(parsed).toBeUndefined();
  });

  test.each(['{"subject":', '', 'subject=test1'])('refuses the malformed JSON string %p with MALFORMED_JSON (400)', (body) => {
    // Act
    const error = failureOf(() => parseDirectBody(body));

    // Assess
    expect(error.code).toBe('MALFORMED_JSON');
    expect(error.statusCode).toBe(400);
  });
});
