import { testHandler } from '../helpers/handler';
import { eventFor, type Shape, SHAPES } from '../helpers/events';
import { expectMinted, expectRefused, UUID_V4_PATTERN } from '../helpers/outcomes';
import { callerToken, decodeJwt, hmacSignatureValid, TEST_SECRET } from '../helpers/tokens';

const NOW_SECONDS = 1_900_000_000;
const NOW_MS = NOW_SECONDS * 1000;
// NOW_SECONDS is 2030-03-17T17:46:40Z; the ISO instants below are written relative to it.
const CALLER_SCOPES = ['generateJwt', 'push', 'query'];

let token: string;
let authorization: string;

beforeAll(async () => {
  token = await callerToken({ nowSeconds: NOW_SECONDS, claims: { scope: CALLER_SCOPES } });
  authorization = `Bearer ${token}`;
});

/** Mints through the real chain and returns the minted token's claims, checking the signature. */
async function mintedClaims(shape: Shape, body: unknown, env?: Record<string, string>) {
  const service = testHandler({ nowMs: NOW_MS, ...(env === undefined ? {} : { env }) });
  const minted = expectMinted(await service.invoke(eventFor(shape, { authorization, body })), shape);
  expect(hmacSignatureValid(minted, TEST_SECRET)).toBe(true);
  return decodeJwt(minted);
}

async function refusal(shape: Shape, body: unknown, env?: Record<string, string>) {
  const service = testHandler({ nowMs: NOW_MS, ...(env === undefined ? {} : { env }) });
  return service.invoke(eventFor(shape, { authorization, body }));
}

