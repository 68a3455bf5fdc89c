import type { MintErrorCode } from '../../lib/errors';
import { eventsFor, fakeContext, v1Event, v2Event } from '../helpers/events';
import { testHandler } from '../helpers/handler';
import { EVENT_SHAPES, expectMinted, expectRefusal, JWT_PATTERN, rawBodyEventsFor, type EventShapeName } from '../helpers/outcomes';
import { callerToken, decodeJwt, TEST_SECRET } from '../helpers/tokens';

const NOW_SECONDS = 1_900_000_000;
const NOW_MS = NOW_SECONDS * 1000;
const KIB_16 = 16 * 1024;

let token: string;
let authorization: string;

beforeAll(async () => {
  token = await callerToken({ nowSeconds: NOW_SECONDS });
  authorization = `Bearer ${token}`;
});

function service() {
  return testHandler({ nowMs: NOW_MS });
}

/** A valid body whose JSON text is exactly `totalBytes` long, padded in the ignored `jwtId`. */
function paddedBody(totalBytes: number): string {
  const prefix = '{"subject":"test1","jwtId":"';
  const suffix = '"}';
  return `${prefix}${'a'.repeat(totalBytes - prefix.length - suffix.length)}${suffix}`;
}

/** The three event shapes for a padded body; the direct body is the parsed object. */
function paddedEventsFor(totalBytes: number): Record<EventShapeName, unknown> {
  const json = paddedBody(totalBytes);
  const events = rawBodyEventsFor(authorization, json);
  return { ...events, direct: { authorization, body: JSON.parse(json) } };
}

describe.each(EVENT_SHAPES)('body fields over %s events', (shape) => {
  const now = NOW_SECONDS;
  const refusedBodies: ReadonlyArray<{ name: string; body: unknown; field: string; code?: MintErrorCode }> = [
    { name: 'a body without subject', body: {}, field: 'subject' },
    { name: 'an empty subject', body: { subject: '' }, field: 'subject' },
    { name: 'a subject that is not a string', body: { subject: 42 }, field: 'subject' },
    { name: 'a subject of 257 characters', body: { subject: 's'.repeat(257) }, field: 'subject' },
    { name: 'an expiresAt of now', body: { subject: 'test1', expiresAt: now }, field: 'expiresAt' },
    { name: 'an expiresAt in the past', body: { subject: 'test1', expiresAt: now - 1 }, field: 'expiresAt' },
    { name: 'an expiresAt past MAX_TTL_SECONDS', body: { subject: 'test1', expiresAt: now + 86_401 }, field: 'expiresAt' },
    { name: 'an ISO expiresAt in the past', body: { subject: 'test1', expiresAt: '2020-01-01T00:00:00Z' }, field: 'expiresAt' },
    { name: 'an expiresAt that is not an instant', body: { subject: 'test1', expiresAt: 'tomorrow' }, field: 'expiresAt' },
    { name: 'a boolean expiresAt', body: { subject: 'test1', expiresAt: true }, field: 'expiresAt' },
    { name: 'a null expiresAt', body: { subject: 'test1', expiresAt: null }, field: 'expiresAt' },
    { name: 'an expiresAt object with string seconds', body: { subject: 'test1', expiresAt: { seconds: String(now + 60) } }, field: 'expiresAt' },
    { name: 'an expiresAt object with nanos out of range', body: { subject: 'test1', expiresAt: { seconds: now + 60, nanos: 1_000_000_000 } }, field: 'expiresAt' },
    { name: 'an expiresAt object with an extra field', body: { subject: 'test1', expiresAt: { seconds: now + 60, millis: 1 } }, field: 'expiresAt' },
    { name: 'a notBefore equal to the expiry', body: { subject: 'test1', expiresAt: now + 60, notBefore: now + 60 }, field: 'notBefore' },
    { name: 'a notBefore after the expiry', body: { subject: 'test1', expiresAt: now + 60, notBefore: now + 61 }, field: 'notBefore' },
    { name: 'a notBefore that is not an instant', body: { subject: 'test1', notBefore: 'soon' }, field: 'notBefore' },
    { name: 'an empty audience array', body: { subject: 'test1', audience: [] }, field: 'audience' },
    { name: 'an empty audience string', body: { subject: 'test1', audience: '' }, field: 'audience' },
    { name: 'a numeric audience', body: { subject: 'test1', audience: 7 }, field: 'audience' },
    { name: 'an audience array holding a number', body: { subject: 'test1', audience: ['mfs', 3] }, field: 'audience' },
    { name: 'authorities given as a string', body: { subject: 'test1', authorities: 'push' }, field: 'authorities' },
    { name: 'authorities holding a number', body: { subject: 'test1', authorities: ['push', 1] }, field: 'authorities' },
    { name: 'the typo "scopes"', body: { subject: 'test1', scopes: ['push'] }, field: 'scopes', code: 'UNKNOWN_FIELD' },
    { name: 'an unknown field "expiresIn"', body: { subject: 'test1', expiresIn: 60 }, field: 'expiresIn', code: 'UNKNOWN_FIELD' },
    { name: 'an unknown field "aud"', body: { subject: 'test1', aud: 'mfs' }, field: 'aud', code: 'UNKNOWN_FIELD' },
  ];

  test.each(refusedBodies)('refuses $name with 400 naming the field', async ({ body, field, code }) => {
    // Prepare
    const event = eventsFor(authorization, body)[shape];

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectRefusal(outcome, shape, { status: 400, code: code ?? 'INVALID_REQUEST' }, { secret: TEST_SECRET, callerToken: token });
    expect(outcome.envelope.message).toContain(field);
  });

  test('refuses a "__proto__" field rather than dropping it', async () => {
    // Prepare
    const event = rawBodyEventsFor(authorization, '{"subject":"test1","__proto__":{"scope":["push"]}}')[shape];

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectRefusal(outcome, shape, { status: 400, code: 'UNKNOWN_FIELD' }, { secret: TEST_SECRET, callerToken: token });
    expect(outcome.envelope.message).toContain('__proto__');
  });

  test.each([
    { name: 'truncated JSON', raw: '{"subject":' },
    { name: 'unquoted keys', raw: '{subject:"test1"}' },
    { name: 'an empty body', raw: '' },
  ])('refuses malformed JSON ($name) with 400 MALFORMED_JSON', async ({ raw }) => {
    // Prepare
    const event = rawBodyEventsFor(authorization, raw)[shape];

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectRefusal(outcome, shape, { status: 400, code: 'MALFORMED_JSON' }, { secret: TEST_SECRET, callerToken: token });
  });

  test.each(['[]', '["test1"]', '"test1"', '42', 'true', 'null'])('refuses the non-object JSON body %s with 400', async (raw) => {
    // Prepare
    const event = rawBodyEventsFor(authorization, raw)[shape];

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectRefusal(outcome, shape, { status: 400, code: 'INVALID_REQUEST' }, { secret: TEST_SECRET, callerToken: token });
  });

  test('accepts a body of exactly 16 KiB', async () => {
    // Prepare
    const event = paddedEventsFor(KIB_16)[shape];

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectMinted(outcome, shape);
  });

  test('refuses a body one byte over 16 KiB with 413', async () => {
    // Prepare
    const event = paddedEventsFor(KIB_16 + 1)[shape];

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectRefusal(outcome, shape, { status: 413, code: 'BODY_TOO_LARGE' }, { secret: TEST_SECRET, callerToken: token });
  });

  test('refuses a large body with 413 before reading it as JSON', async () => {
    // Prepare
    const event = rawBodyEventsFor(authorization, `{${'x'.repeat(KIB_16 * 2)}`)[shape];

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectRefusal(outcome, shape, { status: 413, code: 'BODY_TOO_LARGE' }, { secret: TEST_SECRET, callerToken: token });
  });
});

