import { testHandler } from '../helpers/handler';
import { eventFor, SHAPES } from '../helpers/events';
import { expectMinted, expectRefused, UUID_V4_PATTERN } from '../helpers/outcomes';
import { decodeJwt, hmacSignatureValid } from '../helpers/tokens';
import {
  BEFORE_SEED_EXPIRY_MS,
  SEED_CALLER_SUB,
  SEED_CALLER_TOKEN,
  SEED_MINTED_TOKEN,
  SEED_SCOPES,
  SEED_SECRET,
} from '../helpers/seed';

const NOW_SECONDS = Math.floor(BEFORE_SEED_EXPIRY_MS / 1000);
const SEED_AUTHORIZATION = `Bearer ${SEED_CALLER_TOKEN}`;
/** Thirty minutes after the frozen clock: inside the allowed lifetime. */
const REQUESTED_EXPIRY = NOW_SECONDS + 1800;

/** The seed's request body, with an expiry the service allows instead of the seed's `1`. */
function seedBody(expiresAt: unknown = REQUESTED_EXPIRY) {
  return { jwtId: 'jwtId_z9l97', issuer: 'root', subject: 'test1', audience: 'mfs', expiresAt };
}

describe('seed vectors, clock frozen before the seed caller token expires', () => {
  test.each(SHAPES)('accepts the seed caller token and mints a token that follows the rules (%s)', async (shape) => {
    // Prepare
    const service = testHandler({ nowMs: BEFORE_SEED_EXPIRY_MS, secret: SEED_SECRET });
    const event = eventFor(shape, { authorization: SEED_AUTHORIZATION, body: seedBody() });

    // Act
    const outcome = await service.invoke(event);

    // Assess
    const minted = expectMinted(outcome, shape);
    expect(minted.split('.')[0]).toBe(Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url'));
    const { header, payload } = decodeJwt(minted);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({
      jti: expect.stringMatching(UUID_V4_PATTERN),
      iss: SEED_CALLER_SUB,
      sub: 'test1',
      aud: 'mfs',
      iat: NOW_SECONDS,
      exp: REQUESTED_EXPIRY,
      // The one deliberate change: the right to mint is not passed on unless asked for by name,
      // and the token records who minted it (docs/contract.md, How it differs from the original).
      scope: SEED_SCOPES.filter((scope) => scope !== 'generateJwt'),
      act: { sub: SEED_CALLER_SUB },
    });
    expect(payload.jti).not.toBe('jwtId_z9l97');
    expect(hmacSignatureValid(minted, SEED_SECRET)).toBe(true);
    expect(minted).not.toBe(SEED_MINTED_TOKEN);
  });

  test.each(SHAPES)('accepts the seed body\'s {"seconds","nanos"} expiry form (%s)', async (shape) => {
    // Prepare
    const service = testHandler({ nowMs: BEFORE_SEED_EXPIRY_MS, secret: SEED_SECRET });
    const event = eventFor(shape, { authorization: SEED_AUTHORIZATION, body: seedBody({ seconds: REQUESTED_EXPIRY, nanos: 1 }) });

    // Act
    const outcome = await service.invoke(event);

    // Assess
    const minted = expectMinted(outcome, shape);
    expect(decodeJwt(minted).payload.exp).toBe(REQUESTED_EXPIRY);
    expect(hmacSignatureValid(minted, SEED_SECRET)).toBe(true);
  });

  test.each(SHAPES)('refuses the seed\'s own "expiresAt": 1 with 400, where the original minted an expired token (%s)', async (shape) => {
    // Prepare
    const service = testHandler({ nowMs: BEFORE_SEED_EXPIRY_MS, secret: SEED_SECRET });
    const event = eventFor(shape, { authorization: SEED_AUTHORIZATION, body: seedBody(1) });

    // Act
    const outcome = await service.invoke(event);

    // Assess
    expectRefused(outcome, shape, { status: 400, code: 'INVALID_REQUEST' }, { callerToken: SEED_CALLER_TOKEN, secrets: [SEED_SECRET] });
    expect(outcome.envelope.message).toContain('expiresAt');
  });

  test('gives every mint a fresh jti', async () => {
    // Prepare
    const service = testHandler({ nowMs: BEFORE_SEED_EXPIRY_MS, secret: SEED_SECRET });

    // Act
    const first = await service.invoke(eventFor('v2', { authorization: SEED_AUTHORIZATION, body: seedBody() }));
    const second = await service.invoke(eventFor('v2', { authorization: SEED_AUTHORIZATION, body: seedBody() }));

    // Assess
    const firstJti = decodeJwt(expectMinted(first, 'v2')).payload.jti;
    const secondJti = decodeJwt(expectMinted(second, 'v2')).payload.jti;
    expect(firstJti).toEqual(expect.stringMatching(UUID_V4_PATTERN));
    expect(secondJti).not.toBe(firstJti);
  });
});

describe('seed vectors, real clock', () => {
  test.each(SHAPES)('refuses the seed caller token with 401 TOKEN_EXPIRED (%s)', async (shape) => {
    // Prepare
    const nowMs = Date.now();
    const service = testHandler({ nowMs, secret: SEED_SECRET });
    const body = seedBody(Math.floor(nowMs / 1000) + 1800);
    const event = eventFor(shape, { authorization: SEED_AUTHORIZATION, body });

    // Act
    const outcome = await service.invoke(event);

    // Assess
    expectRefused(outcome, shape, { status: 401, code: 'TOKEN_EXPIRED' }, { callerToken: SEED_CALLER_TOKEN, secrets: [SEED_SECRET] });
    if (shape !== 'direct') {
      expect(outcome.headers['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
    }
  });
});
