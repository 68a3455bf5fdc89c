import { parseCallerToken } from '../../../lib/tokens/parse';
import { b64url, craftToken } from '../../helpers/tokens';

const NOW_SECONDS = 1_900_000_000;
const VALID_PAYLOAD = JSON.stringify({ sub: 'caller-1', aud: 'mfs', exp: NOW_SECONDS + 3600, scope: ['generateJwt', 'push'] });

describe('parseCallerToken: the checks that need no key', () => {
  test.each(['HS256', 'HS384', 'HS512', 'ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'])('lets through a canonical token whose alg is %s', (alg) => {
    // Act
    const parsed = parseCallerToken(craftToken(JSON.stringify({ alg, kid: 'k1' }), VALID_PAYLOAD));

    // Assess
    expect(parsed.kid).toBe('k1');
  });

  test.each([
    { why: 'alg none', header: '{"alg":"none"}' },
    { why: 'alg HS1', header: '{"alg":"HS1"}' },
    { why: 'alg in another case', header: '{"alg":"hs256"}' },
    { why: 'no alg', header: '{"typ":"JWT"}' },
    { why: 'a numeric alg', header: '{"alg":256}' },
    { why: 'a header that is not JSON', header: 'not json' },
    { why: 'a header that is a JSON array', header: '["HS256"]' },
  ])('refuses $why with INVALID_TOKEN before any key is needed', ({ header }) => {
    // Act
    const parse = () => parseCallerToken(craftToken(header, VALID_PAYLOAD));

    // Assess
    expect(parse).toThrow(expect.objectContaining({ code: 'INVALID_TOKEN', statusCode: 401 }));
  });

  test('lets a segment through exactly when it is the encoder\'s own spelling of its bytes, for every last character and length', () => {
    // Prepare: every base64url character ending a signature segment of 1 to 8 characters.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const prefix = `${b64url('{"alg":"HS256"}')}.${b64url(VALID_PAYLOAD)}.`;
    const signatures = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((length) => [...alphabet].map((last) => `${'Q'.repeat(length)}${last}`));

    // Act
    const refused = signatures.filter((signature) => {
      try {
        parseCallerToken(prefix + signature);
        return false;
      } catch {
        return true;
      }
    });

    // Assess: the refused ones are exactly those that do not survive a decode and encode.
    expect(refused).toEqual(signatures.filter((signature) => Buffer.from(signature, 'base64url').toString('base64url') !== signature));
    expect(refused.length).toBeGreaterThan(100);
  });

  test.each(['x', 'a.b', 'a.b.c.d', `${b64url('{"alg":"HS256"}')}.${b64url(VALID_PAYLOAD)}.sig=`])('refuses %p, which is not a canonical compact JWS', (token) => {
    // Act
    const parse = () => parseCallerToken(token);

    // Assess
    expect(parse).toThrow(expect.objectContaining({ code: 'INVALID_TOKEN' }));
  });
});

describe('parseCallerToken: naming the token it refuses', () => {
  test.each([
    ['a token that is not a compact JWS', 'x', 'subject token', 'The subject token is not a well-formed JWT.'],
    ['a padded segment', `${b64url('{"alg":"HS256"}')}.${b64url(VALID_PAYLOAD)}.sig=`, 'actor token', 'The actor token is not a well-formed JWT.'],
    ['a header that is not JSON', craftToken('not json', VALID_PAYLOAD), 'subject token', 'The subject token is not a well-formed JWT.'],
    ['alg none', craftToken('{"alg":"none"}', VALID_PAYLOAD), 'actor token', 'The actor token is signed with an algorithm we do not accept.'],
    ['alg none, as a caller token by default', craftToken('{"alg":"none"}', VALID_PAYLOAD), undefined, 'The caller token is signed with an algorithm we do not accept.'],
  ] as const)('refuses %s, naming it by its role', (_case, token, role, message) => {
    // Act
    const parse = () => parseCallerToken(token, role);

    // Assess
    expect(parse).toThrow(expect.objectContaining({ code: 'INVALID_TOKEN', message }));
  });
});