describe.each(SHAPES)('minted token over %s events', (shape) => {
  test('mints the defaults: caller sub as iss, mfs audience, caller scopes less the right to mint, 12 hours, the caller as act', async () => {
    // Act
    const { header, payload } = await mintedClaims(shape, { subject: 'test1' });

    // Assess
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({
      jti: expect.stringMatching(UUID_V4_PATTERN),
      iss: 'caller-1',
      sub: 'test1',
      aud: 'mfs',
      iat: NOW_SECONDS,
      exp: NOW_SECONDS + 43_200,
      scope: CALLER_SCOPES.filter((scope) => scope !== 'generateJwt'),
      act: { sub: 'caller-1' },
    });
  });

  test.each([
    { name: 'epoch seconds', expiresAt: NOW_SECONDS + 600, exp: NOW_SECONDS + 600 },
    { name: 'fractional epoch seconds, floored', expiresAt: NOW_SECONDS + 600.99, exp: NOW_SECONDS + 600 },
    { name: 'an ISO-8601 string in UTC', expiresAt: '2030-03-17T18:46:40Z', exp: NOW_SECONDS + 3600 },
    { name: 'an ISO-8601 string with fractional seconds, floored', expiresAt: '2030-03-17T18:46:40.750Z', exp: NOW_SECONDS + 3600 },
    { name: 'an ISO-8601 string with an offset', expiresAt: '2030-03-18T02:46:40+08:00', exp: NOW_SECONDS + 3600 },
    { name: '{"seconds","nanos"}', expiresAt: { seconds: NOW_SECONDS + 900, nanos: 500_000_000 }, exp: NOW_SECONDS + 900 },
    { name: '{"seconds"} without nanos', expiresAt: { seconds: NOW_SECONDS + 900 }, exp: NOW_SECONDS + 900 },
    { name: 'exactly MAX_TTL_SECONDS from now', expiresAt: NOW_SECONDS + 86_400, exp: NOW_SECONDS + 86_400 },
    { name: 'one second from now', expiresAt: NOW_SECONDS + 1, exp: NOW_SECONDS + 1 },
  ])('sets exp from an expiresAt given as $name', async ({ expiresAt, exp }) => {
    // Act
    const { payload } = await mintedClaims(shape, { subject: 'test1', expiresAt });

    // Assess
    expect(payload.exp).toBe(exp);
  });

  test('honours DEFAULT_TTL_SECONDS when expiresAt is absent', async () => {
    // Act
    const { payload } = await mintedClaims(shape, { subject: 'test1' }, { DEFAULT_TTL_SECONDS: '600' });

    // Assess
    expect(payload.exp).toBe(NOW_SECONDS + 600);
  });

  test('honours MAX_TTL_SECONDS: the bound is allowed, one second past it is refused with 400', async () => {
    // Prepare
    const env = { MAX_TTL_SECONDS: '3600', DEFAULT_TTL_SECONDS: '600' };

    // Act
    const { payload } = await mintedClaims(shape, { subject: 'test1', expiresAt: NOW_SECONDS + 3600 }, env);
    const refused = await refusal(shape, { subject: 'test1', expiresAt: NOW_SECONDS + 3601 }, env);

    // Assess
    expect(payload.exp).toBe(NOW_SECONDS + 3600);
    expectRefused(refused, shape, { status: 400, code: 'INVALID_REQUEST' }, { callerToken: token });
    expect(refused.envelope.message).toContain('expiresAt');
  });

  test('mints for a subject of exactly 256 characters', async () => {
    // Prepare
    const subject = 'x'.repeat(256);

    // Act
    const { payload } = await mintedClaims(shape, { subject });

    // Assess
    expect(payload.sub).toBe(subject);
  });

  test('ignores jwtId and issuer: jti is fresh and iss is the caller', async () => {
    // Act
    const { payload } = await mintedClaims(shape, { subject: 'test1', jwtId: 'jwtId_z9l97', issuer: 'root' });

    // Assess
    expect(payload.jti).toEqual(expect.stringMatching(UUID_V4_PATTERN));
    expect(payload.jti).not.toBe('jwtId_z9l97');
    expect(payload.iss).toBe('caller-1');
  });

  test('mints with TOKEN_ISSUER as iss when configured', async () => {
    // Act
    const { payload } = await mintedClaims(shape, { subject: 'test1', issuer: 'root' }, { TOKEN_ISSUER: 'https://jwt-mint.example' });

    // Assess
    expect(payload.iss).toBe('https://jwt-mint.example');
  });

  test.each([
    { name: 'epoch seconds', notBefore: NOW_SECONDS + 60, nbf: NOW_SECONDS + 60 },
    { name: 'an ISO-8601 string', notBefore: '2030-03-17T17:56:40Z', nbf: NOW_SECONDS + 600 },
    { name: '{"seconds","nanos"}', notBefore: { seconds: NOW_SECONDS + 5, nanos: 1 }, nbf: NOW_SECONDS + 5 },
  ])('sets nbf from a notBefore given as $name', async ({ notBefore, nbf }) => {
    // Act
    const { payload } = await mintedClaims(shape, { subject: 'test1', notBefore });

    // Assess
    expect(payload.nbf).toBe(nbf);
    expect(payload.exp).toBe(NOW_SECONDS + 43_200);
  });

  test('leaves nbf out when notBefore is not asked for', async () => {
    // Act
    const { payload } = await mintedClaims(shape, { subject: 'test1' });

    // Assess
    expect(payload).not.toHaveProperty('nbf');
  });

  test.each([
    { name: 'the string "mfs"', audience: 'mfs', aud: 'mfs' },
    { name: 'the one-element array ["mfs"]', audience: ['mfs'], aud: 'mfs' },
    { name: 'a repeated audience', audience: ['mfs', 'mfs'], aud: 'mfs' },
  ])('sets aud to a string for $name', async ({ audience, aud }) => {
    // Act
    const { payload } = await mintedClaims(shape, { subject: 'test1', audience });

    // Assess
    expect(payload.aud).toBe(aud);
  });

  test('sets aud to an array for several allowed audiences', async () => {
    // Act
    const { payload } = await mintedClaims(shape, { subject: 'test1', audience: ['mfs', 'billing'] }, { ALLOWED_AUDIENCES: 'mfs, billing' });

    // Assess
    expect(payload.aud).toEqual(['mfs', 'billing']);
  });

  test('uses DEFAULT_AUDIENCE when audience is absent', async () => {
    // Act
    const { payload } = await mintedClaims(shape, { subject: 'test1' }, { DEFAULT_AUDIENCE: 'billing', ALLOWED_AUDIENCES: 'mfs,billing' });

    // Assess
    expect(payload.aud).toBe('billing');
  });

  test.each([
    { name: 'an audience outside ALLOWED_AUDIENCES', audience: 'billing', env: undefined },
    { name: 'an array with one audience outside ALLOWED_AUDIENCES', audience: ['mfs', 'billing'], env: undefined },
    { name: 'an audience outside a configured ALLOWED_AUDIENCES', audience: 'admin', env: { ALLOWED_AUDIENCES: 'mfs,billing' } },
  ])('refuses $name with 403 AUDIENCE_NOT_ALLOWED', async ({ audience, env }) => {
    // Act
    const outcome = await refusal(shape, { subject: 'test1', audience }, env);

    // Assess
    expectRefused(outcome, shape, { status: 403, code: 'AUDIENCE_NOT_ALLOWED' }, { callerToken: token });
  });

  test('sets scope to the requested authorities when the caller holds them', async () => {
    // Act
    const { payload } = await mintedClaims(shape, { subject: 'test1', authorities: ['push'] });

    // Assess
    expect(payload.scope).toEqual(['push']);
  });

  test.each([
    { name: 'an authority the caller lacks', authorities: ['root'] },
    { name: 'a held authority next to one the caller lacks', authorities: ['push', 'root'] },
    { name: 'an authority differing from a held one only in case', authorities: ['Push'] },
  ])('refuses $name with 403 SCOPE_ESCALATION', async ({ authorities }) => {
    // Act
    const outcome = await refusal(shape, { subject: 'test1', authorities });

    // Assess
    expectRefused(outcome, shape, { status: 403, code: 'SCOPE_ESCALATION' }, { callerToken: token });
  });
});
