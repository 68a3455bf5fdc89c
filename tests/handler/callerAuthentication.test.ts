import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { MintErrorCode } from '../../lib/errors';
import { testHandler, type Outcome } from '../helpers/handler';
import { eventFor, type Shape, SHAPES } from '../helpers/events';
import { expectMinted, expectRefused } from '../helpers/outcomes';
import { b64url, callerToken, craftToken, decodeJwt } from '../helpers/tokens';

const NOW_SECONDS = 1_900_000_000;
const NOW_MS = NOW_SECONDS * 1000;
const OTHER_SECRET = 'another-secret-that-is-long-enough-0123456789';

/** A valid caller's claims as JSON text, for tokens crafted byte by byte. */
const VALID_PAYLOAD = JSON.stringify({ sub: 'caller-1', aud: 'mfs', exp: NOW_SECONDS + 3600, scope: ['generateJwt', 'push'] });

let rsaPrivateKey: KeyObject;
let ecPrivateKey: KeyObject;

beforeAll(() => {
  rsaPrivateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  ecPrivateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
});

function withClaims(claims: JWTPayload): Promise<string> {
  return callerToken({ nowSeconds: NOW_SECONDS, claims });
}

function signAsymmetric(alg: 'RS256' | 'ES256', key: KeyObject, kid?: string): Promise<string> {
  return new SignJWT(JSON.parse(VALID_PAYLOAD) as JWTPayload)
    .setProtectedHeader(kid === undefined ? { alg, typ: 'JWT' } : { alg, typ: 'JWT', kid })
    .sign(key);
}

async function invokeWith(shape: Shape, authorization: string | undefined, env?: Record<string, string>): Promise<Outcome> {
  const service = testHandler({ nowMs: NOW_MS, ...(env === undefined ? {} : { env }) });
  return service.invoke(eventFor(shape, { authorization, body: { subject: 'test1' } }));
}

function expectChallenge(outcome: Outcome, shape: Shape, challenge: string): void {
  if (shape === 'direct') return;
  expect(outcome.headers['WWW-Authenticate']).toBe(challenge);
}

interface RefusedToken {
  readonly name: string;
  readonly token: () => Promise<string> | string;
  readonly status: number;
  readonly code: MintErrorCode;
}

