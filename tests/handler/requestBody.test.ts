import type { MintErrorCode } from '../../lib/errors';
import { CALLER_SCOPES, MAX_TTL_SECONDS, NOW_MS, NOW_SECONDS } from '../helpers/defaults';
import { eventFor, fakeContext, HTTP_SHAPES, SHAPES, type RequestSpec, type Shape } from '../helpers/events';
import { testHandler } from '../helpers/handler';
import { expectMinted, expectRefused, TOKEN_LIKE } from '../helpers/outcomes';
import { callerToken, decodeJwt, verifiedHs256Claims } from '../helpers/tokens';

// The JSON body of POST /user/generateJwt and of a direct invoke: every field rule of the
// contract, the framing of each event shape, and hostile bodies from a caller with a valid token
// (malformed JSON, prototype keys, deep nesting, odd numbers, every attempt to mint more than the
// caller holds).

const service = testHandler({ nowMs: NOW_MS, env: { ALLOWED_AUDIENCES: 'mfs,push-gateway' } });
const KIB_16 = 16 * 1024;
const now = NOW_SECONDS;
let authorization: string;
let token: string;

beforeAll(async () => {
  token = await callerToken({ nowSeconds: NOW_SECONDS });
  authorization = `Bearer ${token}`;
});

const nested = (depth: number, leaf: string): string => `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;

/** A valid body whose JSON text is exactly `totalBytes` long, padded in the ignored `jwtId`. */
function paddedBody(totalBytes: number): string {
  const prefix = '{"subject":"svc-1","jwtId":"';
  const suffix = '"}';
  return `${prefix}${'a'.repeat(totalBytes - prefix.length - suffix.length)}${suffix}`;
}

/** A padded body in one shape: the text as sent over HTTP, the parsed object for a direct invoke. */
function paddedEvent(shape: Shape, totalBytes: number): unknown {
  const json = paddedBody(totalBytes);
  return shape === 'direct' ? { authorization, body: JSON.parse(json) } : eventFor(shape, { authorization, rawBody: json });
}

interface Refusal {
  readonly why: string;
  readonly spec: Omit<RequestSpec, 'authorization'>;
  readonly status: number;
  readonly code: MintErrorCode;
  /** The field the message must name. */
  readonly field?: string;
}

/** Refusals that read the same in all three shapes; a raw body goes to a direct invoke as a JSON string. */
const refusedEverywhere: readonly Refusal[] = [
  // JSON
  { why: 'truncated JSON', spec: { rawBody: '{"subject":"svc-1"' }, status: 400, code: 'MALFORMED_JSON' },
  { why: 'JSON with unquoted keys', spec: { rawBody: '{subject:"svc-1"}' }, status: 400, code: 'MALFORMED_JSON' },
  { why: 'JSON with a trailing comma', spec: { rawBody: '{"subject":"svc-1",}' }, status: 400, code: 'MALFORMED_JSON' },
  { why: 'JSON with single quotes', spec: { rawBody: "{'subject':'svc-1'}" }, status: 400, code: 'MALFORMED_JSON' },
  { why: 'two JSON documents', spec: { rawBody: '{"subject":"a"}{"subject":"b"}' }, status: 400, code: 'MALFORMED_JSON' },
  { why: 'a body of NaN', spec: { rawBody: '{"subject":"svc-1","expiresAt":NaN}' }, status: 400, code: 'MALFORMED_JSON' },
  { why: 'an empty body', spec: { rawBody: '' }, status: 400, code: 'MALFORMED_JSON' },
  ...['[]', '[{"subject":"svc-1"}]', '"svc-1"', '42', 'true', 'null'].map(
    (rawBody): Refusal => ({ why: `the non-object JSON body ${rawBody}`, spec: { rawBody }, status: 400, code: 'INVALID_REQUEST' }),
  ),
  // subject
  { why: 'a body without subject', spec: { body: { audience: 'mfs' } }, status: 400, code: 'INVALID_REQUEST', field: 'subject' },
  { why: 'an empty subject', spec: { body: { subject: '' } }, status: 400, code: 'INVALID_REQUEST', field: 'subject' },
  { why: 'a numeric subject', spec: { body: { subject: 42 } }, status: 400, code: 'INVALID_REQUEST', field: 'subject' },
  { why: 'a query-operator object as subject', spec: { body: { subject: { $ne: null } } }, status: 400, code: 'INVALID_REQUEST', field: 'subject' },
  { why: 'a subject of 257 characters', spec: { body: { subject: 's'.repeat(257) } }, status: 400, code: 'INVALID_REQUEST', field: 'subject' },
  // expiresAt and notBefore
  { why: 'an expiresAt of now', spec: { body: { subject: 'svc-1', expiresAt: now } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'an expiresAt in the past', spec: { body: { subject: 'svc-1', expiresAt: now - 1 } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'expiresAt 1 (the seed, already expired)', spec: { body: { subject: 'svc-1', expiresAt: 1 } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'an expiresAt a second past MAX_TTL_SECONDS', spec: { body: { subject: 'svc-1', expiresAt: now + MAX_TTL_SECONDS + 1 } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'an expiry in the year 275760', spec: { body: { subject: 'svc-1', expiresAt: 8_640_000_000_000 } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'a huge expiry as an instant object', spec: { body: { subject: 'svc-1', expiresAt: { seconds: 4_102_444_800 } } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'a huge expiry as an ISO date', spec: { body: { subject: 'svc-1', expiresAt: '9999-12-31T23:59:59Z' } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'an ISO expiresAt in the past', spec: { body: { subject: 'svc-1', expiresAt: '2020-01-01T00:00:00Z' } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'an ISO expiresAt with no zone', spec: { body: { subject: 'svc-1', expiresAt: '2025-06-15T16:00:00' } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'an expiresAt that is not an instant', spec: { body: { subject: 'svc-1', expiresAt: 'tomorrow' } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'an expiresAt of a string of digits', spec: { body: { subject: 'svc-1', expiresAt: String(now + 60) } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'a boolean expiresAt', spec: { body: { subject: 'svc-1', expiresAt: true } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'a null expiresAt', spec: { body: { subject: 'svc-1', expiresAt: null } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'expiresAt 1e309 (Infinity)', spec: { rawBody: '{"subject":"svc-1","expiresAt":1e309}' }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'expiresAt -1e309', spec: { rawBody: '{"subject":"svc-1","expiresAt":-1e309}' }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'expiresAt -0', spec: { rawBody: '{"subject":"svc-1","expiresAt":-0}' }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'an expiresAt object with string seconds', spec: { body: { subject: 'svc-1', expiresAt: { seconds: String(now + 60) } } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'expiresAt {"seconds": 1e309}', spec: { rawBody: '{"subject":"svc-1","expiresAt":{"seconds":1e309}}' }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'expiresAt {"seconds": 2^53}', spec: { rawBody: '{"subject":"svc-1","expiresAt":{"seconds":9007199254740992}}' }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'an expiresAt object with negative nanos', spec: { body: { subject: 'svc-1', expiresAt: { seconds: now + 60, nanos: -1 } } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'an expiresAt object with nanos out of range', spec: { body: { subject: 'svc-1', expiresAt: { seconds: now + 60, nanos: 1_000_000_000 } } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'an expiresAt object with an extra field', spec: { body: { subject: 'svc-1', expiresAt: { seconds: now + 60, millis: 1 } } }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  { why: 'a notBefore equal to the expiry', spec: { body: { subject: 'svc-1', expiresAt: now + 60, notBefore: now + 60 } }, status: 400, code: 'INVALID_REQUEST', field: 'notBefore' },
  { why: 'a notBefore after the expiry', spec: { body: { subject: 'svc-1', expiresAt: now + 60, notBefore: now + 61 } }, status: 400, code: 'INVALID_REQUEST', field: 'notBefore' },
  { why: 'a notBefore that is not an instant', spec: { body: { subject: 'svc-1', notBefore: 'soon' } }, status: 400, code: 'INVALID_REQUEST', field: 'notBefore' },
  // audience and authorities: a caller can never mint more than it holds
  { why: 'an empty audience array', spec: { body: { subject: 'svc-1', audience: [] } }, status: 400, code: 'INVALID_REQUEST', field: 'audience' },
  { why: 'an empty audience string', spec: { body: { subject: 'svc-1', audience: '' } }, status: 400, code: 'INVALID_REQUEST', field: 'audience' },
  { why: 'a numeric audience', spec: { body: { subject: 'svc-1', audience: 7 } }, status: 400, code: 'INVALID_REQUEST', field: 'audience' },
  { why: 'an audience array holding a number', spec: { body: { subject: 'svc-1', audience: ['mfs', 3] } }, status: 400, code: 'INVALID_REQUEST', field: 'audience' },
  { why: 'an audience not allowed', spec: { body: { subject: 'svc-1', audience: 'payments' } }, status: 403, code: 'AUDIENCE_NOT_ALLOWED' },
  { why: 'an allowed audience plus one not allowed', spec: { body: { subject: 'svc-1', audience: ['mfs', 'payments'] } }, status: 403, code: 'AUDIENCE_NOT_ALLOWED' },
  { why: 'an audience differing only in case', spec: { body: { subject: 'svc-1', audience: 'MFS' } }, status: 403, code: 'AUDIENCE_NOT_ALLOWED' },
  { why: 'an audience list joined by a comma', spec: { body: { subject: 'svc-1', audience: 'mfs,payments' } }, status: 403, code: 'AUDIENCE_NOT_ALLOWED' },
  { why: 'authorities given as a string', spec: { body: { subject: 'svc-1', authorities: 'push' } }, status: 400, code: 'INVALID_REQUEST', field: 'authorities' },
  { why: 'authorities as a space-delimited string', spec: { body: { subject: 'svc-1', authorities: 'push admin' } }, status: 400, code: 'INVALID_REQUEST', field: 'authorities' },
  { why: 'authorities holding a number', spec: { body: { subject: 'svc-1', authorities: ['push', 1] } }, status: 400, code: 'INVALID_REQUEST', field: 'authorities' },
  { why: 'an authority the caller lacks', spec: { body: { subject: 'svc-1', authorities: ['admin'] } }, status: 403, code: 'SCOPE_ESCALATION' },
  { why: "the caller's authorities plus one", spec: { body: { subject: 'svc-1', authorities: [...CALLER_SCOPES, 'admin'] } }, status: 403, code: 'SCOPE_ESCALATION' },
  { why: 'an authority differing only in case', spec: { body: { subject: 'svc-1', authorities: ['Push'] } }, status: 403, code: 'SCOPE_ESCALATION' },
  { why: 'a wildcard authority', spec: { body: { subject: 'svc-1', authorities: ['*'] } }, status: 403, code: 'SCOPE_ESCALATION' },
  // Unknown fields are refused, never ignored: a typo never silently mints the caller's full scope.
  { why: 'the typo "scopes"', spec: { body: { subject: 'svc-1', scopes: ['push'] } }, status: 400, code: 'UNKNOWN_FIELD', field: 'scopes' },
  { why: 'an unknown field "expiresIn"', spec: { body: { subject: 'svc-1', expiresIn: 60 } }, status: 400, code: 'UNKNOWN_FIELD', field: 'expiresIn' },
  ...['aud', 'scope', 'iss', 'jti', 'exp'].map(
    (claim): Refusal => ({ why: `the claim name "${claim}" as a field`, spec: { body: { subject: 'svc-1', [claim]: 'x' } }, status: 400, code: 'UNKNOWN_FIELD', field: claim }),
  ),
  // Prototype pollution (OWASP): the keys are refused, never merged into anything.
  { why: 'a "__proto__" key', spec: { rawBody: '{"subject":"svc-1","__proto__":{"authorities":["admin"]}}' }, status: 400, code: 'UNKNOWN_FIELD', field: '__proto__' },
  { why: 'a "constructor" key', spec: { rawBody: '{"subject":"svc-1","constructor":{"prototype":{"admin":true}}}' }, status: 400, code: 'UNKNOWN_FIELD', field: 'constructor' },
  { why: 'a "prototype" key', spec: { rawBody: '{"subject":"svc-1","prototype":{"admin":true}}' }, status: 400, code: 'UNKNOWN_FIELD', field: 'prototype' },
  { why: 'a "toString" key', spec: { rawBody: '{"subject":"svc-1","toString":"x"}' }, status: 400, code: 'UNKNOWN_FIELD', field: 'toString' },
  { why: 'a "__proto__" inside expiresAt', spec: { rawBody: `{"subject":"svc-1","expiresAt":{"seconds":${now + 60},"__proto__":{}}}` }, status: 400, code: 'INVALID_REQUEST', field: 'expiresAt' },
  // Deep nesting: refused at the first level the schema reads, without recursion.
  { why: 'a subject nested 5,000 arrays deep', spec: { rawBody: `{"subject":${nested(5000, '"svc-1"')}}` }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'authorities nested 5,000 arrays deep', spec: { rawBody: `{"subject":"svc-1","authorities":${nested(5000, '"push"')}}` }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'an audience nested 5,000 arrays deep', spec: { rawBody: `{"subject":"svc-1","audience":${nested(5000, '"mfs"')}}` }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'an unknown field nested 7,000 arrays deep', spec: { rawBody: `{"subject":"svc-1","x":${nested(7000, '1')}}` }, status: 400, code: 'UNKNOWN_FIELD' },
  // Size: bounded before anything parses the body.
  { why: 'a body over 16 KiB that is not even JSON', spec: { rawBody: `{${'x'.repeat(KIB_16 * 2)}` }, status: 413, code: 'BODY_TOO_LARGE' },
];

describe.each(SHAPES)('request body over %s', (shape) => {
  test.each(refusedEverywhere)('refuses $why with $status $code', async ({ spec, status, code, field }) => {
    // Act
    const outcome = await service.invoke(eventFor(shape, { ...spec, authorization }));

    // Assess
    expectRefused(outcome, shape, { status, code }, { callerToken: token });
    if (field !== undefined) expect(outcome.envelope.message).toContain(field);
  });

  test('accepts a body of exactly 16 KiB', async () => {
    // Act
    const outcome = await service.invoke(paddedEvent(shape, KIB_16));

    // Assess
    expectMinted(outcome, shape);
  });

  test('refuses a body one byte over 16 KiB with 413', async () => {
    // Act
    const outcome = await service.invoke(paddedEvent(shape, KIB_16 + 1));

    // Assess
    expectRefused(outcome, shape, { status: 413, code: 'BODY_TOO_LARGE' }, { callerToken: token });
  });

  test('ignores "issuer" and "jwtId" overrides: iss stays the caller, jti stays fresh', async () => {
    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization, body: { subject: 'svc-1', issuer: 'root', jwtId: 'fixed-jti' } }));

    // Assess
    const minted = verifiedHs256Claims(expectMinted(outcome, shape));
    expect(minted.iss).toBe('caller-1');
    expect(minted.jti).not.toBe('fixed-jti');
  });

  test('mints at most what the caller holds, for the longest lifetime allowed', async () => {
    // Act
    const outcome = await service.invoke(
      eventFor(shape, {
        authorization,
        body: { subject: 'svc-1', audience: ['mfs', 'push-gateway'], authorities: ['push'], expiresAt: now + MAX_TTL_SECONDS },
      }),
    );

    // Assess
    expect(verifiedHs256Claims(expectMinted(outcome, shape))).toEqual({
      jti: expect.any(String),
      iss: 'caller-1',
      sub: 'svc-1',
      aud: ['mfs', 'push-gateway'],
      iat: now,
      exp: now + MAX_TTL_SECONDS,
      scope: ['push'],
      act: { sub: 'caller-1' },
    });
  });

  test('a "__proto__" key pollutes no prototype', async () => {
    // Act
    await service.invoke(eventFor(shape, { authorization, rawBody: '{"subject":"svc-1","__proto__":{"polluted":true}}' }));
    await service.invoke(eventFor(shape, { authorization, rawBody: '{"subject":"svc-1","constructor":{"prototype":{"polluted":true}}}' }));

    // Assess
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  test('ignores a deeply nested value in the ignored "jwtId" field only as deep as it can be read', async () => {
    // Act: 2,000 levels is 4 KB of brackets, well within both the size bound and the stack.
    const outcome = await service.invoke(eventFor(shape, { authorization, rawBody: `{"subject":"svc-1","jwtId":${nested(2000, '1')}}` }));

    // Assess
    verifiedHs256Claims(expectMinted(outcome, shape));
  });
});

describe.each(HTTP_SHAPES)('HTTP body framing over %s', (shape) => {
  test('answers with an API Gateway proxy response whose body is the envelope as JSON', async () => {
    // Act
    const result: unknown = await service.handler(eventFor(shape, { authorization }), fakeContext());

    // Assess
    expect(result).toEqual({ statusCode: 200, headers: expect.objectContaining({ 'Content-Type': 'application/json' }), body: expect.any(String) });
  });

  test.each([
    { why: 'no Content-Type', contentType: null },
    { why: 'Content-Type text/plain', contentType: 'text/plain' },
    { why: 'Content-Type application/x-www-form-urlencoded', contentType: 'application/x-www-form-urlencoded' },
    { why: 'Content-Type text/json', contentType: 'text/json' },
    { why: 'Content-Type application/xml', contentType: 'application/xml' },
    { why: 'Content-Type multipart/form-data', contentType: 'multipart/form-data; boundary=x' },
    { why: 'an empty Content-Type', contentType: '' },
  ])('refuses $why with 415 UNSUPPORTED_MEDIA_TYPE', async ({ contentType }) => {
    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization, contentType }));

    // Assess
    expectRefused(outcome, shape, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }, { callerToken: token });
  });

  test.each(['application/json; charset=utf-8', 'Application/JSON', 'APPLICATION/JSON; charset=UTF-8', 'application/json ; charset=utf-8'])(
    'accepts the JSON Content-Type %p, as media types are case-insensitive and allow parameters',
    async (contentType) => {
      // Act
      const outcome = await service.invoke(eventFor(shape, { authorization, contentType }));

      // Assess
      verifiedHs256Claims(expectMinted(outcome, shape));
    },
  );

  test('reads header names in any case (AUTHORIZATION, Content-TYPE)', async () => {
    // Prepare
    const event = { ...(eventFor(shape, { body: { subject: 'upper' } }) as object), headers: { 'Content-TYPE': 'application/json', AUTHORIZATION: authorization } };

    // Act
    const outcome = await service.invoke(event);

    // Assess
    expect(decodeJwt(expectMinted(outcome, shape)).payload.sub).toBe('upper');
  });

  test('reads an isBase64Encoded body as the JSON it encodes', async () => {
    // Act
    const outcome = await service.invoke(
      eventFor(shape, { authorization, rawBody: Buffer.from('{"subject":"svc-b64"}').toString('base64'), isBase64Encoded: true }),
    );

    // Assess
    expect(verifiedHs256Claims(expectMinted(outcome, shape))).toMatchObject({ sub: 'svc-b64' });
  });

  test.each([
    { why: 'plain JSON flagged as base64', rawBody: '{"subject":"svc-1"}' },
    { why: 'base64 of malformed JSON', rawBody: Buffer.from('{"subject":').toString('base64') },
    { why: 'base64 of binary', rawBody: Buffer.from([0xff, 0x00, 0xfe, 0x7b]).toString('base64') },
  ])('refuses an isBase64Encoded body of $why with 400 MALFORMED_JSON', async ({ rawBody }) => {
    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization, rawBody, isBase64Encoded: true }));

    // Assess
    expectRefused(outcome, shape, { status: 400, code: 'MALFORMED_JSON' }, { callerToken: token });
  });

  test('accepts an isBase64Encoded body that decodes to exactly 16 KiB', async () => {
    // Act
    const outcome = await service.invoke(
      eventFor(shape, { authorization, rawBody: Buffer.from(paddedBody(KIB_16)).toString('base64'), isBase64Encoded: true }),
    );

    // Assess
    expectMinted(outcome, shape);
  });

  test('refuses an isBase64Encoded body that decodes to more than 16 KiB with 413', async () => {
    // Act
    const outcome = await service.invoke(
      eventFor(shape, { authorization, rawBody: Buffer.from(paddedBody(KIB_16 + 3)).toString('base64'), isBase64Encoded: true }),
    );

    // Assess
    expectRefused(outcome, shape, { status: 413, code: 'BODY_TOO_LARGE' }, { callerToken: token });
  });

  test('ignores a value nested 7,000 levels deep in "jwtId": JSON.parse does not recurse', async () => {
    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization, rawBody: `{"subject":"svc-1","jwtId":${nested(7000, '1')}}` }));

    // Assess
    verifiedHs256Claims(expectMinted(outcome, shape));
  });
});

describe('direct invocation bodies', () => {
  test('answers with the envelope object itself, not an HTTP response', async () => {
    // Act
    const result: unknown = await service.handler({ authorization, body: { subject: 'svc-1' } }, fakeContext());

    // Assess
    expect(result).toEqual({ code: 200, message: '操作成功', data: expect.stringMatching(TOKEN_LIKE) });
  });

  test('answers a refusal with the error envelope object itself', async () => {
    // Act
    const result: unknown = await service.handler({ body: { subject: 'svc-1' } }, fakeContext());

    // Assess
    expect(result).toEqual({ code: 401, message: expect.any(String), data: null, error: 'MISSING_TOKEN' });
  });

  test('accepts the body as a JSON string', async () => {
    // Act
    const outcome = await service.invoke({ authorization, body: JSON.stringify({ subject: 'as-string' }) });

    // Assess
    expect(decodeJwt(expectMinted(outcome, 'direct')).payload.sub).toBe('as-string');
  });

  test('refuses an invocation without a body with 400', async () => {
    // Act
    const outcome = await service.invoke({ authorization });

    // Assess
    expectRefused(outcome, 'direct', { status: 400, code: 'INVALID_REQUEST' }, { callerToken: token });
  });

  test('refuses a body object nested too deep to measure with 400, not a 500', async () => {
    // Prepare: another Lambda can send this (200 KB of JSON, within its 6 MB limit); serialising it
    // to measure its size overflows the stack on any Node version.
    let deep: unknown = 1;
    for (let level = 0; level < 100_000; level++) deep = [deep];

    // Act
    const outcome = await service.invoke({ authorization, body: { subject: 'svc-1', jwtId: deep } });

    // Assess
    expectRefused(outcome, 'direct', { status: 400, code: 'INVALID_REQUEST' }, { callerToken: token });
  });

  test('refuses a body object with Infinity in expiresAt with 400', async () => {
    // Act
    const outcome = await service.invoke({ authorization, body: { subject: 'svc-1', expiresAt: Number.POSITIVE_INFINITY } });

    // Assess
    expectRefused(outcome, 'direct', { status: 400, code: 'INVALID_REQUEST' }, { callerToken: token });
  });
});

