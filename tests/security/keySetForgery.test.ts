import { createPublicKey } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, importJWK, type JWK } from 'jose';
import type { MintErrorCode } from '../../lib/errors';
import { testHandler } from '../helpers/handler';
import { callerTokenSignedWith, keySetSecret, privateJwk, privateValues, publicHalf } from '../helpers/keys';
import { eventFor, SHAPES } from '../helpers/events';
import { expectRefused } from '../helpers/outcomes';
import { b64url, callerClaims, craftToken } from '../helpers/tokens';
import { NOW_MS, NOW_SECONDS } from '../helpers/defaults';

// Forged caller tokens against a JWK Set secret, where algorithm confusion has something to
// confuse: an RSA key whose public half is published, an EC key, a named HMAC key and an unnamed
// one. Whatever the header says, a key verifies only with its own algorithm, and a token without
// a kid is tried against the unnamed HMAC key alone.

let rsa: JWK;
let ec: JWK;
let hmac: JWK;
let unnamed: JWK;
let service: ReturnType<typeof testHandler>;
const tokens: Record<string, string> = {};
const claims = JSON.stringify(callerClaims(NOW_SECONDS));

beforeAll(async () => {
  rsa = await privateJwk('RS256', { kid: 'rsa' });
  ec = await privateJwk('ES256', { kid: 'ec' });
  hmac = await privateJwk('HS256', { kid: 'hmac' });
  unnamed = { ...(await privateJwk('HS256')), kid: undefined };
  service = testHandler({ nowMs: NOW_MS, secret: keySetSecret(rsa, ec, hmac, unnamed) });

  const publicPem = createPublicKey({ key: publicHalf(rsa) as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const attacker = await generateKeyPair('RS256', { extractable: true });

  // HMAC keyed with what anyone can download: the RSA key's modulus, PEM, or whole public JWK.
  tokens.hs256WithModulus = craftToken('{"alg":"HS256","typ":"JWT","kid":"rsa"}', claims, { secret: String(rsa.n) });
  tokens.hs256WithPem = craftToken('{"alg":"HS256","typ":"JWT","kid":"rsa"}', claims, { secret: publicPem });
  tokens.hs256WithPublicJwk = craftToken('{"alg":"HS256","typ":"JWT","kid":"rsa"}', claims, { secret: JSON.stringify(publicHalf(rsa)) });
  tokens.hs256WithEcX = craftToken('{"alg":"HS256","typ":"JWT","kid":"ec"}', claims, { secret: String(ec.x) });
  // The right key, but another algorithm than the one the set gives it.
  tokens.ps256WithRsaKey = await new SignJWT(callerClaims(NOW_SECONDS))
    .setProtectedHeader({ alg: 'PS256', typ: 'JWT', kid: 'rsa' })
    .sign(await importJWK({ ...rsa, alg: 'PS256' }, 'PS256'));
  tokens.hs512WithHmacKey = await new SignJWT(callerClaims(NOW_SECONDS))
    .setProtectedHeader({ alg: 'HS512', typ: 'JWT', kid: 'hmac' })
    .sign(Buffer.from(String(hmac.k), 'base64url'));
  // Keys named for one another.
  tokens.ecTokenNamingRsa = await callerTokenSignedWith(ec, { nowSeconds: NOW_SECONDS, header: { kid: 'rsa' } });
  tokens.hmacTokenNamingEc = await callerTokenSignedWith(hmac, { nowSeconds: NOW_SECONDS, header: { kid: 'ec' } });
  // An asymmetric key is always named: without a kid only the unnamed HMAC key is tried.
  tokens.rsaTokenWithoutKid = await callerTokenSignedWith({ ...rsa, kid: undefined }, { nowSeconds: NOW_SECONDS });
  tokens.namedHmacTokenWithoutKid = await callerTokenSignedWith({ ...hmac, kid: undefined }, { nowSeconds: NOW_SECONDS });
  // Unsigned, or signed by the attacker with a key it brings along.
  tokens.noneNamingRsa = craftToken('{"alg":"none","kid":"rsa"}', claims, { signature: '' });
  tokens.attackerRsaNamingRsa = await new SignJWT(callerClaims(NOW_SECONDS)).setProtectedHeader({ alg: 'RS256', kid: 'rsa' }).sign(attacker.privateKey);
  tokens.attackerEmbeddedJwk = await new SignJWT(callerClaims(NOW_SECONDS))
    .setProtectedHeader({ alg: 'RS256', kid: 'rsa', jwk: await exportJWK(attacker.publicKey) })
    .sign(attacker.privateKey);

  // Controls: each key of the set, used as the set says, verifies.
  tokens.rsa = await callerTokenSignedWith(rsa, { nowSeconds: NOW_SECONDS });
  tokens.ec = await callerTokenSignedWith(ec, { nowSeconds: NOW_SECONDS });
  tokens.hmac = await callerTokenSignedWith(hmac, { nowSeconds: NOW_SECONDS });
  tokens.unnamed = await callerTokenSignedWith(unnamed, { nowSeconds: NOW_SECONDS });

  const [rsaHeader, rsaSignature] = tokens.rsa.split('.');
  tokens.tamperedRsaPayload = `${rsaHeader}.${b64url(JSON.stringify({ ...callerClaims(NOW_SECONDS), sub: 'admin' }))}.${rsaSignature}`;
});

const refused: ReadonlyArray<{ readonly token: string; readonly why: string; readonly code: MintErrorCode }> = [
  { token: 'hs256WithModulus', why: "HS256 keyed with the RSA key's public modulus, naming it", code: 'INVALID_TOKEN' },
  { token: 'hs256WithPem', why: "HS256 keyed with the RSA key's public PEM, naming it", code: 'INVALID_TOKEN' },
  { token: 'hs256WithPublicJwk', why: "HS256 keyed with the RSA key's public JWK, naming it", code: 'INVALID_TOKEN' },
  { token: 'hs256WithEcX', why: "HS256 keyed with the EC key's public x, naming it", code: 'INVALID_TOKEN' },
  { token: 'ps256WithRsaKey', why: 'PS256 with the RSA key the set gives RS256', code: 'INVALID_TOKEN' },
  { token: 'hs512WithHmacKey', why: 'HS512 with the HMAC key the set gives HS256', code: 'INVALID_TOKEN' },
  { token: 'ecTokenNamingRsa', why: 'an EC-signed token naming the RSA key', code: 'INVALID_TOKEN' },
  { token: 'hmacTokenNamingEc', why: 'an HMAC-signed token naming the EC key', code: 'INVALID_TOKEN' },
  { token: 'rsaTokenWithoutKid', why: 'an RSA-signed token with no kid', code: 'INVALID_TOKEN' },
  { token: 'namedHmacTokenWithoutKid', why: "a token signed with the named HMAC key but no kid", code: 'INVALID_TOKEN' },
  { token: 'noneNamingRsa', why: 'alg none naming the RSA key', code: 'INVALID_TOKEN' },
  { token: 'attackerRsaNamingRsa', why: "the attacker's RSA key naming ours", code: 'INVALID_TOKEN' },
  { token: 'attackerEmbeddedJwk', why: "the attacker's RSA key, embedded as jwk, naming ours", code: 'INVALID_TOKEN' },
  { token: 'tamperedRsaPayload', why: 'an RSA-signed token with its payload changed', code: 'INVALID_TOKEN' },
];

describe.each(SHAPES)('against a JWK Set secret over %s', (shape) => {
  test.each(refused)('refuses $why with 401 $code', async ({ token: name, code }) => {
    // Prepare
    const token = tokens[name] ?? '';

    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization: `Bearer ${token}`, body: { subject: 'svc-1' } }));

    // Assess
    expectRefused(outcome, shape, { status: 401, code }, { callerToken: token, secrets: privateValues(rsa, ec, hmac, unnamed) });
  });

  test.each(['rsa', 'ec', 'hmac', 'unnamed'])('mints for a token signed with the %s key as the set gives it (the control)', async (name) => {
    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization: `Bearer ${tokens[name]}`, body: { subject: 'svc-1' } }));

    // Assess
    expect({ status: outcome.status, error: outcome.envelope.error }).toEqual({ status: 200, error: undefined });
  });
});
