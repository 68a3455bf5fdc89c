import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { extractBearerToken } from '../../../lib/tokens/bearer';
import { readScopes, verifyCallerToken, verifyExchangedToken } from '../../../lib/tokens/callerToken';
import { parseCallerToken } from '../../../lib/tokens/parse';
import { loadConfig, type Config } from '../../../lib/config';
import { MintError, type MintErrorCode } from '../../../lib/errors';
import { importSigningKeys, type SigningKeys } from '../../../lib/keys/signingKeys';
import { b64url, callerToken, craftToken, TEST_SECRET } from '../../helpers/tokens';

const NOW_SECONDS = 1_900_000_000;
const NOW = new Date(NOW_SECONDS * 1000);
const VALID_PAYLOAD = JSON.stringify({ sub: 'caller-1', aud: 'mfs', exp: NOW_SECONDS + 3600, scope: ['generateJwt', 'push'] });

let keys: SigningKeys;
let config: Config;

beforeAll(async () => {
  keys = await importSigningKeys(TEST_SECRET);
  config = loadConfig({ SIGNING_SECRET_ID: 'test/secret' });
});

function tokenWith(claims: JWTPayload): Promise<string> {
  return callerToken({ nowSeconds: NOW_SECONDS, claims });
}

async function verificationFailure(token: string, policy: Config = config): Promise<MintError> {
  try {
    await verifyCallerToken(parseCallerToken(token), keys, policy, NOW);
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('verifyCallerToken accepted a token it should refuse');
}

describe('readScopes', () => {
  test.each([
    { name: 'a JSON array', scope: ['generateJwt', 'push'], scopes: ['generateJwt', 'push'] },
    { name: 'a space-delimited string', scope: 'generateJwt push', scopes: ['generateJwt', 'push'] },
    { name: 'a string with repeated spaces', scope: ' generateJwt  push ', scopes: ['generateJwt', 'push'] },
    { name: 'one scope as a string', scope: 'generateJwt', scopes: ['generateJwt'] },
    { name: 'an empty array', scope: [], scopes: [] },
  ])('reads $name', ({ scope, scopes }) => {
    // Act
    const read = readScopes(scope);

    // Assess
    expect(read).toEqual(scopes);
  });

  test.each([undefined, null, 42, { generateJwt: true }, ['generateJwt', 1]])('reads %p as no scopes at all', (scope) => {
    // Act
    const read = readScopes(scope);

    // Assess
    expect(read).toBeUndefined();
  });
});

describe('verifyCallerToken', () => {
  test('returns the caller sub and scopes of a valid token', async () => {
    // Prepare
    const token = await tokenWith({ scope: ['generateJwt', 'push'] });

    // Act
    const caller = await verifyCallerToken(parseCallerToken(token), keys, config, NOW);

    // Assess
    expect(caller).toEqual({ sub: 'caller-1', scopes: ['generateJwt', 'push'], exp: expect.any(Number) });
  });

  test('accepts a space-delimited scope string', async () => {
    // Prepare
    const token = await tokenWith({ scope: 'push generateJwt' });

    // Act
    const caller = await verifyCallerToken(parseCallerToken(token), keys, config, NOW);

    // Assess
    expect(caller.scopes).toEqual(['push', 'generateJwt']);
  });

  test.each([
    { name: 'that expired 29 seconds ago, within the tolerance', claims: { exp: NOW_SECONDS - 29 } },
    { name: 'not valid for another 30 seconds (nbf), within the tolerance', claims: { nbf: NOW_SECONDS + 30 } },
    { name: 'issued 30 seconds in the future (iat), within the tolerance', claims: { iat: NOW_SECONDS + 30 } },
    { name: 'whose audience list includes mfs', claims: { aud: ['other', 'mfs'] } },
  ])('accepts a token $name', async ({ claims }) => {
    // Prepare
    const token = await tokenWith(claims);

    // Act
    const caller = await verifyCallerToken(parseCallerToken(token), keys, config, NOW);

    // Assess
    expect(caller.sub).toBe('caller-1');
  });

  test.each<{ name: string; token: () => Promise<string> | string; code: MintErrorCode; message: string }>([
    { name: 'an unsigned token with alg none', token: () => craftToken('{"alg":"none"}', VALID_PAYLOAD, { signature: '' }), code: 'INVALID_TOKEN', message: 'The caller token is not a well-formed JWT.' },
    { name: 'alg none with a valid HMAC', token: () => craftToken('{"alg":"none","typ":"JWT"}', VALID_PAYLOAD), code: 'INVALID_TOKEN', message: 'The caller token is signed with an algorithm we do not accept.' },
    { name: 'HS384 over the same secret', token: () => craftToken('{"alg":"HS384","typ":"JWT"}', VALID_PAYLOAD, { hash: 'sha384' }), code: 'INVALID_TOKEN', message: 'The caller token is signed with an algorithm we do not accept.' },
    { name: 'HS512 over the same secret', token: () => craftToken('{"alg":"HS512","typ":"JWT"}', VALID_PAYLOAD, { hash: 'sha512' }), code: 'INVALID_TOKEN', message: 'The caller token is signed with an algorithm we do not accept.' },
    { name: 'an RS256 header over an HMAC of the secret', token: () => craftToken('{"alg":"RS256","typ":"JWT"}', VALID_PAYLOAD), code: 'INVALID_TOKEN', message: 'The caller token is signed with an algorithm we do not accept.' },
    { name: 'an ES256 header over an HMAC of the secret', token: () => craftToken('{"alg":"ES256","typ":"JWT"}', VALID_PAYLOAD), code: 'INVALID_TOKEN', message: 'The caller token is signed with an algorithm we do not accept.' },
    {
      name: 'a real RS256 signature',
      token: () =>
        new SignJWT(JSON.parse(VALID_PAYLOAD) as JWTPayload)
          .setProtectedHeader({ alg: 'RS256' })
          .sign(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
      code: 'INVALID_TOKEN', message: 'The caller token is signed with an algorithm we do not accept.',
    },
    { name: 'a kid the service does not know', token: () => craftToken('{"alg":"HS256","kid":"k-2"}', VALID_PAYLOAD), code: 'INVALID_TOKEN', message: 'The caller token names a key ("kid") we do not know.' },
    { name: 'a wrong signature', token: () => craftToken('{"alg":"HS256","typ":"JWT"}', VALID_PAYLOAD, { secret: 'some-other-secret-0123456789-abcdefgh' }), code: 'INVALID_TOKEN', message: 'The caller token signature does not verify.' },
    { name: 'a payload swapped after signing', token: async () => { const [h, , s] = (await tokenWith({})).split('.'); return `${h}.${b64url('{"sub":"root","aud":"mfs","exp":9999999999,"scope":["generateJwt"]}')}.${s}`; }, code: 'INVALID_TOKEN', message: 'The caller token signature does not verify.' },
    { name: 'a header that is not JSON', token: () => `${b64url('not json')}.${b64url(VALID_PAYLOAD)}.sig`, code: 'INVALID_TOKEN', message: 'The caller token is not a well-formed JWT.' },
    { name: 'two segments', token: () => `${b64url('{"alg":"HS256"}')}.${b64url(VALID_PAYLOAD)}`, code: 'INVALID_TOKEN', message: 'The caller token is not a well-formed JWT.' },
    { name: 'a payload that is not JSON', token: () => craftToken('{"alg":"HS256","typ":"JWT"}', 'not json'), code: 'INVALID_TOKEN', message: 'The caller token is not a well-formed JWT.' },
    { name: 'no exp', token: () => tokenWith({ exp: undefined }), code: 'INVALID_TOKEN', message: 'The caller token is not valid: missing required "exp" claim.' },
    { name: 'an exp 31 seconds ago', token: () => tokenWith({ exp: NOW_SECONDS - 31 }), code: 'TOKEN_EXPIRED', message: 'The caller token has expired.' },
    { name: 'an nbf 31 seconds ahead', token: () => tokenWith({ nbf: NOW_SECONDS + 31 }), code: 'INVALID_TOKEN', message: 'The caller token is not valid: it is not valid yet ("nbf").' },
    { name: 'an iat 31 seconds ahead', token: () => tokenWith({ iat: NOW_SECONDS + 31 }), code: 'INVALID_TOKEN', message: 'The caller token was issued in the future ("iat").' },
    { name: 'another audience', token: () => tokenWith({ aud: 'other' }), code: 'INVALID_TOKEN', message: 'The caller token is not valid: its audience ("aud") does not include "mfs".' },
    { name: 'no audience', token: () => tokenWith({ aud: undefined }), code: 'INVALID_TOKEN', message: 'The caller token is not valid: its audience ("aud") does not include "mfs".' },
    { name: 'no sub', token: () => tokenWith({ sub: undefined }), code: 'INVALID_TOKEN', message: 'The caller token is not valid: missing required "sub" claim.' },
    { name: 'an empty sub', token: () => tokenWith({ sub: '' }), code: 'INVALID_TOKEN', message: 'The caller token has no subject ("sub").' },
    { name: 'a numeric sub, which jose lets through', token: () => tokenWith({ sub: 42 as unknown as string }), code: 'INVALID_TOKEN', message: 'The caller token has no subject ("sub").' },
    { name: 'scopes without generateJwt', token: () => tokenWith({ scope: ['push'] }), code: 'INSUFFICIENT_SCOPE', message: 'The caller token lacks the "generateJwt" scope.' },
    { name: 'a scope string without generateJwt as a word', token: () => tokenWith({ scope: 'push generateJwts' }), code: 'INSUFFICIENT_SCOPE', message: 'The caller token lacks the "generateJwt" scope.' },
    { name: 'no scope', token: () => tokenWith({ scope: undefined }), code: 'INSUFFICIENT_SCOPE', message: 'The caller token lacks the "generateJwt" scope.' },
  ])('refuses a token with $name as $code, saying why', async ({ token, code, message }) => {
    // Prepare
    const refused = await token();

    // Act
    const error = await verificationFailure(refused);

    // Assess
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  test('honours a configured clock tolerance of zero', async () => {
    // Prepare
    const token = await tokenWith({ exp: NOW_SECONDS - 1 });
    const strict = loadConfig({ SIGNING_SECRET_ID: 'test/secret', CLOCK_TOLERANCE_SECONDS: '0' });

    // Act
    const error = await verificationFailure(token, strict);

    // Assess
    expect(error.code).toBe('TOKEN_EXPIRED');
  });

  test('honours a configured caller audience and required scope', async () => {
    // Prepare
    const policy = loadConfig({ SIGNING_SECRET_ID: 'test/secret', CALLER_AUDIENCE: 'gateway', REQUIRED_SCOPE: 'mint' });
    const token = await tokenWith({ aud: 'gateway', scope: ['mint'] });
    const defaultToken = await tokenWith({});

    // Act
    const caller = await verifyCallerToken(parseCallerToken(token), keys, policy, NOW);
    const error = await verificationFailure(defaultToken, policy);

    // Assess
    expect(caller.scopes).toEqual(['mint']);
    expect(error.code).toBe('INVALID_TOKEN');
  });

  test('tries the next unnamed key when the first one does not verify the signature', async () => {
    // Prepare
    const other = await importSigningKeys('an-older-secret-still-accepted-0123456789');
    const twoKeys: SigningKeys = { ...keys, verificationKeys: [...other.verificationKeys, ...keys.verificationKeys] };
    const token = await tokenWith({});

    // Act
    const caller = await verifyCallerToken(parseCallerToken(token), twoKeys, config, NOW);

    // Assess
    expect(caller.sub).toBe('caller-1');
  });
});

describe('verifyExchangedToken', () => {
  async function exchangeFailure(token: string, role: 'subject token' | 'actor token'): Promise<MintError> {
    try {
      await verifyExchangedToken(parseCallerToken(token, role), keys, config, NOW, role);
    } catch (error) {
      if (error instanceof MintError) return error;
      throw error;
    }
    throw new Error('verifyExchangedToken accepted a token it should refuse');
  }

  test('reads a subject token addressed anywhere, without the right to mint, with every claim an exchange uses', async () => {
    // Prepare
    const token = await tokenWith({
      aud: ['svc-orders', 'reports'],
      scope: 'push query',
      act: { sub: 'ops-admin' },
      client_id: 'web-app',
      may_act: { sub: 'svc-orders', iss: 'https://auth.example.com' },
      iss: 'https://auth.example.com',
    });

    // Act
    const claims = await verifyExchangedToken(parseCallerToken(token, 'subject token'), keys, config, NOW, 'subject token');

    // Assess
    expect(claims).toEqual({
      sub: 'caller-1',
      aud: ['svc-orders', 'reports'],
      scopes: ['push', 'query'],
      exp: NOW_SECONDS + 3600,
      act: { sub: 'ops-admin' },
      clientId: 'web-app',
      mayAct: { sub: 'svc-orders', iss: 'https://auth.example.com' },
      iss: 'https://auth.example.com',
    });
  });

  test('reads a subject token without scope or audience as holding none', async () => {
    // Act
    const claims = await verifyExchangedToken(parseCallerToken(await tokenWith({ scope: undefined, aud: undefined }), 'subject token'), keys, config, NOW, 'subject token');

    // Assess
    expect(claims).toMatchObject({ scopes: [], aud: [] });
  });

  test('reads a may_act that names nobody it can match as absent', async () => {
    // Act
    const claims = await verifyExchangedToken(parseCallerToken(await tokenWith({ may_act: { sub: 7 } }), 'subject token'), keys, config, NOW, 'subject token');

    // Assess
    expect(claims).not.toHaveProperty('mayAct');
  });

  test('requires an actor token to be addressed to this service', async () => {
    // Act
    const refusal = await exchangeFailure(await tokenWith({ aud: 'svc-orders' }), 'actor token');

    // Assess
    expect(refusal).toMatchObject({ code: 'INVALID_TOKEN', message: expect.stringContaining('The actor token is not valid') });
  });

  test.each([
    ['expired', { exp: NOW_SECONDS - 31 }, 'TOKEN_EXPIRED'],
    ['not yet valid', { nbf: NOW_SECONDS + 3600 }, 'INVALID_TOKEN'],
    ['issued in the future', { iat: NOW_SECONDS + 3600 }, 'INVALID_TOKEN'],
    ['without a sub', { sub: undefined }, 'INVALID_TOKEN'],
    ['with a fractional exp', { exp: NOW_SECONDS + 0.5 }, 'INVALID_TOKEN'],
    ['with a scope that is not a list', { scope: { push: true } }, 'INVALID_TOKEN'],
    ['with an aud that is not a list of strings', { aud: [7] }, 'INVALID_TOKEN'],
    ['with a numeric aud', { aud: 7 }, 'INVALID_TOKEN'],
    ['with an empty client_id', { client_id: '' }, 'INVALID_TOKEN'],
    ['with an act that is not a chain', { act: 'ops-admin' }, 'INVALID_TOKEN'],
  ])('refuses a subject token %s, naming it the subject token', async (_case, claims, code) => {
    // Act
    const refusal = await exchangeFailure(await tokenWith(claims as JWTPayload), 'subject token');

    // Assess
    expect(refusal).toMatchObject({ code, message: expect.stringContaining('subject token') });
  });

  test('refuses a subject token signed with another secret', async () => {
    // Prepare
    const forged = await callerToken({ secret: 'attacker-controlled-secret-0123456789-abcdef', nowSeconds: NOW_SECONDS });

    // Act
    const refusal = await exchangeFailure(forged, 'subject token');

    // Assess
    expect(refusal).toMatchObject({ code: 'INVALID_TOKEN', message: 'The subject token signature does not verify.' });
  });
});

describe('the defences in front of jose', () => {
  test('refuses a validly signed token longer than the header bound, which jose alone would accept', async () => {
    // Prepare
    const token = await tokenWith({ note: 'x'.repeat(8192) });

    // Act
    const verified = await verifyCallerToken(parseCallerToken(token), keys, config, NOW);
    const extract = () => extractBearerToken([`Bearer ${token}`]);

    // Assess
    expect(verified.sub).toBe('caller-1');
    expect(extract).toThrow(expect.objectContaining({ code: 'INVALID_TOKEN' }));
  });

  test('tries no asymmetric key for a token without kid, even one that has no kid itself', async () => {
    // Prepare: a set never holds such a key (checkKey requires a kid on every asymmetric key); this
    // is the second layer, on its own.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const unnamedPublic = await crypto.subtle.importKey('jwk', publicKey.export({ format: 'jwk' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    const unnamed: SigningKeys = { ...keys, verificationKeys: [{ kid: undefined, alg: 'ES256', key: unnamedPublic }] };
    const token = await new SignJWT(JSON.parse(VALID_PAYLOAD) as JWTPayload).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);

    // Act
    const verification = verifyCallerToken(parseCallerToken(token), unnamed, config, NOW);

    // Assess
    await expect(verification).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });
});

describe('trying more than one unnamed key', () => {
  test('answers TOKEN_EXPIRED for an expired token signed by the first key, without trying the second', async () => {
    // Prepare
    const other = await importSigningKeys('an-older-secret-still-accepted-0123456789');
    const twoKeys: SigningKeys = { ...keys, verificationKeys: [...keys.verificationKeys, ...other.verificationKeys] };
    const token = await tokenWith({ exp: NOW_SECONDS - 3600 });

    // Act
    const verification = verifyCallerToken(parseCallerToken(token), twoKeys, config, NOW);

    // Assess
    await expect(verification).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });
});

describe('reading the claims a verified token carries', () => {
  /** An act chain of `depth` levels: a1 minted by a2, … */
  function chain(depth: number): { sub: string; act?: unknown } {
    let act: { sub: string; act?: unknown } = { sub: `a${depth}` };
    for (let level = depth - 1; level >= 1; level--) act = { sub: `a${level}`, act };
    return act;
  }

  async function exchanged(claims: JWTPayload) {
    return verifyExchangedToken(parseCallerToken(await tokenWith(claims), 'subject token'), keys, config, NOW, 'subject token');
  }

  test('reads a caller without act as exactly its sub, scopes and exp', async () => {
    // Act
    const caller = await verifyCallerToken(parseCallerToken(await tokenWith({})), keys, config, NOW);

    // Assess
    expect(Object.keys(caller).sort()).toEqual(['exp', 'scopes', 'sub']);
  });

  test('reads a nested act chain whole, nearest minter first', async () => {
    // Act
    const caller = await verifyCallerToken(parseCallerToken(await tokenWith({ act: chain(3) })), keys, config, NOW);

    // Assess
    expect(caller.act).toStrictEqual({ sub: 'a1', act: { sub: 'a2', act: { sub: 'a3' } } });
  });

  test('reads an act chain of 32 levels and refuses one of 33, which no configurable bound allows', async () => {
    // Act
    const deepest = await verifyCallerToken(parseCallerToken(await tokenWith({ act: chain(32) })), keys, config, NOW);
    const tooDeep = await verificationFailure(await tokenWith({ act: chain(33) }));

    // Assess
    expect(deepest.act?.sub).toBe('a1');
    expect(tooDeep).toMatchObject({ code: 'INVALID_TOKEN', message: 'The caller token has an "act" claim that is not a chain of subjects.' });
  });

  test.each([
    ['an empty sub', { sub: '' }],
    ['a numeric sub', { sub: 7 }],
    ['no sub', { act: { sub: 'a2' } }],
    ['a list', [{ sub: 'a1' }]],
    ['null', null],
    ['an empty sub deeper in the chain', { sub: 'a1', act: { sub: '' } }],
  ])('refuses an act with %s', async (_case, act) => {
    // Act
    const error = await verificationFailure(await tokenWith({ act }));

    // Assess
    expect(error).toMatchObject({ code: 'INVALID_TOKEN', message: 'The caller token has an "act" claim that is not a chain of subjects.' });
  });

  test('names the genuine caller on a scope refusal, for its audit line', async () => {
    // Act
    const error = await verificationFailure(await tokenWith({ scope: ['push'] }));

    // Assess
    expect(error.facts).toEqual({ callerSub: 'caller-1' });
  });

  test('refuses a token without kid when the set has no unnamed HMAC key to try', async () => {
    // Prepare: only a named key.
    const named: SigningKeys = { ...keys, verificationKeys: keys.verificationKeys.map((entry) => ({ ...entry, kid: 'k-1' })) };

    // Act
    const verification = verifyCallerToken(parseCallerToken(await tokenWith({})), named, config, NOW);

    // Assess
    await expect(verification).rejects.toMatchObject({ code: 'INVALID_TOKEN', message: 'The caller token names no key ("kid") and no unnamed key can verify it.' });
  });

  test('reads a subject token without act, client_id, may_act or iss as having none of them', async () => {
    // Act
    const claims = await exchanged({});

    // Assess
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'scopes', 'sub']);
  });

  test('reads a single string aud as a list of one', async () => {
    // Act
    const claims = await exchanged({ aud: 'svc-orders' });

    // Assess
    expect(claims.aud).toEqual(['svc-orders']);
  });

  test('reads an iss that is not a string as no issuer', async () => {
    // Act
    const claims = await exchanged({ iss: 7 as unknown as string });

    // Assess
    expect(claims).not.toHaveProperty('iss');
  });

  test.each([
    ['naming only a sub', { sub: 'svc-orders' }, { sub: 'svc-orders' }],
    ['naming a sub and an issuer', { sub: 'svc-orders', iss: 'https://auth.example.com' }, { sub: 'svc-orders', iss: 'https://auth.example.com' }],
    ['with an empty sub', { sub: '' }, undefined],
    ['with an issuer that is not a string', { sub: 'svc-orders', iss: 7 }, undefined],
    ['that is a list', [{ sub: 'svc-orders' }], undefined],
    ['that is a string', 'svc-orders', undefined],
  ])('reads a may_act %s', async (_case, mayAct, expected) => {
    // Act
    const claims = await exchanged({ may_act: mayAct });

    // Assess
    expect(claims.mayAct).toStrictEqual(expected);
  });
});
