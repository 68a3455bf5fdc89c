import type { JWK } from 'jose';
import { loadRotationConfig } from '../../../lib/config';
import { MintError } from '../../../lib/errors';
import type { StoredJwk } from '../../../lib/keys/jwk';
import { allowedLagSeconds, checkPendingKeySet, nextKeySet } from '../../../lib/rotation/pendingKeySet';
import { NOW_SECONDS } from '../../helpers/defaults';
import { keySetSecret, privateJwk } from '../../helpers/keys';

const CONFIG = loadRotationConfig({});
const DELAY = CONFIG.publishDelaySeconds;
const PLAIN = 'the-original-plain-secret-of-more-than-32-bytes';

const keysOf = (secretString: string) => (JSON.parse(secretString) as { keys: StoredJwk[] }).keys;

function refusalOf(act: () => unknown): MintError {
  try {
    act();
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

let signing: JWK;
let fresh: JWK;

beforeAll(async () => {
  signing = await privateJwk('RS256', { kid: 'signing' });
  fresh = await privateJwk('RS256', { kid: 'fresh' });
});

describe('nextKeySet', () => {
  test('puts the new key first, signing after the configured delay, and retires the signer then', () => {
    // Act
    const rotation = nextKeySet(keySetSecret(signing), fresh, CONFIG, NOW_SECONDS);

    // Assess
    expect(keysOf(rotation.secretString).map((jwk) => [jwk.kid, jwk.nbf, jwk.retired_at])).toEqual([
      ['fresh', NOW_SECONDS + DELAY, undefined],
      ['signing', undefined, NOW_SECONDS + DELAY],
    ]);
  });

  test('keeps a plain string as the kid-less HS256 key, retired when the new key starts', () => {
    // Act
    const rotation = nextKeySet(PLAIN, fresh, CONFIG, NOW_SECONDS);

    // Assess
    expect(keysOf(rotation.secretString)[1]).toEqual({ kty: 'oct', alg: 'HS256', k: Buffer.from(PLAIN).toString('base64url'), retired_at: NOW_SECONDS + DELAY });
  });

  test('drops the kid-less key once it has been retired for a token lifetime and a cache window', () => {
    // Prepare
    const first = nextKeySet(PLAIN, signing, CONFIG, NOW_SECONDS);
    const later = NOW_SECONDS + DELAY + CONFIG.keepRetiredSeconds;

    // Act
    const second = nextKeySet(first.secretString, fresh, CONFIG, later);

    // Assess
    expect(second.dropped).toEqual(['(no kid)']);
    expect(keysOf(second.secretString).map((jwk) => jwk.kid)).toEqual(['fresh', 'signing']);
  });
});

describe('checkPendingKeySet', () => {
  test('accepts the set nextKeySet made from the current one, right away and within the allowed lag', () => {
    // Prepare
    const current = keySetSecret(signing);
    const pending = nextKeySet(current, fresh, CONFIG, NOW_SECONDS).secretString;

    // Act / Assess
    expect(() => checkPendingKeySet(pending, current, CONFIG, NOW_SECONDS)).not.toThrow();
    expect(() => checkPendingKeySet(pending, current, CONFIG, NOW_SECONDS + allowedLagSeconds(DELAY))).not.toThrow();
  });

  test('accepts a pending set without the keys old enough to drop', async () => {
    // Prepare
    const expired = await privateJwk('ES256', { kid: 'expired', retired_at: NOW_SECONDS - CONFIG.keepRetiredSeconds });
    const current = keySetSecret(signing, expired);
    const pending = nextKeySet(current, fresh, CONFIG, NOW_SECONDS).secretString;

    // Act / Assess
    expect(keysOf(pending).map((jwk) => jwk.kid)).toEqual(['fresh', 'signing']);
    expect(() => checkPendingKeySet(pending, current, CONFIG, NOW_SECONDS)).not.toThrow();
  });

  test.each([
    {
      name: 'a first key that AWSCURRENT already holds',
      sets: () => ({ current: keySetSecret(fresh, signing), pending: keySetSecret(fresh, signing) }),
      mentions: /first key is not new/,
    },
    {
      name: 'a key AWSCURRENT no longer holds (dropped after a leak)',
      sets: () => ({ current: keySetSecret({ ...signing, kid: 'replacement' }), pending: nextKeySet(keySetSecret(signing), fresh, CONFIG, NOW_SECONDS).secretString }),
      mentions: /key 2 \(kid "signing"\) is no longer in AWSCURRENT/,
    },
    {
      name: 'the loss of a key AWSCURRENT gained since (a manual rotation)',
      sets: () => ({ current: keySetSecret({ ...fresh, kid: 'manual' }, signing), pending: nextKeySet(keySetSecret(signing), fresh, CONFIG, NOW_SECONDS).secretString }),
      mentions: /AWSCURRENT's key 1 \(kid "manual"\) is missing from it/,
    },
  ])('refuses $name', ({ sets, mentions }) => {
    // Prepare
    const { current, pending } = sets();

    // Act
    const error = refusalOf(() => checkPendingKeySet(pending, current, CONFIG, NOW_SECONDS));

    // Assess
    expect(error.code).toBe('ROTATION_REFUSED');
    expect(error.message).toMatch(mentions);
  });

  test('refuses a set whose new key has lost more than the allowed lag of its publish delay', () => {
    // Prepare
    const current = keySetSecret(signing);
    const pending = nextKeySet(current, fresh, CONFIG, NOW_SECONDS).secretString;

    // Act
    const error = refusalOf(() => checkPendingKeySet(pending, current, CONFIG, NOW_SECONDS + allowedLagSeconds(DELAY) + 1));

    // Assess
    expect(error.code).toBe('ROTATION_REFUSED');
    expect(error.message).toMatch(/the rotation began too long ago/);
  });

  test('does not hold a short publish delay to the lag, which is at least a minute', () => {
    // Prepare
    const config = loadRotationConfig({ PUBLISH_DELAY_SECONDS: '2', SECRET_CACHE_SECONDS: '1' });
    const current = keySetSecret(signing);
    const pending = nextKeySet(current, fresh, config, NOW_SECONDS).secretString;

    // Act / Assess
    expect(allowedLagSeconds(2)).toBe(60);
    expect(allowedLagSeconds(7800)).toBe(780);
    expect(() => checkPendingKeySet(pending, current, config, NOW_SECONDS + 30)).not.toThrow();
  });
});
