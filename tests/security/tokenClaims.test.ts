import type { MintErrorCode } from '../../lib/errors';
import { testHandler } from '../helpers/handler';
import { eventFor, SHAPES } from '../helpers/events';
import { expectMinted, expectRefused } from '../helpers/outcomes';
import { callerClaims, signedClaims, verifiedHs256Claims } from '../helpers/tokens';
import { CLOCK_TOLERANCE_SECONDS, NOW_MS, NOW_SECONDS } from '../helpers/defaults';

// Correctly signed caller tokens whose claims must not be believed: time (RFC 7519 §4.1.4-6, with
// the configured leeway), audience (RFC 8725 §3.9), subject and the required scope.

const service = testHandler({ nowMs: NOW_MS });
const strictClock = testHandler({ nowMs: NOW_MS, env: { CLOCK_TOLERANCE_SECONDS: '0' } });

const T = CLOCK_TOLERANCE_SECONDS;

/** Valid claims with some replaced; `undefined` removes a claim. */
function claims(changes: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...callerClaims(NOW_SECONDS), ...changes };
  for (const [name, value] of Object.entries(changes)) if (value === undefined) delete merged[name];
  return merged;
}

interface Refusal {
  readonly why: string;
  readonly claims: Record<string, unknown>;
  readonly status: 401 | 403;
  readonly code: MintErrorCode;
}