describe('direct invocation bodies', () => {
  test('returns the envelope object itself, not an HTTP response', async () => {
    // Prepare
    const { handler } = service();

    // Act
    const result: unknown = await handler({ authorization, body: { subject: 'test1' } } as never, fakeContext() as never);

    // Assess
    expect(result).toEqual({ code: 200, message: '操作成功', data: expect.stringMatching(JWT_PATTERN) });
  });

  test('returns an error envelope object itself, not an HTTP response', async () => {
    // Prepare
    const { handler } = service();

    // Act
    const result: unknown = await handler({ body: { subject: 'test1' } } as never, fakeContext() as never);

    // Assess
    expect(result).toEqual({ code: 401, message: expect.any(String), data: null, error: 'MISSING_TOKEN' });
  });

  test('refuses a null invocation payload with 400, as a client mistake rather than a 500', async () => {
    // Act
    const outcome = await service().invoke(null);

    // Assess
    expectRefusal(outcome, 'direct', { status: 400, code: 'INVALID_REQUEST' }, { secret: TEST_SECRET });
  });

  test('accepts the body as a JSON string', async () => {
    // Prepare
    const event = { authorization, body: JSON.stringify({ subject: 'as-string' }) };

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expect(decodeJwt(expectMinted(outcome, 'direct')).payload.sub).toBe('as-string');
  });

  test('refuses an invocation without a body with 400', async () => {
    // Prepare
    const event = { authorization };

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectRefusal(outcome, 'direct', { status: 400, code: 'INVALID_REQUEST' }, { secret: TEST_SECRET, callerToken: token });
  });

  test('refuses a direct string body over 16 KiB with 413', async () => {
    // Prepare
    const event = { authorization, body: paddedBody(KIB_16 + 1) };

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectRefusal(outcome, 'direct', { status: 413, code: 'BODY_TOO_LARGE' }, { secret: TEST_SECRET, callerToken: token });
  });
});

