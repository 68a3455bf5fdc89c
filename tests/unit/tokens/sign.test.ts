import { jwtVerify } from 'jose';
import { importSigningKeys, signingKeyAt, type KeyEntry } from '../../../lib/keys/signingKeys';
import { signToken, type TokenClaims } from '../../../lib/tokens/sign';
import { SEED_SCOPES, SEED_SECRET } from '../../helpers/seed';
import { decodeJwt, hmacSignatureValid, TEST_SECRET } from '../../helpers/tokens';

const NOW = 1_900_000_000;
const STAMP = { jti: '4b6f3c2a-1d2e-4f5a-8b9c-0d1e2f3a4b5c', iat: NOW };
const CLAIMS: TokenClaims = { iss: 'caller-1', sub: 'test1', aud: 'mfs', scope: ['generateJwt', 'push'], exp: NOW + 600 };

let signingKey: KeyEntry;

beforeAll(async () => {
  signingKey = signingKeyAt(await importSigningKeys(TEST_SECRET), new Date(NOW * 1000));
});

describe('signToken', () => {
  test('writes the header exactly as {"alg":"HS256","typ":"JWT"}', async () => {
    // Act
    const { token } = await signToken(CLAIMS, signingKey, STAMP);

    // Assess
    expect(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')).toBe('{"alg":"HS256","typ":"JWT"}');
  });

  test('stamps jti and iat onto the decided claims and returns them', async () => {
    // Act
    const minted = await signToken(CLAIMS, signingKey, STAMP);

    // Assess
    expect(minted.jti).toBe(STAMP.jti);
    expect(minted.iat).toBe(NOW);
    expect(decodeJwt(minted.token).payload).toEqual({ jti: STAMP.jti, iss: 'caller-1', sub: 'test1', aud: 'mfs', iat: NOW, exp: NOW + 600, scope: ['generateJwt', 'push'] });
  });

  test('puts jti, iss and sub first, in the order of the original tokens', async () => {
    // Act
    const { token } = await signToken(CLAIMS, signingKey, STAMP);

    // Assess
    expect(Object.keys(decodeJwt(token).payload).slice(0, 3)).toEqual(['jti', 'iss', 'sub']);
  });

  test('signs with HMAC-SHA256 over the secret bytes, verifiable without jose', async () => {
    // Prepare
    const seedKey = signingKeyAt(await importSigningKeys(SEED_SECRET), new Date(NOW * 1000));

    // Act
    const { token } = await signToken({ ...CLAIMS, scope: SEED_SCOPES }, seedKey, STAMP);

    // Assess
    expect(hmacSignatureValid(token, SEED_SECRET)).toBe(true);
    expect(hmacSignatureValid(token, TEST_SECRET)).toBe(false);
  });

  test('produces a token jose verifies with the same key as HS256 only', async () => {
    // Act
    const { token } = await signToken(CLAIMS, signingKey, STAMP);
    const { payload, protectedHeader } = await jwtVerify(token, signingKey.key, {
      algorithms: ['HS256'],
      currentDate: new Date(NOW * 1000),
      audience: 'mfs',
    });

    // Assess
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload.sub).toBe('test1');
  });

  test('writes nbf when the claims carry one, and leaves it out otherwise', async () => {
    // Act
    const withNbf = await signToken({ ...CLAIMS, nbf: NOW + 60 }, signingKey, STAMP);
    const withoutNbf = await signToken(CLAIMS, signingKey, STAMP);

    // Assess
    expect(decodeJwt(withNbf.token).payload.nbf).toBe(NOW + 60);
    expect(decodeJwt(withoutNbf.token).payload).not.toHaveProperty('nbf');
  });

  test('writes act last, as the minter chain it is given, and leaves it out of a token nobody minted', async () => {
    // Act
    const minted = await signToken({ ...CLAIMS, act: { sub: 'caller-1', act: { sub: 'ops-admin' } } }, signingKey, STAMP);
    const root = await signToken(CLAIMS, signingKey, STAMP);

    // Assess
    expect(Object.keys(decodeJwt(minted.token).payload).at(-1)).toBe('act');
    expect(decodeJwt(minted.token).payload.act).toEqual({ sub: 'caller-1', act: { sub: 'ops-admin' } });
    expect(decodeJwt(root.token).payload).not.toHaveProperty('act');
  });

  test('writes several audiences as an array and the scope as a JSON array', async () => {
    // Act
    const { token } = await signToken({ ...CLAIMS, aud: ['mfs', 'billing'], scope: ['push'] }, signingKey, STAMP);

    // Assess
    expect(decodeJwt(token).payload).toMatchObject({ aud: ['mfs', 'billing'], scope: ['push'] });
  });

  test('names the key in the header when the key has a kid', async () => {
    // Prepare
    const named: KeyEntry = { ...signingKey, kid: 'key-2024' };

    // Act
    const { token } = await signToken(CLAIMS, named, STAMP);

    // Assess
    expect(decodeJwt(token).header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'key-2024' });
  });
});

describe('signToken in RFC 9068 format', () => {
  const ACCESS: TokenClaims = { ...CLAIMS, clientId: 'caller-1', act: { sub: 'caller-1' } };

  test('types the header at+jwt and names the key', async () => {
    // Act
    const { token } = await signToken(ACCESS, { ...signingKey, kid: 'key-2024' }, STAMP, 'rfc9068');

    // Assess
    expect(decodeJwt(token).header).toEqual({ alg: 'HS256', typ: 'at+jwt', kid: 'key-2024' });
  });

  test('writes the claims RFC 9068 requires, client_id included, and the scope as one space-delimited string', async () => {
    // Act
    const { token } = await signToken({ ...ACCESS, nbf: NOW + 5 }, signingKey, STAMP, 'rfc9068');

    // Assess
    expect(decodeJwt(token).payload).toEqual({
      iss: 'caller-1',
      exp: NOW + 600,
      aud: 'mfs',
      sub: 'test1',
      client_id: 'caller-1',
      iat: NOW,
      jti: STAMP.jti,
      nbf: NOW + 5,
      scope: 'generateJwt push',
      act: { sub: 'caller-1' },
    });
  });

  test('writes no scope as an empty string', async () => {
    // Act
    const { token } = await signToken({ ...ACCESS, scope: [] }, signingKey, STAMP, 'rfc9068');

    // Assess
    expect(decodeJwt(token).payload.scope).toBe('');
  });

  test.each(['read write', 'say"hi', 'back\\slash', 'café', ''])('refuses the scope %p, which OAuth\'s string cannot hold, with INVALID_SCOPE', async (scope) => {
    // Act
    const signing = signToken({ ...ACCESS, scope: ['push', scope] }, signingKey, STAMP, 'rfc9068');

    // Assess
    await expect(signing).rejects.toMatchObject({ code: 'INVALID_SCOPE', statusCode: 400 });
  });

  test('writes the seed format unchanged when asked for it by name', async () => {
    // Act
    const named = await signToken(ACCESS, signingKey, STAMP, 'seed');
    const unnamed = await signToken(ACCESS, signingKey, STAMP);

    // Assess
    expect(named.token).toBe(unnamed.token);
    expect(decodeJwt(named.token).payload).not.toHaveProperty('client_id');
  });
});