const refused: readonly Refusal[] = [
  // Time
  { why: '"exp" an hour past', claims: claims({ exp: NOW_SECONDS - 3600 }), status: 401, code: 'TOKEN_EXPIRED' },
  { why: '"exp" exactly the tolerance past (just outside)', claims: claims({ exp: NOW_SECONDS - T }), status: 401, code: 'TOKEN_EXPIRED' },
  { why: '"exp" a fraction beyond the tolerance', claims: claims({ exp: NOW_SECONDS - T - 0.5 }), status: 401, code: 'TOKEN_EXPIRED' },
  { why: '"exp" zero', claims: claims({ exp: 0 }), status: 401, code: 'TOKEN_EXPIRED' },
  { why: '"exp" negative', claims: claims({ exp: -1 }), status: 401, code: 'TOKEN_EXPIRED' },
  { why: '"exp" a string', claims: claims({ exp: String(NOW_SECONDS + 3600) }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"exp" an ISO date string', claims: claims({ exp: '2099-01-01T00:00:00Z' }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"exp" null', claims: claims({ exp: null }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"exp" true', claims: claims({ exp: true }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"exp" an array', claims: claims({ exp: [NOW_SECONDS + 3600] }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"exp" missing', claims: claims({ exp: undefined }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"nbf" beyond the tolerance in the future', claims: claims({ nbf: NOW_SECONDS + T + 1 }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"nbf" a day in the future', claims: claims({ nbf: NOW_SECONDS + 86_400 }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"nbf" a string', claims: claims({ nbf: String(NOW_SECONDS) }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"iat" beyond the tolerance in the future', claims: claims({ iat: NOW_SECONDS + T + 1 }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"iat" a year in the future', claims: claims({ iat: NOW_SECONDS + 365 * 86_400 }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"iat" a string', claims: claims({ iat: String(NOW_SECONDS) }), status: 401, code: 'INVALID_TOKEN' },
  // Audience
  { why: '"aud" another audience', claims: claims({ aud: 'payments' }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"aud" the right one in another case', claims: claims({ aud: 'MFS' }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"aud" the right one with a trailing space', claims: claims({ aud: 'mfs ' }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"aud" empty', claims: claims({ aud: '' }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"aud" missing', claims: claims({ aud: undefined }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"aud" an array without the right value', claims: claims({ aud: ['payments', 'billing'] }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"aud" an empty array', claims: claims({ aud: [] }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"aud" an array holding the right value nested', claims: claims({ aud: [['mfs']] }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"aud" an object', claims: claims({ aud: { mfs: true } }), status: 401, code: 'INVALID_TOKEN' },
  // Subject
  { why: '"sub" empty', claims: claims({ sub: '' }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"sub" a number', claims: claims({ sub: 42 }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"sub" null', claims: claims({ sub: null }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"sub" an array', claims: claims({ sub: ['caller-1'] }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"sub" an object', claims: claims({ sub: { id: 'caller-1' } }), status: 401, code: 'INVALID_TOKEN' },
  { why: '"sub" missing', claims: claims({ sub: undefined }), status: 401, code: 'INVALID_TOKEN' },
  // Scope
  { why: '"scope" missing', claims: claims({ scope: undefined }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" empty', claims: claims({ scope: [] }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" an empty string', claims: claims({ scope: '' }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" ["generateJwtX"]', claims: claims({ scope: ['generateJwtX'] }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" ["xgenerateJwt"]', claims: claims({ scope: ['xgenerateJwt'] }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" ["GenerateJwt"]', claims: claims({ scope: ['GenerateJwt'] }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" ["generateJwt "] (trailing space)', claims: claims({ scope: ['generateJwt '] }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" [" generateJwt"] (leading space)', claims: claims({ scope: [' generateJwt'] }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" ["generate Jwt"]', claims: claims({ scope: ['generate Jwt'] }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" "generateJwtX" as a string', claims: claims({ scope: 'generateJwtX' }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" "push,generateJwt" (comma, not space)', claims: claims({ scope: 'push,generateJwt' }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" "push\\tgenerateJwt" (tab, not space)', claims: claims({ scope: 'push\tgenerateJwt' }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" mixing a non-string', claims: claims({ scope: ['generateJwt', 1] }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" nested', claims: claims({ scope: [['generateJwt']] }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" an object', claims: claims({ scope: { generateJwt: true } }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: '"scope" true', claims: claims({ scope: true }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: 'the scope under "scp" instead of "scope"', claims: claims({ scope: undefined, scp: ['generateJwt'] }), status: 403, code: 'INSUFFICIENT_SCOPE' },
  { why: 'the scope under "authorities" instead of "scope"', claims: claims({ scope: undefined, authorities: ['generateJwt'] }), status: 403, code: 'INSUFFICIENT_SCOPE' },
];

const accepted: readonly { why: string; claims: Record<string, unknown> }[] = [
  { why: '"exp" equal to now, within the tolerance', claims: claims({ exp: NOW_SECONDS }) },
  { why: '"exp" a second inside the tolerance', claims: claims({ exp: NOW_SECONDS - T + 1 }) },
  { why: '"nbf" at the edge of the tolerance', claims: claims({ nbf: NOW_SECONDS + T }) },
  { why: '"iat" at the edge of the tolerance', claims: claims({ iat: NOW_SECONDS + T }) },
  { why: '"aud" an array holding the right value', claims: claims({ aud: ['payments', 'mfs'] }) },
  { why: '"scope" as an OAuth space-delimited string', claims: claims({ scope: 'push generateJwt query' }) },
];

describe.each(SHAPES)('caller claims over %s', (shape) => {
  test.each(refused)('refuses $why with $status $code', async ({ claims: tokenClaims, status, code }) => {
    // Prepare
    const token = signedClaims(tokenClaims);

    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization: `Bearer ${token}`, body: { subject: 'svc-1' } }));

    // Assess
    expectRefused(outcome, shape, { status, code }, { callerToken: token });
  });

  test.each(accepted)('accepts $why', async ({ claims: tokenClaims }) => {
    // Prepare
    const token = signedClaims(tokenClaims);

    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization: `Bearer ${token}`, body: { subject: 'svc-1' } }));

    // Assess
    expect(verifiedHs256Claims(expectMinted(outcome, shape))).toMatchObject({ iss: 'caller-1', sub: 'svc-1' });
  });

  test('with no tolerance configured, refuses "exp" equal to now', async () => {
    // Prepare
    const token = signedClaims(claims({ exp: NOW_SECONDS }));

    // Act
    const outcome = await strictClock.invoke(eventFor(shape, { authorization: `Bearer ${token}`, body: { subject: 'svc-1' } }));

    // Assess
    expectRefused(outcome, shape, { status: 401, code: 'TOKEN_EXPIRED' }, { callerToken: token });
  });

  test('with no tolerance configured, accepts "exp" a second from now', async () => {
    // Prepare
    const token = signedClaims(claims({ exp: NOW_SECONDS + 1 }));

    // Act
    const outcome = await strictClock.invoke(eventFor(shape, { authorization: `Bearer ${token}`, body: { subject: 'svc-1' } }));

    // Assess
    verifiedHs256Claims(expectMinted(outcome, shape));
  });
});
