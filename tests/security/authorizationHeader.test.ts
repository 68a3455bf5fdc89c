import type { MintErrorCode } from '../../lib/errors';
import { testHandler } from '../helpers/handler';
import { eventFor, SHAPES } from '../helpers/events';
import { expectMinted, expectRefused } from '../helpers/outcomes';
import { callerToken, verifiedHs256Claims } from '../helpers/tokens';
import { NOW_MS, NOW_SECONDS } from '../helpers/defaults';

// Hostile Authorization headers (RFC 6750 §2.1, RFC 7235): anything but exactly one bearer token is refused.

const service = testHandler({ nowMs: NOW_MS });
let token: string;

beforeAll(async () => {
  token = await callerToken({ nowSeconds: NOW_SECONDS });
});

interface Case {
  readonly name: string;
  readonly authorization: (token: string) => string | undefined;
  readonly code: MintErrorCode;
  readonly challenge: string;
}

const cases: readonly Case[] = [
  { name: 'no Authorization at all', authorization: () => undefined, code: 'MISSING_TOKEN', challenge: 'Bearer' },
  { name: 'an empty Authorization', authorization: () => '', code: 'MISSING_TOKEN', challenge: 'Bearer' },
  { name: 'an Authorization of spaces', authorization: () => '   ', code: 'MISSING_TOKEN', challenge: 'Bearer' },
  { name: 'the Basic scheme', authorization: () => `Basic ${Buffer.from('caller-1:hunter2').toString('base64')}`, code: 'MISSING_TOKEN', challenge: 'Bearer' },
  { name: 'the Basic scheme carrying a valid JWT', authorization: (t) => `Basic ${t}`, code: 'MISSING_TOKEN', challenge: 'Bearer' },
  { name: 'a bare token with no scheme', authorization: (t) => t, code: 'MISSING_TOKEN', challenge: 'Bearer' },
  { name: 'a look-alike scheme "Bearerx"', authorization: (t) => `Bearerx ${t}`, code: 'MISSING_TOKEN', challenge: 'Bearer' },
  { name: 'the scheme glued to the token', authorization: (t) => `Bearer${t}`, code: 'MISSING_TOKEN', challenge: 'Bearer' },
  { name: 'Bearer with nothing after it', authorization: () => 'Bearer', code: 'INVALID_TOKEN', challenge: 'Bearer error="invalid_token"' },
  { name: 'Bearer and a space', authorization: () => 'Bearer ', code: 'INVALID_TOKEN', challenge: 'Bearer error="invalid_token"' },
  { name: 'Bearer with two tokens', authorization: (t) => `Bearer ${t} ${t}`, code: 'INVALID_TOKEN', challenge: 'Bearer error="invalid_token"' },
  { name: 'Bearer with two tokens joined by a comma', authorization: (t) => `Bearer ${t}, Bearer ${t}`, code: 'INVALID_TOKEN', challenge: 'Bearer error="invalid_token"' },
  { name: 'Bearer with a tab inside the token', authorization: (t) => `Bearer ${t.replace('.', '\t.')}`, code: 'INVALID_TOKEN', challenge: 'Bearer error="invalid_token"' },
  { name: 'Bearer with 10 KB of data', authorization: () => `Bearer ${'A'.repeat(10 * 1024)}`, code: 'INVALID_TOKEN', challenge: 'Bearer error="invalid_token"' },
  { name: 'Bearer with a valid token padded to 10 KB', authorization: (t) => `Bearer ${t}${' '.repeat(10 * 1024)}`, code: 'INVALID_TOKEN', challenge: 'Bearer error="invalid_token"' },
  { name: 'Bearer with a string that is not a JWT', authorization: () => 'Bearer hello', code: 'INVALID_TOKEN', challenge: 'Bearer error="invalid_token"' },
  { name: 'Bearer with a token in quotes', authorization: (t) => `Bearer "${t}"`, code: 'INVALID_TOKEN', challenge: 'Bearer error="invalid_token"' },
];

describe.each(SHAPES)('Authorization over %s', (shape) => {
  test.each(cases)('refuses $name with 401 $code', async ({ authorization, code, challenge }) => {
    // Prepare
    const event = eventFor(shape, { authorization: authorization(token), body: { subject: 'svc-1' } });

    // Act
    const outcome = await service.invoke(event);

    // Assess
    expectRefused(outcome, shape, { status: 401, code }, { callerToken: token });
    if (shape !== 'direct') expect(outcome.headers['WWW-Authenticate']).toBe(challenge);
  });

  test('accepts the scheme in any case and surrounding spaces, as RFC 7235 allows', async () => {
    // Prepare
    const event = eventFor(shape, { authorization: `bEARER   ${token}  `, body: { subject: 'svc-1' } });

    // Act
    const outcome = await service.invoke(event);

    // Assess
    expect(verifiedHs256Claims(expectMinted(outcome, shape))).toMatchObject({ iss: 'caller-1', sub: 'svc-1' });
  });
});