const REFUSED_TOKENS: readonly RefusedToken[] = [
  { name: 'a token signed with another secret', token: () => callerToken({ nowSeconds: NOW_SECONDS, secret: OTHER_SECRET }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'an unsigned token with alg none', token: () => craftToken('{"alg":"none","typ":"JWT"}', VALID_PAYLOAD, { signature: '' }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token with alg none carrying a valid HS256 signature', token: () => craftToken('{"alg":"none","typ":"JWT"}', VALID_PAYLOAD), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token signed with HS384 and the signing secret', token: () => craftToken('{"alg":"HS384","typ":"JWT"}', VALID_PAYLOAD, { hash: 'sha384' }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token signed with HS512 and the signing secret', token: () => craftToken('{"alg":"HS512","typ":"JWT"}', VALID_PAYLOAD, { hash: 'sha512' }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token signed with RS256', token: () => signAsymmetric('RS256', rsaPrivateKey), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token signed with RS256 naming a kid', token: () => signAsymmetric('RS256', rsaPrivateKey, 'rsa-1'), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token signed with ES256', token: () => signAsymmetric('ES256', ecPrivateKey), status: 401, code: 'INVALID_TOKEN' },
  { name: 'an RS256 header over an HMAC of the signing secret (algorithm confusion)', token: () => craftToken('{"alg":"RS256","typ":"JWT"}', VALID_PAYLOAD), status: 401, code: 'INVALID_TOKEN' },
  {
    name: 'a token whose payload was changed after signing',
    token: async () => {
      const [header, , signature] = (await withClaims({})).split('.');
      const forged = b64url(JSON.stringify({ sub: 'admin', aud: 'mfs', exp: NOW_SECONDS + 3600, scope: ['generateJwt', 'root'] }));
      return `${header}.${forged}.${signature}`;
    },
    status: 401,
    code: 'INVALID_TOKEN',
  },
  { name: 'a string that is not a JWT', token: () => 'not-a-jwt', status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token without exp', token: () => withClaims({ exp: undefined }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token whose exp is not a number', token: () => craftToken('{"alg":"HS256","typ":"JWT"}', JSON.stringify({ sub: 'caller-1', aud: 'mfs', exp: String(NOW_SECONDS + 3600), scope: ['generateJwt'] })), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token that expired 31 seconds ago', token: () => withClaims({ exp: NOW_SECONDS - 31 }), status: 401, code: 'TOKEN_EXPIRED' },
  { name: 'a token that expired a day ago', token: () => withClaims({ exp: NOW_SECONDS - 86_400 }), status: 401, code: 'TOKEN_EXPIRED' },
  { name: 'a token not valid for another 31 seconds (nbf)', token: () => withClaims({ nbf: NOW_SECONDS + 31 }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token issued 31 seconds in the future (iat)', token: () => withClaims({ iat: NOW_SECONDS + 31 }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token for another audience', token: () => withClaims({ aud: 'billing' }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token whose audience list lacks mfs', token: () => withClaims({ aud: ['billing', 'mfsx'] }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token without aud', token: () => withClaims({ aud: undefined }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token without sub', token: () => withClaims({ sub: undefined }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token with an empty sub', token: () => withClaims({ sub: '' }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'a token with a numeric sub', token: () => craftToken('{"alg":"HS256","typ":"JWT"}', JSON.stringify({ sub: 42, aud: 'mfs', exp: NOW_SECONDS + 3600, scope: ['generateJwt'] })), status: 401, code: 'INVALID_TOKEN' },
];

const SCOPE_REFUSALS: ReadonlyArray<{ name: string; scope: unknown }> = [
  { name: 'scopes without generateJwt', scope: ['push', 'query'] },
  { name: 'no scope claim', scope: undefined },
  { name: 'an empty scope list', scope: [] },
  { name: 'a scope that only starts with generateJwt', scope: ['generateJwtAdmin'] },
  { name: 'generateJwt in another case', scope: ['GenerateJwt'] },
  { name: 'generateJwt inside a longer array element', scope: ['push generateJwt'] },
  { name: 'a space-delimited scope string without generateJwt', scope: 'push generateJwt:read' },
  { name: 'a scope claim that is neither array nor string', scope: { generateJwt: true } },
];

describe.each(SHAPES)('caller token over %s events', (shape) => {
  test('refuses a request without a token with 401 and a bare Bearer challenge', async () => {
    // Act
    const outcome = await invokeWith(shape, undefined);

    // Assess
    expectRefused(outcome, shape, { status: 401, code: 'MISSING_TOKEN' });
    expectChallenge(outcome, shape, 'Bearer');
  });

  test('refuses Basic credentials with 401 and a bare Bearer challenge', async () => {
    // Act
    const outcome = await invokeWith(shape, 'Basic dXNlcjpwYXNzd29yZA==');

    // Assess
    expectRefused(outcome, shape, { status: 401, code: 'MISSING_TOKEN' });
    expectChallenge(outcome, shape, 'Bearer');
  });

  test.each(REFUSED_TOKENS)('refuses $name with $status $code', async ({ token, status, code }) => {
    // Prepare
    const refused = await token();

    // Act
    const outcome = await invokeWith(shape, `Bearer ${refused}`);

    // Assess
    expectRefused(outcome, shape, { status, code }, { callerToken: refused });
    expectChallenge(outcome, shape, 'Bearer error="invalid_token"');
  });

  test.each(SCOPE_REFUSALS)('refuses a token with $name with 403 and an insufficient_scope challenge', async ({ scope }) => {
    // Prepare
    const token = await withClaims({ scope });

    // Act
    const outcome = await invokeWith(shape, `Bearer ${token}`);

    // Assess
    expectRefused(outcome, shape, { status: 403, code: 'INSUFFICIENT_SCOPE' }, { callerToken: token });
    expectChallenge(outcome, shape, 'Bearer error="insufficient_scope", scope="generateJwt"');
  });

  test.each([
    { name: 'a token that expired 29 seconds ago (within the clock tolerance)', claims: { exp: NOW_SECONDS - 29 } },
    { name: 'a token valid from 29 seconds from now (within the clock tolerance)', claims: { nbf: NOW_SECONDS + 29 } },
    { name: 'a token whose nbf has passed', claims: { nbf: NOW_SECONDS - 60 } },
    { name: 'a token whose audience list contains mfs', claims: { aud: ['billing', 'mfs'] } },
    { name: 'a token with a space-delimited scope string', claims: { scope: 'push generateJwt query' } },
    { name: 'a token issued now', claims: { iat: NOW_SECONDS } },
  ])('accepts $name', async ({ claims }) => {
    // Prepare
    const token = await withClaims(claims);

    // Act
    const outcome = await invokeWith(shape, `Bearer ${token}`);

    // Assess
    expectMinted(outcome, shape);
  });

  test('accepts the bearer scheme in any case', async () => {
    // Prepare
    const token = await withClaims({});

    // Act
    const outcome = await invokeWith(shape, `bearer ${token}`);

    // Assess
    expectMinted(outcome, shape);
  });

  test('reads a space-delimited caller scope into the minted JSON-array scope', async () => {
    // Prepare
    const token = await withClaims({ scope: 'push generateJwt query' });

    // Act
    const outcome = await invokeWith(shape, `Bearer ${token}`);

    // Assess
    expect(decodeJwt(expectMinted(outcome, shape)).payload.scope).toEqual(['push', 'query']);
  });

  test('honours REQUIRED_SCOPE: refuses a caller holding only generateJwt, naming the configured scope', async () => {
    // Prepare
    const token = await withClaims({ scope: ['generateJwt'] });

    // Act
    const outcome = await invokeWith(shape, `Bearer ${token}`, { REQUIRED_SCOPE: 'mint:tokens' });

    // Assess
    expectRefused(outcome, shape, { status: 403, code: 'INSUFFICIENT_SCOPE' }, { callerToken: token });
    expectChallenge(outcome, shape, 'Bearer error="insufficient_scope", scope="mint:tokens"');
  });

  test('honours REQUIRED_SCOPE: accepts a caller holding the configured scope', async () => {
    // Prepare
    const token = await withClaims({ scope: ['mint:tokens'] });

    // Act
    const outcome = await invokeWith(shape, `Bearer ${token}`, { REQUIRED_SCOPE: 'mint:tokens' });

    // Assess
    expectMinted(outcome, shape);
  });

  test('honours CALLER_AUDIENCE: refuses an mfs token and accepts one for the configured audience', async () => {
    // Prepare
    const mfsToken = await withClaims({ aud: 'mfs' });
    const gatewayToken = await withClaims({ aud: 'gateway' });

    // Act
    const refused = await invokeWith(shape, `Bearer ${mfsToken}`, { CALLER_AUDIENCE: 'gateway' });
    const accepted = await invokeWith(shape, `Bearer ${gatewayToken}`, { CALLER_AUDIENCE: 'gateway' });

    // Assess
    expectRefused(refused, shape, { status: 401, code: 'INVALID_TOKEN' }, { callerToken: mfsToken });
    expectMinted(accepted, shape);
  });

  test('honours CLOCK_TOLERANCE_SECONDS: with 0, a token that expired a second ago is refused', async () => {
    // Prepare
    const token = await withClaims({ exp: NOW_SECONDS - 1 });

    // Act
    const strict = await invokeWith(shape, `Bearer ${token}`, { CLOCK_TOLERANCE_SECONDS: '0' });
    const lenient = await invokeWith(shape, `Bearer ${token}`);

    // Assess
    expectRefused(strict, shape, { status: 401, code: 'TOKEN_EXPIRED' }, { callerToken: token });
    expectMinted(lenient, shape);
  });

  test('sends no WWW-Authenticate challenge with a 400', async () => {
    // Prepare
    const token = await withClaims({});
    const event = eventFor(shape, { authorization: `Bearer ${token}`, body: { subject: '' } });

    // Act
    const outcome = await testHandler({ nowMs: NOW_MS }).invoke(event);

    // Assess
    expectRefused(outcome, shape, { status: 400, code: 'INVALID_REQUEST' }, { callerToken: token });
    expect(outcome.headers['WWW-Authenticate']).toBeUndefined();
  });
});
