import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { MintErrorCode } from '../../lib/errors';
import { testHandler } from '../helpers/handler';
import { eventFor, SHAPES } from '../helpers/events';
import { expectMinted, expectRefused } from '../helpers/outcomes';
import { ATTACKER_SECRET, b64url, callerClaims, callerToken, craftToken, signedClaims, TEST_SECRET, verifiedHs256Claims } from '../helpers/tokens';
import { NOW_MS, NOW_SECONDS } from '../helpers/defaults';

// Forged and malformed caller tokens, after RFC 8725 (JWT BCP), RFC 7515/7519 and OWASP's JWT
// cheat sheet. Every one must be refused with 401 before any claim in it is believed.

const service = testHandler({ nowMs: NOW_MS });

/** Counts every request, so that a test can prove a URL in a token header was never fetched. */
let keyServer: Server;
let keyServerHits = 0;
let keyServerUrl = '';

/** Tokens built once, in beforeAll, because some need asynchronously generated keys. */
const tokens: Record<string, string> = {};
const claimsJson = (): string => JSON.stringify(callerClaims(NOW_SECONDS));
const HS256 = '{"alg":"HS256","typ":"JWT"}';

/** An HMAC over `header.payload` exactly as spelled, so only the encoding is wrong, never the signature. */
function signedSegments(header: string, payload: string): string {
  return `${header}.${payload}.${createHmac('sha256', TEST_SECRET).update(`${header}.${payload}`).digest('base64url')}`;
}