const HTTP_SHAPES = [
  { shape: 'v2', build: v2Event },
  { shape: 'v1', build: v1Event },
] as const;

describe.each(HTTP_SHAPES)('HTTP framing over $shape events', ({ shape, build }) => {
  test('returns an API Gateway proxy response whose body is the envelope as JSON', async () => {
    // Prepare
    const { handler } = service();
    const event = build({ headers: { 'content-type': 'application/json', authorization }, body: '{"subject":"test1"}' });

    // Act
    const result: unknown = await handler(event as never, fakeContext() as never);

    // Assess
    expect(result).toEqual({ statusCode: 200, headers: expect.objectContaining({ 'Content-Type': 'application/json' }), body: expect.any(String) });
  });

  test.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml'])(
    'refuses Content-Type %s with 415',
    async (contentType) => {
      // Prepare
      const event = build({ headers: { 'content-type': contentType, authorization }, body: '{"subject":"test1"}' });

      // Act
      const outcome = await service().invoke(event);

      // Assess
      expectRefusal(outcome, shape, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }, { secret: TEST_SECRET, callerToken: token });
    },
  );

  test('refuses a request without Content-Type with 415', async () => {
    // Prepare
    const event = build({ headers: { authorization }, body: '{"subject":"test1"}' });

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectRefusal(outcome, shape, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }, { secret: TEST_SECRET, callerToken: token });
  });

  test('accepts Content-Type application/json with a charset parameter', async () => {
    // Prepare
    const event = build({ headers: { 'content-type': 'application/json; charset=utf-8', authorization }, body: '{"subject":"test1"}' });

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectMinted(outcome, shape);
  });

  test.each(['Application/JSON', 'APPLICATION/JSON; charset=UTF-8', 'application/json ; charset=utf-8'])(
    'accepts the JSON Content-Type %p, as media types are case-insensitive and allow spaces before parameters',
    async (contentType) => {
      // Prepare
      const event = build({ headers: { 'content-type': contentType, authorization }, body: '{"subject":"test1"}' });

      // Act
      const outcome = await service().invoke(event);

      // Assess
      expectMinted(outcome, shape);
    },
  );

  test('reads header names in any case (AUTHORIZATION, Content-TYPE)', async () => {
    // Prepare
    const event = build({ headers: { 'Content-TYPE': 'application/json', AUTHORIZATION: authorization }, body: '{"subject":"upper"}' });

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expect(decodeJwt(expectMinted(outcome, shape)).payload.sub).toBe('upper');
  });

  test('reads an isBase64Encoded body', async () => {
    // Prepare
    const body = Buffer.from(JSON.stringify({ subject: 'base64' })).toString('base64');
    const event = build({ headers: { 'content-type': 'application/json', authorization }, body, isBase64Encoded: true });

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expect(decodeJwt(expectMinted(outcome, shape)).payload.sub).toBe('base64');
  });

  test('accepts an isBase64Encoded body that decodes to exactly 16 KiB', async () => {
    // Prepare
    const body = Buffer.from(paddedBody(KIB_16)).toString('base64');
    const event = build({ headers: { 'content-type': 'application/json', authorization }, body, isBase64Encoded: true });

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectMinted(outcome, shape);
  });

  test('refuses an isBase64Encoded body that decodes to more than 16 KiB with 413', async () => {
    // Prepare
    const body = Buffer.from(paddedBody(KIB_16 + 3)).toString('base64');
    const event = build({ headers: { 'content-type': 'application/json', authorization }, body, isBase64Encoded: true });

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectRefusal(outcome, shape, { status: 413, code: 'BODY_TOO_LARGE' }, { secret: TEST_SECRET, callerToken: token });
  });

  test('refuses a route other than /user/generateJwt with 404', async () => {
    // Prepare
    const event = build({ headers: { 'content-type': 'application/json', authorization }, body: '{"subject":"test1"}', path: '/user/other' });

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectRefusal(outcome, shape, { status: 404, code: 'NOT_FOUND' }, { secret: TEST_SECRET, callerToken: token });
  });

  test('refuses GET /user/generateJwt with 405', async () => {
    // Prepare
    const event = build({ headers: { 'content-type': 'application/json', authorization }, body: '{"subject":"test1"}', method: 'GET' });

    // Act
    const outcome = await service().invoke(event);

    // Assess
    expectRefusal(outcome, shape, { status: 405, code: 'METHOD_NOT_ALLOWED' }, { secret: TEST_SECRET, callerToken: token });
  });
});