test.each(['v2', 'v1'] as const)('reads the Authorization header whatever the case of its name (%s)', async (shape) => {
  // Prepare
  const event = eventFor(shape, { body: { subject: 'svc-1' } }) as { headers: Record<string, string> };
  event.headers.AUTHORIZATION = `Bearer ${token}`;

  // Act
  const outcome = await service.invoke(event);

  // Assess
  verifiedHs256Claims(expectMinted(outcome, shape));
});

test('a direct invocation reads only its own authorization field, not an HTTP-style header map', async () => {
  // Prepare
  const event = { headers: { authorization: `Bearer ${token}` }, body: { subject: 'svc-1' } };

  // Act
  const outcome = await service.invoke(event);

  // Assess
  expectRefused(outcome, 'direct', { status: 401, code: 'MISSING_TOKEN' }, { callerToken: token });
});

test.each([
  { name: 'a number', authorization: 42 },
  { name: 'an array holding a bearer token', authorization: ['Bearer x'] },
  { name: 'an object', authorization: { scheme: 'Bearer' } },
  { name: 'null', authorization: null },
])('a direct invocation whose authorization is $name is refused with 401 MISSING_TOKEN', async ({ authorization }) => {
  // Act
  const outcome = await service.invoke({ authorization, body: { subject: 'svc-1' } });

  // Assess
  expectRefused(outcome, 'direct', { status: 401, code: 'MISSING_TOKEN' });
});

describe('more than one Authorization or Content-Type value is refused, never resolved by order', () => {
  // Finding 3 (low) of the adversarial review: a REST API event with two Authorization values
  // minted with the last one, so a proxy, WAF or log that read the first saw another credential.
  const json = 'application/json';

  test.each([
    { why: 'two spellings of Authorization in a REST API event', headers: () => ({ authorization: 'Bearer junk.junk.junk', Authorization: `Bearer ${token}`, 'Content-Type': json }), multi: undefined },
    { why: 'two Authorization entries in multiValueHeaders', headers: () => ({ Authorization: `Bearer ${token}`, 'Content-Type': json }), multi: () => ({ Authorization: ['Bearer junk.junk.junk', `Bearer ${token}`] }) },
    { why: 'one credential twice, its scheme spelled two ways', headers: () => ({ Authorization: `Bearer ${token}`, 'Content-Type': json }), multi: () => ({ Authorization: [`Bearer ${token}`, `BEARER ${token}`] }) },
    { why: 'two spellings of Content-Type', headers: () => ({ Authorization: `Bearer ${token}`, 'content-type': 'text/plain', 'Content-Type': json }), multi: undefined },
    { why: 'two Content-Type entries in multiValueHeaders', headers: () => ({ Authorization: `Bearer ${token}`, 'Content-Type': json }), multi: () => ({ 'Content-Type': ['text/plain', json] }) },
  ])('refuses $why with 400 DUPLICATE_HEADER', async ({ headers, multi }) => {
    // Prepare
    const event = { ...(eventFor('v1', { body: { subject: 'svc-1' } }) as object), headers: headers(), multiValueHeaders: multi?.() ?? {} };

    // Act
    const outcome = await service.invoke(event);

    // Assess
    expectRefused(outcome, 'v1', { status: 400, code: 'DUPLICATE_HEADER' }, { callerToken: token });
  });

  test.each([
    { why: 'Authorization values joined by a comma, as API Gateway v2 joins repeats', headers: () => ({ authorization: `Bearer junk.junk.junk,Bearer ${token}`, 'content-type': json }), status: 401, code: 'INVALID_TOKEN' as const },
    { why: 'Content-Type values joined by a comma', headers: () => ({ authorization: `Bearer ${token}`, 'content-type': `text/plain,${json}` }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' as const },
  ])('refuses $why in an HTTP API event: a bearer token and a media type hold no comma', async ({ headers, status, code }) => {
    // Act
    const outcome = await service.invoke({ ...(eventFor('v2', { body: { subject: 'svc-1' } }) as object), headers: headers() });

    // Assess
    expectRefused(outcome, 'v2', { status, code }, { callerToken: token });
  });

  test('mints when API Gateway repeats the one Authorization value in headers and multiValueHeaders', async () => {
    // Prepare
    const event = { ...(eventFor('v1', { authorization: `Bearer ${token}` }) as object), multiValueHeaders: { Authorization: [`Bearer ${token}`], 'Content-Type': [json] } };

    // Act
    const outcome = await service.invoke(event);

    // Assess
    verifiedHs256Claims(expectMinted(outcome, 'v1'));
  });
});
