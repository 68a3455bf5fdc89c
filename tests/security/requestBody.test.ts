import type { MintErrorCode } from '../../lib/errors';
import { testHandler } from '../helpers/handler';
import {
  CALLER_SCOPES,
  eventFor,
  expectIssued,
  expectRefused,
  HTTP_SHAPES,
  MAX_TTL_SECONDS,
  NOW_MS,
  NOW_SECONDS,
  SHAPES,
  validCallerToken,
  type RequestSpec,
} from './support';

// Hostile request bodies from a caller with a valid token: malformed JSON, prototype keys, deep
// nesting, odd numbers, and every attempt to mint more than the caller holds.

const service = testHandler({ nowMs: NOW_MS, env: { ALLOWED_AUDIENCES: 'mfs,push-gateway' } });
let authorization: string;
let token: string;

beforeAll(async () => {
  token = await validCallerToken();
  authorization = `Bearer ${token}`;
});

const nested = (depth: number, leaf: string): string => `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;

interface Refusal {
  readonly why: string;
  readonly spec: Omit<RequestSpec, 'authorization'>;
  readonly status: number;
  readonly code: MintErrorCode;
}

/** Refusals that read the same in all three shapes; a raw body goes to a direct invoke as a JSON string. */
const refusedEverywhere: readonly Refusal[] = [
  { why: 'malformed JSON', spec: { rawBody: '{"subject":"svc-1"' }, status: 400, code: 'MALFORMED_JSON' },
  { why: 'JSON with a trailing comma', spec: { rawBody: '{"subject":"svc-1",}' }, status: 400, code: 'MALFORMED_JSON' },
  { why: 'JSON with single quotes', spec: { rawBody: "{'subject':'svc-1'}" }, status: 400, code: 'MALFORMED_JSON' },
  { why: 'two JSON documents', spec: { rawBody: '{"subject":"a"}{"subject":"b"}' }, status: 400, code: 'MALFORMED_JSON' },
  { why: 'a body of NaN', spec: { rawBody: '{"subject":"svc-1","expiresAt":NaN}' }, status: 400, code: 'MALFORMED_JSON' },
  { why: 'an empty body', spec: { rawBody: '' }, status: 400, code: 'MALFORMED_JSON' },
  { why: 'a JSON array', spec: { rawBody: '[{"subject":"svc-1"}]' }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'JSON null', spec: { rawBody: 'null' }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'a JSON string', spec: { rawBody: '"svc-1"' }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'no subject', spec: { body: { audience: 'mfs' } }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'an empty subject', spec: { body: { subject: '' } }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'a subject that is not a string', spec: { body: { subject: { $ne: null } } }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'a subject of 257 characters', spec: { body: { subject: 's'.repeat(257) } }, status: 400, code: 'INVALID_REQUEST' },
  // Prototype pollution (OWASP): the keys are refused, never merged into anything.
  { why: 'a "__proto__" key', spec: { rawBody: '{"subject":"svc-1","__proto__":{"authorities":["admin"]}}' }, status: 400, code: 'UNKNOWN_FIELD' },
  { why: 'a "constructor" key', spec: { rawBody: '{"subject":"svc-1","constructor":{"prototype":{"admin":true}}}' }, status: 400, code: 'UNKNOWN_FIELD' },
  { why: 'a "prototype" key', spec: { rawBody: '{"subject":"svc-1","prototype":{"admin":true}}' }, status: 400, code: 'UNKNOWN_FIELD' },
  { why: 'a "toString" key', spec: { rawBody: '{"subject":"svc-1","toString":"x"}' }, status: 400, code: 'UNKNOWN_FIELD' },
  { why: 'a "__proto__" inside expiresAt', spec: { rawBody: `{"subject":"svc-1","expiresAt":{"seconds":${NOW_SECONDS + 60},"__proto__":{}}}` }, status: 400, code: 'INVALID_REQUEST' },
  // Deep nesting: refused at the first level the schema reads, without recursion.
  { why: 'a subject nested 5,000 arrays deep', spec: { rawBody: `{"subject":${nested(5000, '"svc-1"')}}` }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'authorities nested 5,000 arrays deep', spec: { rawBody: `{"subject":"svc-1","authorities":${nested(5000, '"push"')}}` }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'an audience nested 5,000 arrays deep', spec: { rawBody: `{"subject":"svc-1","audience":${nested(5000, '"mfs"')}}` }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'an unknown field nested 7,000 arrays deep', spec: { rawBody: `{"subject":"svc-1","x":${nested(7000, '1')}}` }, status: 400, code: 'UNKNOWN_FIELD' },
  // Numbers
  { why: 'expiresAt 1e309 (Infinity)', spec: { rawBody: '{"subject":"svc-1","expiresAt":1e309}' }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'expiresAt -1e309', spec: { rawBody: '{"subject":"svc-1","expiresAt":-1e309}' }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'expiresAt -0', spec: { rawBody: '{"subject":"svc-1","expiresAt":-0}' }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'expiresAt 1 (the seed, already expired)', spec: { body: { subject: 'svc-1', expiresAt: 1 } }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'expiresAt now', spec: { body: { subject: 'svc-1', expiresAt: NOW_SECONDS } }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'expiresAt a string of digits', spec: { body: { subject: 'svc-1', expiresAt: String(NOW_SECONDS + 60) } }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'expiresAt an ISO date with no zone', spec: { body: { subject: 'svc-1', expiresAt: '2025-06-15T16:00:00' } }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'expiresAt {"seconds": 1e309}', spec: { rawBody: '{"subject":"svc-1","expiresAt":{"seconds":1e309}}' }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'expiresAt {"seconds": 2^53}', spec: { rawBody: '{"subject":"svc-1","expiresAt":{"seconds":9007199254740992}}' }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'expiresAt with negative nanos', spec: { body: { subject: 'svc-1', expiresAt: { seconds: NOW_SECONDS + 60, nanos: -1 } } }, status: 400, code: 'INVALID_REQUEST' },
  // Escalation: a caller can never mint more than it holds.
  { why: 'an authority the caller lacks', spec: { body: { subject: 'svc-1', authorities: ['admin'] } }, status: 403, code: 'SCOPE_ESCALATION' },
  { why: "the caller's authorities plus one", spec: { body: { subject: 'svc-1', authorities: [...CALLER_SCOPES, 'admin'] } }, status: 403, code: 'SCOPE_ESCALATION' },
  { why: 'an authority differing only in case', spec: { body: { subject: 'svc-1', authorities: ['Push'] } }, status: 403, code: 'SCOPE_ESCALATION' },
  { why: 'a wildcard authority', spec: { body: { subject: 'svc-1', authorities: ['*'] } }, status: 403, code: 'SCOPE_ESCALATION' },
  { why: 'authorities as a space-delimited string', spec: { body: { subject: 'svc-1', authorities: 'push admin' } }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'an audience not allowed', spec: { body: { subject: 'svc-1', audience: 'payments' } }, status: 403, code: 'AUDIENCE_NOT_ALLOWED' },
  { why: 'an allowed audience plus one not allowed', spec: { body: { subject: 'svc-1', audience: ['mfs', 'payments'] } }, status: 403, code: 'AUDIENCE_NOT_ALLOWED' },
  { why: 'an audience differing only in case', spec: { body: { subject: 'svc-1', audience: 'MFS' } }, status: 403, code: 'AUDIENCE_NOT_ALLOWED' },
  { why: 'an audience list joined by a comma', spec: { body: { subject: 'svc-1', audience: 'mfs,payments' } }, status: 403, code: 'AUDIENCE_NOT_ALLOWED' },
  { why: 'an expiry a second past the maximum lifetime', spec: { body: { subject: 'svc-1', expiresAt: NOW_SECONDS + MAX_TTL_SECONDS + 1 } }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'an expiry in the year 275760', spec: { body: { subject: 'svc-1', expiresAt: 8_640_000_000_000 } }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'a huge expiry as an instant object', spec: { body: { subject: 'svc-1', expiresAt: { seconds: 4_102_444_800 } } }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'a huge expiry as an ISO date', spec: { body: { subject: 'svc-1', expiresAt: '9999-12-31T23:59:59Z' } }, status: 400, code: 'INVALID_REQUEST' },
  { why: 'a claim name "scope" in the body', spec: { body: { subject: 'svc-1', scope: ['admin'] } }, status: 400, code: 'UNKNOWN_FIELD' },
  { why: 'a claim name "iss" in the body', spec: { body: { subject: 'svc-1', iss: 'root' } }, status: 400, code: 'UNKNOWN_FIELD' },
  { why: 'a claim name "jti" in the body', spec: { body: { subject: 'svc-1', jti: 'fixed' } }, status: 400, code: 'UNKNOWN_FIELD' },
  { why: 'a claim name "exp" in the body', spec: { body: { subject: 'svc-1', exp: 4_102_444_800 } }, status: 400, code: 'UNKNOWN_FIELD' },
  { why: 'a notBefore at or after the expiry', spec: { body: { subject: 'svc-1', expiresAt: NOW_SECONDS + 60, notBefore: NOW_SECONDS + 60 } }, status: 400, code: 'INVALID_REQUEST' },
  // Size
  { why: 'a body over 16 KiB', spec: { body: { subject: 'svc-1', jwtId: 'x'.repeat(16 * 1024) } }, status: 413, code: 'BODY_TOO_LARGE' },
];

describe.each(SHAPES)('request body over %s', (shape) => {
  test.each(refusedEverywhere)('refuses $why with $status $code', async ({ spec, status, code }) => {
    // Act
    const outcome = await service.invoke(eventFor(shape, { ...spec, authorization }));

    // Assess
    expectRefused(outcome, shape, { status, code }, { callerToken: token });
  });

  test('ignores "issuer" and "jwtId" overrides: iss stays the caller, jti stays fresh', async () => {
    // Act
    const outcome = await service.invoke(
      eventFor(shape, { authorization, body: { subject: 'svc-1', issuer: 'root', jwtId: 'fixed-jti' } }),
    );

    // Assess
    const minted = expectIssued(outcome, shape);
    expect(minted.iss).toBe('caller-1');
    expect(minted.jti).not.toBe('fixed-jti');
    expect(minted.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('mints at most what the caller holds, for the longest lifetime allowed', async () => {
    // Act
    const outcome = await service.invoke(
      eventFor(shape, {
        authorization,
        body: { subject: 'svc-1', audience: ['mfs', 'push-gateway'], authorities: ['push'], expiresAt: NOW_SECONDS + MAX_TTL_SECONDS },
      }),
    );

    // Assess
    expect(expectIssued(outcome, shape)).toEqual({
      jti: expect.any(String),
      iss: 'caller-1',
      sub: 'svc-1',
      aud: ['mfs', 'push-gateway'],
      iat: NOW_SECONDS,
      exp: NOW_SECONDS + MAX_TTL_SECONDS,
      scope: ['push'],
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
    expectIssued(outcome, shape);
  });
});

describe.each(HTTP_SHAPES)('HTTP body framing over %s', (shape) => {
  test.each([
    { why: 'no Content-Type', contentType: null },
    { why: 'Content-Type text/plain', contentType: 'text/plain' },
    { why: 'Content-Type application/x-www-form-urlencoded', contentType: 'application/x-www-form-urlencoded' },
    { why: 'Content-Type text/json', contentType: 'text/json' },
    { why: 'Content-Type multipart/form-data', contentType: 'multipart/form-data; boundary=x' },
    { why: 'an empty Content-Type', contentType: '' },
  ])('refuses $why with 415 UNSUPPORTED_MEDIA_TYPE', async ({ contentType }) => {
    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization, body: { subject: 'svc-1' }, contentType }));

    // Assess
    expectRefused(outcome, shape, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }, { callerToken: token });
  });

  test('accepts application/json with a charset', async () => {
    // Act
    const outcome = await service.invoke(
      eventFor(shape, { authorization, body: { subject: 'svc-1' }, contentType: 'application/json; charset=utf-8' }),
    );

    // Assess
    expectIssued(outcome, shape);
  });

  test('reads an isBase64Encoded body as the JSON it encodes', async () => {
    // Act
    const outcome = await service.invoke(
      eventFor(shape, { authorization, rawBody: Buffer.from('{"subject":"svc-b64"}').toString('base64'), isBase64Encoded: true }),
    );

    // Assess
    expect(expectIssued(outcome, shape)).toMatchObject({ sub: 'svc-b64' });
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

  test('refuses an isBase64Encoded body that decodes to more than 16 KiB with 413', async () => {
    // Prepare
    const big = JSON.stringify({ subject: 'svc-1', jwtId: 'x'.repeat(17 * 1024) });

    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization, rawBody: Buffer.from(big).toString('base64'), isBase64Encoded: true }));

    // Assess
    expectRefused(outcome, shape, { status: 413, code: 'BODY_TOO_LARGE' }, { callerToken: token });
  });

  test('ignores a value nested 7,000 levels deep in "jwtId": JSON.parse does not recurse', async () => {
    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization, rawBody: `{"subject":"svc-1","jwtId":${nested(7000, '1')}}` }));

    // Assess
    expectIssued(outcome, shape);
  });
});

describe('direct invocation bodies', () => {
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