/** Base64url with the padding RFC 7515 §2 forbids; the segment must be one that needs padding. */
function padded(segment: string): string {
  const padding = '='.repeat((4 - (segment.length % 4)) % 4);
  if (padding === '') throw new Error(`"${segment}" needs no padding: pick one whose byte length is not a multiple of 3`);
  return segment + padding;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same bytes spelled differently: flips an unused low bit of the last character. */
function nonCanonical(segment: string): string {
  const last = ALPHABET.indexOf(segment.slice(-1));
  return segment.slice(0, -1) + ALPHABET[last ^ 1];
}

beforeAll(async () => {
  keyServer = createServer((_req, res) => {
    keyServerHits += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
  const address = keyServer.address();
  keyServerUrl = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';

  const valid = await callerToken({ nowSeconds: NOW_SECONDS });
  const [header = '', payload = '', signature = ''] = valid.split('.');
  tokens.valid = valid;

  // Structure (RFC 7515 §7.1: exactly three base64url segments, no padding).
  tokens.twoSegments = `${header}.${payload}`;
  tokens.fourSegments = `${valid}.${signature}`;
  tokens.fiveSegments = `${valid}.${signature}.${signature}`;
  tokens.emptySignature = `${header}.${payload}.`;
  tokens.emptyHeader = `.${payload}.${signature}`;
  tokens.emptyPayload = `${header}..${signature}`;
  tokens.onlyDots = '..';
  tokens.standardBase64 = signedSegments(
    Buffer.from('{"alg":"HS256","typ":"JWT","x":"\u00fb\u00ff"}').toString('base64'),
    payload,
  );
  tokens.percentEncoded = `${header}.${payload}.${encodeURIComponent(`${signature}+/=`)}`;
  tokens.nonAscii = `${header}.${payload}.${signature}\u00e9`;
  tokens.paddedHeader = signedSegments(padded(b64url('{"alg":"HS256","x":12}')), payload);
  tokens.paddedPayload = signedSegments(header, padded(b64url(JSON.stringify({ ...callerClaims(NOW_SECONDS), x: 1 }))));
  tokens.paddedSignature = `${header}.${payload}.${padded(signature)}`;
  tokens.nonCanonicalSignature = `${header}.${payload}.${nonCanonical(signature)}`;
  tokens.nonCanonicalPayload = signedSegments(header, nonCanonical(payload));
  tokens.headerNotJson = craftToken('{alg:HS256}', claimsJson());
  tokens.headerNotUtf8 = signedSegments(Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url'), payload);
  tokens.headerArray = craftToken('["HS256"]', claimsJson());
  tokens.headerString = craftToken('"HS256"', claimsJson());
  tokens.headerNull = craftToken('null', claimsJson());
  tokens.payloadArray = craftToken(HS256, JSON.stringify([callerClaims(NOW_SECONDS)]));
  tokens.payloadNull = craftToken(HS256, 'null');
  tokens.payloadString = craftToken(HS256, '"caller-1"');
  tokens.payloadNumber = craftToken(HS256, '42');
  tokens.payloadNotJson = craftToken(HS256, "{sub:'caller-1'}");
  // RFC 7519 §4 and RFC 7515 §4 allow a parser to keep the lexically last duplicate; we do, so a
  // smuggled first value never counts.
  tokens.duplicateScopeLastEmpty = craftToken(HS256, claimsJson().replace(/}$/, ',"scope":[]}'));
  tokens.duplicateSubFirstAdmin = craftToken(HS256, `{"sub":"admin",${claimsJson().slice(1)}`);
  tokens.duplicateAlgLastNone = craftToken('{"alg":"HS256","typ":"JWT","alg":"none"}', claimsJson());

  // Algorithms (RFC 8725 §3.1, §2.1): only the key's own algorithm, HS256, is accepted.
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    tokens[`alg-${alg}`] = craftToken(JSON.stringify({ alg, typ: 'JWT' }), claimsJson(), { signature: '' });
    tokens[`alg-${alg}-signed`] = craftToken(JSON.stringify({ alg, typ: 'JWT' }), claimsJson());
  }
  tokens.hs384 = craftToken('{"alg":"HS384","typ":"JWT"}', claimsJson(), { hash: 'sha384' });
  tokens.hs512 = craftToken('{"alg":"HS512","typ":"JWT"}', claimsJson(), { hash: 'sha512' });
  tokens.hs256Lowercase = craftToken('{"alg":"hs256","typ":"JWT"}', claimsJson());
  tokens.rs256OverHmac = craftToken('{"alg":"RS256","typ":"JWT"}', claimsJson());
  tokens.es256OverHmac = craftToken('{"alg":"ES256","typ":"JWT"}', claimsJson());
  tokens.ps256OverHmac = craftToken('{"alg":"PS256","typ":"JWT"}', claimsJson());
  tokens.edDsaOverHmac = craftToken('{"alg":"EdDSA","typ":"JWT"}', claimsJson());
  tokens.algMissing = craftToken('{"typ":"JWT"}', claimsJson());
  tokens.algNumber = craftToken('{"alg":256,"typ":"JWT"}', claimsJson());
  tokens.algArray = craftToken('{"alg":["HS256"],"typ":"JWT"}', claimsJson());
  tokens.algNull = craftToken('{"alg":null,"typ":"JWT"}', claimsJson());
  tokens.algObject = craftToken('{"alg":{"name":"HS256"},"typ":"JWT"}', claimsJson());
  tokens.algEmpty = craftToken('{"alg":"","typ":"JWT"}', claimsJson());

  // Headers (RFC 8725 §3.10): kid, jku, x5u and an embedded jwk select nothing and fetch nothing.
  tokens.kidUnknown = signedClaims(callerClaims(NOW_SECONDS), { header: { kid: 'key-2024' } });
  tokens.kidPathTraversal = signedClaims(callerClaims(NOW_SECONDS), { header: { kid: '../../dev/null' } });
  tokens.kidPathTraversalEmptyKey = craftToken('{"alg":"HS256","kid":"../../dev/null"}', claimsJson(), { secret: '' });
  tokens.kidSql = signedClaims(callerClaims(NOW_SECONDS), { header: { kid: "x' UNION SELECT 'secret' --" } });
  tokens.kidNumber = signedClaims(callerClaims(NOW_SECONDS), { header: { kid: 0 } });
  tokens.kidNull = signedClaims(callerClaims(NOW_SECONDS), { header: { kid: null } });
  tokens.kidEmpty = signedClaims(callerClaims(NOW_SECONDS), { header: { kid: '' } });
  tokens.jkuAttacker = signedClaims(callerClaims(NOW_SECONDS), { header: { jku: `${keyServerUrl}/jwks.json` }, secret: ATTACKER_SECRET });
  tokens.x5uAttacker = signedClaims(callerClaims(NOW_SECONDS), { header: { x5u: `${keyServerUrl}/cert.pem` }, secret: ATTACKER_SECRET });
  tokens.jwkOctAttacker = signedClaims(callerClaims(NOW_SECONDS), {
    header: { jwk: { kty: 'oct', k: b64url(ATTACKER_SECRET), alg: 'HS256' } },
    secret: ATTACKER_SECRET,
  });
  const attacker = await generateKeyPair('RS256', { extractable: true });
  const attackerJwk = await exportJWK(attacker.publicKey);
  tokens.jwkRsaAttacker = await new SignJWT(callerClaims(NOW_SECONDS))
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', jwk: attackerJwk })
    .sign(attacker.privateKey);
  tokens.jkuRsaAttacker = await new SignJWT(callerClaims(NOW_SECONDS))
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'attacker', jku: `${keyServerUrl}/jwks.json` })
    .sign(attacker.privateKey);
  tokens.critUnknown = signedClaims(callerClaims(NOW_SECONDS), { header: { crit: ['exp-ext'], 'exp-ext': true } });
  tokens.critEmpty = signedClaims(callerClaims(NOW_SECONDS), { header: { crit: [] } });
  tokens.critNotArray = signedClaims(callerClaims(NOW_SECONDS), { header: { crit: 'exp-ext' } });
  tokens.critB64 = signedClaims(callerClaims(NOW_SECONDS), { header: { crit: ['b64'], b64: false } });

  // Signatures.
  const tamperedHeader = b64url('{"alg":"HS256","typ":"JWT","kid":"x"}');
  tokens.tamperedHeader = `${tamperedHeader}.${payload}.${signature}`;
  tokens.tamperedPayload = `${header}.${b64url(JSON.stringify({ ...callerClaims(NOW_SECONDS), scope: ['generateJwt', 'admin'] }))}.${signature}`;
  tokens.tamperedSub = `${header}.${b64url(JSON.stringify({ ...callerClaims(NOW_SECONDS), sub: 'admin' }))}.${signature}`;
  tokens.otherSecret = signedClaims(callerClaims(NOW_SECONDS), { secret: ATTACKER_SECRET });
  tokens.emptySecret = craftToken(HS256, claimsJson(), { secret: '' });
  tokens.secretPrefix = signedClaims(callerClaims(NOW_SECONDS), { secret: TEST_SECRET.slice(0, -1) });
  tokens.signatureTruncated = `${header}.${payload}.${signature.slice(0, 22)}`;
  tokens.signatureExtended = `${header}.${payload}.${signature}AAAA`;
  tokens.signatureOfOtherToken = `${header}.${b64url(JSON.stringify({ ...callerClaims(NOW_SECONDS), sub: 'admin' }))}.${signature}`;
  tokens.signatureZeroes = `${header}.${payload}.${Buffer.alloc(32).toString('base64url')}`;
});

