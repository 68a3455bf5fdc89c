import { MintError } from '../../lib/errors';
import type { FetchedSecret } from '../../lib/keys/keyCache';
import { testHandler } from '../helpers/handler';
import { eventFor, SHAPES } from '../helpers/events';
import { expectMinted, expectRefused } from '../helpers/outcomes';
import { callerToken, decodeJwt, hmacSignatureValid, TEST_SECRET } from '../helpers/tokens';

const NOW_SECONDS = 1_900_000_000;
const NOW_MS = NOW_SECONDS * 1000;
/** 31 bytes: one short of an HS256 key. */
const SHORT_SECRET = 'short-secret-only-31-bytes-long';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/jwt-mint-signing-AbCdEf';

let token: string;
let authorization: string;

beforeAll(async () => {
  // Valid for two hours, so it outlives every cache window these tests step through.
  token = await callerToken({ nowSeconds: NOW_SECONDS, claims: { exp: NOW_SECONDS + 7200 } });
  authorization = `Bearer ${token}`;
});

/** A fetchSecret whose next answers the test scripts; it counts its calls. */
function scriptedSecret(initial: () => Promise<FetchedSecret>) {
  let answer = initial;
  const fetchSecret = jest.fn(() => answer());
  return {
    fetchSecret,
    answerWith(next: () => Promise<FetchedSecret>) {
      answer = next;
    },
  };
}

const good = (secretString = TEST_SECRET) => async (): Promise<FetchedSecret> => ({ secretString, versionId: 'v1' });
const unavailable = async (): Promise<FetchedSecret> => {
  throw new MintError('SECRET_UNAVAILABLE', `Fetching secret "${SECRET_ARN}" failed: AccessDeniedException`);
};

describe.each(SHAPES)('signing secret over %s events', (shape) => {
  test('fails closed with 500 when the secret is shorter than 32 bytes', async () => {
    // Prepare
    const service = testHandler({ nowMs: NOW_MS, secret: SHORT_SECRET });
    const shortSecretCaller = await callerToken({ nowSeconds: NOW_SECONDS, secret: SHORT_SECRET });

    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization: `Bearer ${shortSecretCaller}`, body: { subject: 'test1' } }));

    // Assess
    expectRefused(outcome, shape, { status: 500, code: 'SIGNING_KEY_UNUSABLE' }, { callerToken: shortSecretCaller, secrets: [SHORT_SECRET] });
  });

  test('fails closed with 500 when the secret is empty', async () => {
    // Prepare
    const service = testHandler({ nowMs: NOW_MS, fetchSecret: good('') });

    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization, body: { subject: 'test1' } }));

    // Assess
    expectRefused(outcome, shape, { status: 500, code: 'SIGNING_KEY_UNUSABLE' }, { callerToken: token });
  });

  test('answers 503 when Secrets Manager fails, without revealing the detail', async () => {
    // Prepare
    const service = testHandler({ nowMs: NOW_MS, fetchSecret: unavailable });

    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization, body: { subject: 'test1' } }));

    // Assess
    expectRefused(outcome, shape, { status: 503, code: 'SECRET_UNAVAILABLE' }, { callerToken: token });
    expect(outcome.raw).not.toContain(SECRET_ARN);
    expect(outcome.raw).not.toContain('AccessDeniedException');
  });

  test('answers 503 when fetching the secret throws something other than a MintError', async () => {
    // Prepare
    const service = testHandler({
      nowMs: NOW_MS,
      fetchSecret: async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.1:443');
      },
    });

    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization, body: { subject: 'test1' } }));

    // Assess
    expectRefused(outcome, shape, { status: 503, code: 'SECRET_UNAVAILABLE' }, { callerToken: token });
    expect(outcome.raw).not.toContain('ECONNREFUSED');
  });
});

