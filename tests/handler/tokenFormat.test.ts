import { testHandler } from '../helpers/handler';
import { eventFor, SHAPES } from '../helpers/events';
import { callerTokenSignedWith, keySetSecret, privateJwk } from '../helpers/keys';
import { expectMinted, expectRefused, UUID_V4_PATTERN } from '../helpers/outcomes';
import { callerToken, decodeJwt, hmacSignatureValid, TEST_SECRET } from '../helpers/tokens';

// TOKEN_FORMAT=rfc9068: POST /user/generateJwt writes RFC 9068 access tokens, in the same envelope.

const NOW_SECONDS = 1_900_000_000;
const NOW_MS = NOW_SECONDS * 1000;
const RFC9068 = { TOKEN_FORMAT: 'rfc9068', TOKEN_ISSUER: 'https://auth.example.com' };

describe.each(SHAPES)('TOKEN_FORMAT=rfc9068 over %s events', (shape) => {
  test('mints an at+jwt token with client_id the caller, the scope a string, in the original envelope', async () => {
    // Prepare
    const service = testHandler({ nowMs: NOW_MS, env: RFC9068 });
    const authorization = `Bearer ${await callerToken({ nowSeconds: NOW_SECONDS })}`;

    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization, body: { subject: 'svc-1', authorities: ['push', 'query'] } }));

    // Assess
    const token = expectMinted(outcome, shape);
    expect(hmacSignatureValid(token, TEST_SECRET)).toBe(true);
    expect(decodeJwt(token)).toEqual({
      header: { alg: 'HS256', typ: 'at+jwt' },
      payload: {
        iss: 'https://auth.example.com',
        exp: NOW_SECONDS + 43_200,
        aud: 'mfs',
        sub: 'svc-1',
        client_id: 'caller-1',
        iat: NOW_SECONDS,
        jti: expect.stringMatching(UUID_V4_PATTERN),
        scope: 'push query',
        act: { sub: 'caller-1' },
      },
    });
  });

  test('refuses authorities that OAuth\'s scope string cannot hold with 400 INVALID_SCOPE', async () => {
    // Prepare
    const service = testHandler({ nowMs: NOW_MS, env: RFC9068 });
    const token = await callerToken({ nowSeconds: NOW_SECONDS, claims: { scope: ['generateJwt', 'read write'] } });

    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization: `Bearer ${token}`, body: { subject: 'svc-1', authorities: ['read write'] } }));

    // Assess
    expectRefused(outcome, shape, { status: 400, code: 'INVALID_SCOPE' }, { callerToken: token });
  });
});

test('an RFC 9068 token it minted with the right to mint is a caller token in turn', async () => {
  // Prepare
  const service = testHandler({ nowMs: NOW_MS, env: RFC9068 });
  const first = expectMinted(
    await service.invoke(eventFor('v2', { authorization: `Bearer ${await callerToken({ nowSeconds: NOW_SECONDS })}`, body: { subject: 'svc-1', authorities: ['generateJwt', 'push'] } })),
    'v2',
  );

  // Act
  const second = await service.invoke(eventFor('v2', { authorization: `Bearer ${first}`, body: { subject: 'svc-2' } }));

  // Assess
  expect(decodeJwt(expectMinted(second, 'v2')).payload).toMatchObject({ sub: 'svc-2', client_id: 'svc-1', scope: 'push', act: { sub: 'svc-1', act: { sub: 'caller-1' } } });
});

test('names the signing key of a key set in the header', async () => {
  // Prepare
  const signer = await privateJwk('RS256', { kid: 'rsa-1' });
  const service = testHandler({ nowMs: NOW_MS, secret: keySetSecret(signer), env: RFC9068 });
  const authorization = `Bearer ${await callerTokenSignedWith(signer, { nowSeconds: NOW_SECONDS })}`;

  // Act
  const outcome = await service.invoke(eventFor('v2', { authorization, body: { subject: 'svc-1' } }));

  // Assess
  expect(decodeJwt(expectMinted(outcome, 'v2')).header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: 'rsa-1' });
});