afterAll(async () => {
  await new Promise((resolve) => keyServer.close(resolve));
});

interface Case {
  readonly token: string;
  readonly code: MintErrorCode;
  readonly why: string;
}

const INVALID: MintErrorCode = 'INVALID_TOKEN';

const cases: readonly Case[] = [
  // Structure
  { token: 'twoSegments', code: INVALID, why: 'two segments' },
  { token: 'fourSegments', code: INVALID, why: 'four segments' },
  { token: 'fiveSegments', code: INVALID, why: 'five segments (a JWE shape)' },
  { token: 'emptySignature', code: INVALID, why: 'an empty signature' },
  { token: 'emptyHeader', code: INVALID, why: 'an empty header' },
  { token: 'emptyPayload', code: INVALID, why: 'an empty payload' },
  { token: 'onlyDots', code: INVALID, why: 'nothing but dots' },
  { token: 'standardBase64', code: INVALID, why: 'a header in standard base64 ("+" and "/"), correctly signed' },
  { token: 'percentEncoded', code: INVALID, why: 'a percent-encoded signature' },
  { token: 'nonAscii', code: INVALID, why: 'a non-ASCII character' },
  { token: 'paddedHeader', code: INVALID, why: 'a "=" padded header, correctly signed' },
  { token: 'paddedPayload', code: INVALID, why: 'a "=" padded payload, correctly signed' },
  { token: 'paddedSignature', code: INVALID, why: 'a "=" padded signature' },
  { token: 'nonCanonicalSignature', code: INVALID, why: 'the right signature bytes spelled non-canonically' },
  { token: 'nonCanonicalPayload', code: INVALID, why: 'a non-canonically spelled payload, correctly signed' },
  { token: 'headerNotJson', code: INVALID, why: 'a header that is not JSON' },
  { token: 'headerNotUtf8', code: INVALID, why: 'a header that is not UTF-8' },
  { token: 'headerArray', code: INVALID, why: 'a header that is a JSON array' },
  { token: 'headerString', code: INVALID, why: 'a header that is a JSON string' },
  { token: 'headerNull', code: INVALID, why: 'a header that is JSON null' },
  { token: 'payloadArray', code: INVALID, why: 'a payload that is an array' },
  { token: 'payloadNull', code: INVALID, why: 'a payload that is null' },
  { token: 'payloadString', code: INVALID, why: 'a payload that is a string' },
  { token: 'payloadNumber', code: INVALID, why: 'a payload that is a number' },
  { token: 'payloadNotJson', code: INVALID, why: 'a payload that is not JSON' },
  { token: 'duplicateScopeLastEmpty', code: 'INSUFFICIENT_SCOPE', why: 'a duplicate "scope" whose last value is empty (403)' },
  { token: 'duplicateAlgLastNone', code: INVALID, why: 'a duplicate "alg" whose last value is none' },
  // Algorithm
  ...['none', 'None', 'NONE', 'nOnE'].flatMap((alg) => [
    { token: `alg-${alg}`, code: INVALID, why: `alg "${alg}" with no signature` },
    { token: `alg-${alg}-signed`, code: INVALID, why: `alg "${alg}" over a valid HMAC` },
  ]),
  { token: 'hs384', code: INVALID, why: 'HS384 with our own secret' },
  { token: 'hs512', code: INVALID, why: 'HS512 with our own secret' },
  { token: 'hs256Lowercase', code: INVALID, why: 'alg "hs256" in lower case' },
  { token: 'rs256OverHmac', code: INVALID, why: 'an RS256 header over an HMAC signature (algorithm confusion)' },
  { token: 'es256OverHmac', code: INVALID, why: 'an ES256 header over an HMAC signature (algorithm confusion)' },
  { token: 'ps256OverHmac', code: INVALID, why: 'a PS256 header over an HMAC signature' },
  { token: 'edDsaOverHmac', code: INVALID, why: 'an EdDSA header over an HMAC signature' },
  { token: 'algMissing', code: INVALID, why: 'no alg' },
  { token: 'algNumber', code: INVALID, why: 'alg a number' },
  { token: 'algArray', code: INVALID, why: 'alg an array' },
  { token: 'algNull', code: INVALID, why: 'alg null' },
  { token: 'algObject', code: INVALID, why: 'alg an object' },
  { token: 'algEmpty', code: INVALID, why: 'alg empty' },
  // Header
  { token: 'kidUnknown', code: INVALID, why: 'an unknown kid' },
  { token: 'kidPathTraversal', code: INVALID, why: 'kid "../../dev/null"' },
  { token: 'kidPathTraversalEmptyKey', code: INVALID, why: 'kid "../../dev/null" signed with an empty key' },
  { token: 'kidSql', code: INVALID, why: 'a kid of SQL' },
  { token: 'kidNumber', code: INVALID, why: 'a kid that is a number' },
  { token: 'kidNull', code: INVALID, why: 'a kid that is null' },
  { token: 'kidEmpty', code: INVALID, why: 'an empty kid' },
  { token: 'jkuAttacker', code: INVALID, why: "a jku naming the attacker's key set" },
  { token: 'x5uAttacker', code: INVALID, why: "an x5u naming the attacker's certificate" },
  { token: 'jwkOctAttacker', code: INVALID, why: "an embedded jwk holding the attacker's HMAC key" },
  { token: 'jwkRsaAttacker', code: INVALID, why: "an embedded jwk holding the attacker's RSA key" },
  { token: 'jkuRsaAttacker', code: INVALID, why: "an RS256 token whose jku names the attacker's key set" },
  { token: 'critUnknown', code: INVALID, why: 'crit naming an unknown extension' },
  { token: 'critEmpty', code: INVALID, why: 'crit an empty list' },
  { token: 'critNotArray', code: INVALID, why: 'crit not a list' },
  { token: 'critB64', code: INVALID, why: 'crit naming b64 (unencoded payload)' },
  // Signature
  { token: 'tamperedHeader', code: INVALID, why: 'a tampered header' },
  { token: 'tamperedPayload', code: INVALID, why: 'a tampered payload (wider scope)' },
  { token: 'tamperedSub', code: INVALID, why: 'a tampered payload (another sub)' },
  { token: 'otherSecret', code: INVALID, why: 'a token signed with another secret' },
  { token: 'emptySecret', code: INVALID, why: 'a token signed with an empty secret' },
  { token: 'secretPrefix', code: INVALID, why: 'a token signed with a prefix of our secret' },
  { token: 'signatureTruncated', code: INVALID, why: 'a truncated signature' },
  { token: 'signatureExtended', code: INVALID, why: 'a signature with bytes appended' },
  { token: 'signatureOfOtherToken', code: INVALID, why: "another token's signature" },
  { token: 'signatureZeroes', code: INVALID, why: 'a signature of zero bytes' },
];

