import type { JWK } from 'jose';
import { MintError } from '../../../lib/errors';
import { checkKey, publicJwkOf } from '../../../lib/keys/jwk';
import { parseKeySet } from '../../../lib/keys/keySet';
import { ALL_ALGS, keySetSecret, PRIVATE_MEMBERS, privateJwk, rsaJwkOfBits } from '../../helpers/keys';

const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

/** The refusal checkKey throws for one entry of a set. */
function refusalOf(entry: unknown): MintError {
  try {
    checkKey(entry, 0);
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('expected the key to be refused');
}

/** One RSA-2048 private JWK for the whole file: generating one takes up to a second. */
let rsa2048: JWK | undefined;
function rsaKey(members: Record<string, unknown> = {}): JWK {
  rsa2048 ??= rsaJwkOfBits(2048);
  return { ...rsa2048, ...members };
}

/** An RSA JWK whose modulus `n` carries `zeros` leading zero bytes before the same value. */
function withLeadingZeros(jwk: JWK, zeros: number): JWK {
  const modulus = Buffer.from(String(jwk.n), 'base64url');
  return { ...jwk, n: Buffer.concat([Buffer.alloc(zeros), modulus]).toString('base64url') };
}

describe('the public half of a key', () => {
  it.each(ALL_ALGS.filter((alg) => !alg.startsWith('HS')))('keeps only public members of a %s key', async (alg) => {
    const jwk = await privateJwk(alg, { nbf: NOW - 5, key_ops: ['sign'] });
    const spec = parseKeySet(keySetSecret(jwk), NOW).keys[0];

    const published = publicJwkOf(spec!);

    expect(published).toMatchObject({ kid: jwk.kid, alg, use: 'sig', kty: jwk.kty });
    for (const member of PRIVATE_MEMBERS) expect(published).not.toHaveProperty(member);
    expect(published).not.toHaveProperty('nbf');
    expect(published).not.toHaveProperty('key_ops');
  });

  it('publishes nothing of an HMAC key', async () => {
    const spec = parseKeySet(keySetSecret(await privateJwk('HS512')), NOW).keys[0];

    expect(publicJwkOf(spec!)).toBeUndefined();
  });
});

describe('the checks one key must pass', () => {
  it.each([
    { name: 'null', entry: null },
    { name: 'a number', entry: 42 },
    { name: 'a string', entry: 'a-key' },
    { name: 'an array', entry: [{ kty: 'oct' }] },
  ])('refuses an entry that is $name, not a JSON object, as SIGNING_KEY_UNUSABLE', ({ entry }) => {
    // Act
    const error = refusalOf(entry);

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
  });

  it('refuses {"keys":[null]} as SIGNING_KEY_UNUSABLE, not a TypeError', () => {
    // Act
    const parse = () => parseKeySet('{"keys":[null]}', NOW);

    // Assess
    expect(parse).toThrow(MintError);
    expect(parse).toThrow(expect.objectContaining({ code: 'SIGNING_KEY_UNUSABLE' }));
  });

  it.each([
    { name: 'an empty string', kid: '' },
    { name: 'a number', kid: 42 },
    { name: 'null', kid: null },
  ])('refuses a kid that is $name, on an HMAC key that could go without one', async ({ kid }) => {
    // Prepare
    const jwk = await privateJwk('HS256', { kid });

    // Act
    const error = refusalOf(jwk);

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
  });

  it('cuts a long kid in the refusal it names the key by, so that a key set cannot flood the log', async () => {
    // Prepare
    const kid = 'k'.repeat(10_000);
    const jwk = await privateJwk('ES256', { kid, alg: 'RS256' });

    // Act
    const error = refusalOf(jwk);

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
    expect(error.message.length).toBeLessThan(500);
  });

  it('accepts "use": "sig", the one use a signing key may declare', async () => {
    // Prepare
    const jwk = await privateJwk('ES256', { use: 'sig' });

    // Act
    const spec = checkKey(jwk, 0);

    // Assess
    expect(spec).toMatchObject({ kid: jwk.kid, alg: 'ES256', hasPrivatePart: true });
  });

  it.each(['nbf', 'retired_at'])('accepts %s 0, the epoch itself', async (member) => {
    // Prepare
    const jwk = await privateJwk('HS256', { [member]: 0 });

    // Act
    const spec = checkKey(jwk, 0);

    // Assess
    expect(spec).toMatchObject(member === 'nbf' ? { nbf: 0 } : { retiredAt: 0 });
  });

  it.each([
    { member: 'nbf', value: -1 },
    { member: 'nbf', value: 1.5 },
    { member: 'nbf', value: 2 ** 53 },
    { member: 'retired_at', value: -1 },
    { member: 'retired_at', value: '2026-01-01' },
  ])('refuses $member $value, which is not whole epoch seconds', async ({ member, value }) => {
    // Prepare
    const jwk = await privateJwk('HS256', { [member]: value });

    // Act
    const error = refusalOf(jwk);

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
  });

  it('refuses an EC key whose private member "d" is not a string', async () => {
    // Prepare
    const jwk = await privateJwk('ES256', { d: 42 });

    // Act
    const error = refusalOf(jwk);

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
  });

  // WebCrypto imports an RSA key whose p, q, dp, dq or qi is a number; only this check refuses it.
  it.each(['d', 'p', 'q', 'dp', 'dq', 'qi'])('refuses an RSA key whose private member "%s" is not a string', (member) => {
    // Prepare
    const jwk = rsaKey({ [member]: 42 });

    // Act
    const error = refusalOf(jwk);

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
  });

  // Node decodes base64url leniently and WebCrypto imports a padded member, so without this check
  // one key would have many spellings in the secret.
  it.each([
    { name: 'an HMAC "k" with "=" padding', alg: 'HS256', member: 'k', spell: (value: string) => `${value}=` },
    { name: 'an HMAC "k" led by "+/"', alg: 'HS256', member: 'k', spell: (value: string) => `+/${value}` },
    { name: 'an EC "x" with "=" padding', alg: 'ES256', member: 'x', spell: (value: string) => `${value}=` },
    { name: 'an EC "d" in standard base64', alg: 'ES256', member: 'd', spell: (value: string) => Buffer.from(value, 'base64url').toString('base64') },
  ] as const)('refuses $name: every binary member must be plain base64url', async ({ alg, member, spell }) => {
    // Prepare
    const jwk = await privateJwk(alg);
    const respelled = { ...jwk, [member]: spell(String(jwk[member])) };

    // Act
    const error = refusalOf(respelled);

    // Assess
    expect(respelled[member]).not.toBe(jwk[member]);
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
  });

  it('refuses an RSA key one bit short of 2048', () => {
    // Prepare
    const jwk = rsaJwkOfBits(2047);

    // Act
    const error = refusalOf(jwk);

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
  });

  it('counts an RSA modulus without its leading zero bytes: RSA-1024 padded to 2,056 bits is still refused', () => {
    // Prepare: 129 zero bytes make 257 bytes, enough for 2,048 bits if the zeros counted.
    const jwk = withLeadingZeros(rsaJwkOfBits(1024), 129);

    // Act
    const error = refusalOf(jwk);

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
  });

  it('accepts an RSA-2048 modulus written with a leading zero byte', () => {
    // Prepare
    const jwk = withLeadingZeros(rsaKey(), 1);

    // Act
    const spec = checkKey(jwk, 0);

    // Assess
    expect(spec).toMatchObject({ kty: 'RSA', alg: 'RS256', hasPrivatePart: true });
  });

  it('refuses an RSA modulus of zero bytes only', () => {
    // Prepare
    const jwk = rsaKey({ n: Buffer.alloc(256).toString('base64url') });

    // Act
    const error = refusalOf(jwk);

    // Assess
    expect(error.code).toBe('SIGNING_KEY_UNUSABLE');
  });
});

describe('what a refusal of one key says', () => {
  it.each<{ name: string; entry: () => Promise<unknown>; message: string }>([
    { name: 'an entry that is not an object', entry: async () => 42, message: 'key 1 (no kid) is not a JSON object.' },
    {
      name: 'an empty kid',
      entry: () => privateJwk('HS256', { kid: '' }),
      message: 'Signing key set: key 1 (no kid) has a "kid" that is not a non-empty string.',
    },
    {
      name: 'no kty',
      entry: async () => ({ ...(await privateJwk('ES256', { kid: 'ec-1' })), kty: undefined }),
      message: 'Signing key set: key 1 (kid "ec-1") has kty missing; expected one of oct, EC, OKP, RSA.',
    },
    {
      name: 'a kty that is not a string',
      entry: async () => ({ ...(await privateJwk('ES256', { kid: 'ec-1' })), kty: 7 }),
      message: 'Signing key set: key 1 (kid "ec-1") has kty of the wrong type; expected one of oct, EC, OKP, RSA.',
    },
    {
      name: 'no alg',
      entry: async () => ({ ...(await privateJwk('ES256', { kid: 'ec-1' })), alg: undefined }),
      message: 'Signing key set: key 1 (kid "ec-1") has no "alg"; an EC key needs one of ES256, ES384.',
    },
    {
      name: 'an alg of another kty',
      entry: () => privateJwk('ES256', { kid: 'ec-1', alg: 'RS256' }),
      message: 'Signing key set: key 1 (kid "ec-1") has alg "RS256", which does not fit kty "EC" (expected ES256, ES384).',
    },
    {
      name: 'a retired_at that is not epoch seconds',
      entry: () => privateJwk('HS256', { kid: 'h-1', retired_at: 1.5 }),
      message: 'Signing key set: key 1 (kid "h-1") has a "retired_at" that is not whole epoch seconds.',
    },
    {
      name: 'a padded k',
      entry: async () => {
        const jwk = await privateJwk('HS256', { kid: 'h-1' });
        return { ...jwk, k: `${jwk.k}=` };
      },
      message: 'Signing key set: key 1 (kid "h-1") has no valid "k" (a base64url string).',
    },
  ])('names the key and the problem for $name', async ({ entry, message }) => {
    // Act
    const error = refusalOf(await entry());

    // Assess
    expect(error.message).toBe(message);
  });

  it('names a kid of 64 characters whole, and cuts one of 65 to 64 and an ellipsis', async () => {
    // Prepare
    const whole = 'w'.repeat(64);
    const long = 'l'.repeat(65);

    // Act
    const [wholeError, longError] = [refusalOf(await privateJwk('ES256', { kid: whole, alg: 'RS256' })), refusalOf(await privateJwk('ES256', { kid: long, alg: 'RS256' }))];

    // Assess
    expect(wholeError.message).toContain(`(kid "${whole}")`);
    expect(longError.message).toContain(`(kid "${'l'.repeat(64)}…")`);
  });
});
