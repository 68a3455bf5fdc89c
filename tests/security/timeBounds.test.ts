import { MAX_TTL_SECONDS, NOW_MS, NOW_SECONDS } from '../helpers/defaults';
import { eventFor, SHAPES } from '../helpers/events';
import { testHandler } from '../helpers/handler';
import { expectMinted, expectRefused } from '../helpers/outcomes';
import { callerClaims, callerToken, craftToken, decodeJwt } from '../helpers/tokens';

// Finding 7 (informational) of the adversarial review: a caller exp of 1e309 parses to Infinity and
// read as "never expires"; a request notBefore had no lower bound (-1e300 became nbf). Caller
// exp, nbf and iat must be finite integers (401 otherwise), and a request's expiresAt and
// notBefore finite instants within MAX_TTL_SECONDS of now (400 otherwise).

const service = testHandler({ nowMs: NOW_MS });

/** A caller token whose payload is this text exactly: numbers JavaScript cannot write, such as 1e309. */
function callerWithPayload(replace: (payload: string) => string): string {
  return craftToken('{"alg":"HS256","typ":"JWT"}', replace(JSON.stringify(callerClaims(NOW_SECONDS))));
}

describe.each(SHAPES)('caller time claims over %s', (shape) => {
  test.each([
    { why: 'an exp of 1e309 (Infinity: never expires)', token: () => callerWithPayload((p) => p.replace(/"exp":\d+/, '"exp":1e309')) },
    { why: 'an exp that is a fraction, in the future', token: () => callerWithPayload((p) => p.replace(/"exp":(\d+)/, '"exp":$1.5')) },
    { why: 'an exp of 2^53 + 2, past the safe integers', token: () => callerWithPayload((p) => p.replace(/"exp":\d+/, '"exp":9007199254740994')) },
    { why: 'an nbf of -1e309', token: () => callerWithPayload((p) => p.replace('{', '{"nbf":-1e309,')) },
    { why: 'an nbf that is a fraction, in the past', token: () => callerWithPayload((p) => p.replace('{', `{"nbf":${NOW_SECONDS - 10}.25,`)) },
    { why: 'an iat of -1e309', token: () => callerWithPayload((p) => p.replace('{', '{"iat":-1e309,')) },
    { why: 'an iat that is a fraction, in the past', token: () => callerWithPayload((p) => p.replace('{', `{"iat":${NOW_SECONDS - 10}.5,`)) },
  ])('refuses a caller token with $why: 401 INVALID_TOKEN', async ({ token }) => {
    // Act
    const caller = token();
    const outcome = await service.invoke(eventFor(shape, { authorization: `Bearer ${caller}` }));

    // Assess
    expectRefused(outcome, shape, { status: 401, code: 'INVALID_TOKEN' }, { callerToken: caller });
  });
});

describe.each(SHAPES)('request instants over %s', (shape) => {
  let authorization: string;
  beforeAll(async () => {
    authorization = `Bearer ${await callerToken({ nowSeconds: NOW_SECONDS })}`;
  });

  test.each([
    { why: 'a notBefore of -1e300', rawBody: '{"subject":"svc-1","notBefore":-1e300}' },
    { why: 'a notBefore of 0', rawBody: '{"subject":"svc-1","notBefore":0}' },
    { why: 'a notBefore more than MAX_TTL_SECONDS ago', rawBody: `{"subject":"svc-1","notBefore":${NOW_SECONDS - MAX_TTL_SECONDS - 1}}` },
    { why: 'a notBefore as an instant object a year ago', rawBody: `{"subject":"svc-1","notBefore":{"seconds":${NOW_SECONDS - 365 * 86_400}}}` },
  ])('refuses $why with 400 INVALID_REQUEST naming notBefore', async ({ rawBody }) => {
    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization, rawBody }));

    // Assess
    expectRefused(outcome, shape, { status: 400, code: 'INVALID_REQUEST' });
    expect(outcome.envelope.message).toContain('notBefore');
  });

  test('accepts a notBefore exactly MAX_TTL_SECONDS ago, and mints it as nbf', async () => {
    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization, body: { subject: 'svc-1', notBefore: NOW_SECONDS - MAX_TTL_SECONDS } }));

    // Assess
    expect(decodeJwt(expectMinted(outcome, shape)).payload.nbf).toBe(NOW_SECONDS - MAX_TTL_SECONDS);
  });
});
