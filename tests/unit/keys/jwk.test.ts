import { publicJwkOf } from '../../../lib/keys/jwk';
import { parseKeySet } from '../../../lib/keys/keySet';
import { ALL_ALGS, keySetSecret, PRIVATE_MEMBERS, privateJwk } from '../../helpers/keys';

const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

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
