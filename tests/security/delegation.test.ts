import { NOW_MS, NOW_SECONDS } from '../helpers/defaults';
import { eventFor, SHAPES } from '../helpers/events';
import { testHandler } from '../helpers/handler';
import { expectMinted, expectRefused } from '../helpers/outcomes';
import { callerToken, decodeJwt } from '../helpers/tokens';

// Finding 1 (high) of the adversarial review: a minted token was a caller token, so a minting
// right never ended. Observed: a caller valid for 60 s minted token A for "end-user-alice"; A then
// minted B for "admin", valid 86,000 s, with iss "end-user-alice". The rules now: the minting right
// is never passed on implicitly; passed on by name it never outlives the caller; every token
// records who minted it (RFC 8693 §4.1 `act`); a chain deeper than MAX_DELEGATION_DEPTH is refused.

const service = testHandler({ nowMs: NOW_MS });
const shortLivedCaller = () => callerToken({ nowSeconds: NOW_SECONDS, claims: { sub: 'caller-1', exp: NOW_SECONDS + 60, scope: ['generateJwt'] } });

async function mint(token: string, body: unknown, shape: (typeof SHAPES)[number] = 'v2', handler = service) {
  return handler.invoke(eventFor(shape, { authorization: `Bearer ${token}`, body }));
}

describe.each(SHAPES)('the delegation chain over %s', (shape) => {
  test('a token minted with the default body cannot mint: the minting right is not passed on', async () => {
    // Prepare
    const tokenA = expectMinted(await mint(await shortLivedCaller(), { subject: 'end-user-alice' }, shape), shape);

    // Act
    const hop = await mint(tokenA, { subject: 'admin' }, shape);

    // Assess
    expect(decodeJwt(tokenA).payload.scope).toEqual([]);
    expectRefused(hop, shape, { status: 403, code: 'INSUFFICIENT_SCOPE' }, { callerToken: tokenA });
  });

  test('the minting right passes on only by name, and the delegated token then never outlives its caller', async () => {
    // Act
    const delegated = expectMinted(await mint(await shortLivedCaller(), { subject: 'svc-1', authorities: ['generateJwt'] }, shape), shape);

    // Assess
    expect(decodeJwt(delegated).payload).toMatchObject({ scope: ['generateJwt'], exp: NOW_SECONDS + 60 });
  });

  test('an explicit expiry beyond the caller\'s is refused when delegating, with 403 DELEGATION_EXCEEDS_CALLER', async () => {
    // Act
    const outcome = await mint(await shortLivedCaller(), { subject: 'svc-1', authorities: ['generateJwt'], expiresAt: NOW_SECONDS + 61 }, shape);

    // Assess
    expectRefused(outcome, shape, { status: 403, code: 'DELEGATION_EXCEEDS_CALLER' });
  });

  test('a token records who minted it in act, the minter\'s own act nested inside', async () => {
    // Prepare
    const delegated = expectMinted(await mint(await shortLivedCaller(), { subject: 'svc-1', authorities: ['generateJwt'] }, shape), shape);

    // Act
    const grandchild = expectMinted(await mint(delegated, { subject: 'end-user-bob' }, shape), shape);

    // Assess
    expect(decodeJwt(delegated).payload.act).toEqual({ sub: 'caller-1' });
    expect(decodeJwt(grandchild).payload).toMatchObject({ sub: 'end-user-bob', iss: 'svc-1', act: { sub: 'svc-1', act: { sub: 'caller-1' } } });
  });
});

test('a chain deeper than MAX_DELEGATION_DEPTH is refused with 403 DELEGATION_TOO_DEEP', async () => {
  // Prepare: each hop passes the right on by name, so only the bound stops the chain.
  const bounded = testHandler({ nowMs: NOW_MS, env: { MAX_DELEGATION_DEPTH: '2' } });
  const delegate = { subject: 'next', authorities: ['generateJwt'] };
  const hop1 = expectMinted(await mint(await shortLivedCaller(), delegate, 'v2', bounded), 'v2');
  const hop2 = expectMinted(await mint(hop1, delegate, 'v2', bounded), 'v2');

  // Act
  const hop3 = await mint(hop2, delegate, 'v2', bounded);

  // Assess
  expect(decodeJwt(hop2).payload.act).toEqual({ sub: 'next', act: { sub: 'caller-1' } });
  expectRefused(hop3, 'v2', { status: 403, code: 'DELEGATION_TOO_DEEP' }, { callerToken: hop2 });
});

test('a caller token whose act is not a chain of subjects is refused with 401', async () => {
  // Act
  const outcome = await mint(await callerToken({ nowSeconds: NOW_SECONDS, claims: { act: { sub: 42 } } }), { subject: 's' });

  // Assess
  expectRefused(outcome, 'v2', { status: 401, code: 'INVALID_TOKEN' });
});