describe('signing secret over time', () => {
  test('fetches the secret once for requests inside the cache window', async () => {
    // Prepare
    const secret = scriptedSecret(good());
    const service = testHandler({ nowMs: NOW_MS, fetchSecret: secret.fetchSecret });

    // Act
    const first = await service.invoke(eventFor('v2', { authorization, body: { subject: 'a' } }));
    service.setNow(NOW_MS + 299_000);
    const second = await service.invoke(eventFor('v1', { authorization, body: { subject: 'b' } }));

    // Assess
    expectMinted(first, 'v2');
    expectMinted(second, 'v1');
    expect(secret.fetchSecret).toHaveBeenCalledTimes(1);
  });

  test('keeps minting with the last good key while Secrets Manager fails inside the stale window', async () => {
    // Prepare
    const secret = scriptedSecret(good());
    const service = testHandler({ nowMs: NOW_MS, fetchSecret: secret.fetchSecret });
    expectMinted(await service.invoke(eventFor('v2', { authorization, body: { subject: 'warm' } })), 'v2');
    secret.answerWith(unavailable);
    service.setNow(NOW_MS + 1_100_000);

    // Act
    const outcome = await service.invoke(eventFor('v2', { authorization, body: { subject: 'stale' } }));

    // Assess
    const minted = expectMinted(outcome, 'v2');
    expect(hmacSignatureValid(minted, TEST_SECRET)).toBe(true);
    expect(secret.fetchSecret).toHaveBeenCalledTimes(2);
  });

  test('answers 503 once the last good key is older than SECRET_CACHE_SECONDS + SECRET_STALE_SECONDS', async () => {
    // Prepare
    const secret = scriptedSecret(good());
    const service = testHandler({ nowMs: NOW_MS, fetchSecret: secret.fetchSecret });
    expectMinted(await service.invoke(eventFor('v2', { authorization, body: { subject: 'warm' } })), 'v2');
    secret.answerWith(unavailable);
    service.setNow(NOW_MS + 1_200_000);

    // Act
    const outcome = await service.invoke(eventFor('v2', { authorization, body: { subject: 'too-stale' } }));

    // Assess
    expectRefused(outcome, 'v2', { status: 503, code: 'SECRET_UNAVAILABLE' }, { callerToken: token });
  });

  test('honours SECRET_CACHE_SECONDS and SECRET_STALE_SECONDS', async () => {
    // Prepare
    const secret = scriptedSecret(good());
    const env = { SECRET_CACHE_SECONDS: '10', SECRET_STALE_SECONDS: '20' };
    const service = testHandler({ nowMs: NOW_MS, fetchSecret: secret.fetchSecret, env });
    expectMinted(await service.invoke(eventFor('v2', { authorization, body: { subject: 'warm' } })), 'v2');
    secret.answerWith(unavailable);

    // Act
    service.setNow(NOW_MS + 29_000);
    const stale = await service.invoke(eventFor('v2', { authorization, body: { subject: 'stale' } }));
    service.setNow(NOW_MS + 30_000);
    const expired = await service.invoke(eventFor('v2', { authorization, body: { subject: 'expired' } }));

    // Assess
    expectMinted(stale, 'v2');
    expectRefused(expired, 'v2', { status: 503, code: 'SECRET_UNAVAILABLE' }, { callerToken: token });
  });

  test('fails closed with 500 when the secret is replaced by an unusable one, even with a good key cached', async () => {
    // Prepare
    const secret = scriptedSecret(good());
    const service = testHandler({ nowMs: NOW_MS, fetchSecret: secret.fetchSecret });
    expectMinted(await service.invoke(eventFor('v2', { authorization, body: { subject: 'warm' } })), 'v2');
    secret.answerWith(good(SHORT_SECRET));
    service.setNow(NOW_MS + 301_000);

    // Act
    const outcome = await service.invoke(eventFor('v2', { authorization, body: { subject: 'after-rotation' } }));

    // Assess
    expectRefused(outcome, 'v2', { status: 500, code: 'SIGNING_KEY_UNUSABLE' }, { callerToken: token, secrets: [SHORT_SECRET] });
  });

  test('mints again at the first request after the back-off once Secrets Manager recovers', async () => {
    // Prepare
    const secret = scriptedSecret(unavailable);
    const service = testHandler({ nowMs: NOW_MS, fetchSecret: secret.fetchSecret });
    const failed = await service.invoke(eventFor('v2', { authorization, body: { subject: 'down' } }));
    secret.answerWith(good());
    const stillBackingOff = await service.invoke(eventFor('v2', { authorization, body: { subject: 'waiting' } }));

    // Act
    service.setNow(NOW_MS + 1000);
    const outcome = await service.invoke(eventFor('v2', { authorization, body: { subject: 'up' } }));

    // Assess
    expectRefused(failed, 'v2', { status: 503, code: 'SECRET_UNAVAILABLE' }, { callerToken: token });
    expectRefused(stillBackingOff, 'v2', { status: 503, code: 'SECRET_UNAVAILABLE' }, { callerToken: token });
    expect(stillBackingOff.headers['Retry-After']).toBe('1');
    expect(decodeJwt(expectMinted(outcome, 'v2')).payload.sub).toBe('up');
  });

  test('signs with the new secret after a rotation, and refuses callers signed with the old one', async () => {
    // Prepare
    const rotated = 'rotated-signing-secret-0123456789-abcdefghij';
    const secret = scriptedSecret(good());
    const service = testHandler({ nowMs: NOW_MS, fetchSecret: secret.fetchSecret });
    expectMinted(await service.invoke(eventFor('v2', { authorization, body: { subject: 'warm' } })), 'v2');
    secret.answerWith(good(rotated));
    service.setNow(NOW_MS + 301_000);
    const rotatedCaller = await callerToken({ nowSeconds: NOW_SECONDS + 301, secret: rotated });

    // Act
    const oldCaller = await service.invoke(eventFor('v2', { authorization, body: { subject: 'old' } }));
    const newCaller = await service.invoke(eventFor('v2', { authorization: `Bearer ${rotatedCaller}`, body: { subject: 'new' } }));

    // Assess
    expectRefused(oldCaller, 'v2', { status: 401, code: 'INVALID_TOKEN' }, { callerToken: token, secrets: [rotated] });
    expect(hmacSignatureValid(expectMinted(newCaller, 'v2'), rotated)).toBe(true);
  });
});
