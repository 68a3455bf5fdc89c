import { v2Event } from '../helpers/events';
import { testHandler } from '../helpers/handler';
import { keySetSecret, privateJwk, publicHalf } from '../helpers/keys';
import { TEST_SECRET } from '../helpers/tokens';

// Finding 5 (low) of the adversarial review: with HMAC keys in the set, the discovery document
// listed HS256 among id_token_signing_alg_values_supported while the JWKS (rightly) published no
// HMAC key, and retired keys' algorithms were listed too: a verifier configured from discovery
// was told to accept HS256. Published documents now list only the algorithms of keys in the JWKS
// that sign now or are scheduled to.

const NOW_MS = Date.parse('2026-01-01T00:00:00Z');
const NOW_SECONDS = NOW_MS / 1000;
const ISSUER = 'https://auth.example.com';

async function advertised(secret: string): Promise<unknown> {
  const service = testHandler({ nowMs: NOW_MS, secret, env: { TOKEN_ISSUER: ISSUER } });
  const response = await service.invoke(v2Event({ method: 'GET', path: '/.well-known/openid-configuration' }));
  expect(response.status).toBe(200);
  return JSON.parse(response.raw).id_token_signing_alg_values_supported;
}

test('an HMAC key signing now is never advertised, and a pending asymmetric key is', async () => {
  // Prepare
  const hmac = await privateJwk('HS256', { kid: 'hmac' });
  const pending = await privateJwk('ES256', { kid: 'next', nbf: NOW_SECONDS + 600 });

  // Act
  const algorithms = await advertised(keySetSecret(pending, hmac));

  // Assess
  expect(algorithms).toEqual(['ES256']);
});

test('a retired key\'s algorithm is not advertised, though its key stays in the JWKS to verify old tokens', async () => {
  // Prepare
  const signer = await privateJwk('ES256', { kid: 'signer' });
  const retired = await privateJwk('RS256', { kid: 'retired', retired_at: NOW_SECONDS - 60 });
  const publicOnly = publicHalf(await privateJwk('PS256', { kid: 'old', retired_at: NOW_SECONDS - 120 }));

  // Act
  const algorithms = await advertised(keySetSecret(signer, retired, publicOnly));

  // Assess
  expect(algorithms).toEqual(['ES256']);
});

test('a plain-string secret, whose one key is HMAC, advertises no algorithm', async () => {
  // Act
  const algorithms = await advertised(TEST_SECRET);

  // Assess
  expect(algorithms).toEqual([]);
});