describe.each(SHAPES)('caller token over %s', (shape) => {
  test.each(cases)('refuses $why: 401/403 $code', async ({ token: name, code }) => {
    // Prepare
    const token = tokens[name];
    if (token === undefined || token === '') throw new Error(`no token "${name}"`);
    const hitsBefore = keyServerHits;

    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization: `Bearer ${token}`, body: { subject: 'svc-1' } }));

    // Assess
    expectRefused(outcome, shape, { status: code === 'INSUFFICIENT_SCOPE' ? 403 : 401, code }, { callerToken: token });
    expect(keyServerHits).toBe(hitsBefore);
  });

  test('mints for the unaltered token, so every refusal above is down to the one thing altered', async () => {
    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization: `Bearer ${tokens.valid}`, body: { subject: 'svc-1' } }));

    // Assess
    expect(verifiedHs256Claims(expectMinted(outcome, shape))).toMatchObject({ iss: 'caller-1', sub: 'svc-1' });
  });

  test('ignores jku, x5u and jwk in a token signed with our key: they select no key and are never fetched', async () => {
    // Prepare
    const token = signedClaims(callerClaims(NOW_SECONDS), {
      header: { jku: `${keyServerUrl}/jwks.json`, x5u: `${keyServerUrl}/cert.pem`, jwk: { kty: 'oct', k: b64url(ATTACKER_SECRET) } },
    });
    const hitsBefore = keyServerHits;

    // Act
    const outcome = await service.invoke(eventFor(shape, { authorization: `Bearer ${token}`, body: { subject: 'svc-1' } }));

    // Assess
    verifiedHs256Claims(expectMinted(outcome, shape));
    expect(keyServerHits).toBe(hitsBefore);
  });

  test('keeps the last of duplicate claims, so a smuggled first "sub" is never the issuer', async () => {
    // Act
    const outcome = await service.invoke(
      eventFor(shape, { authorization: `Bearer ${tokens.duplicateSubFirstAdmin}`, body: { subject: 'svc-1' } }),
    );

    // Assess
    expect(verifiedHs256Claims(expectMinted(outcome, shape))).toMatchObject({ iss: 'caller-1' });
  });
});

test('the key server was reachable, so "never fetched" above is not an accident of a dead URL', async () => {
  // Prepare
  const hitsBefore = keyServerHits;

  // Act
  const response = await fetch(`${keyServerUrl}/jwks.json`);

  // Assess
  expect(response.status).toBe(200);
  expect(keyServerHits).toBe(hitsBefore + 1);
});
