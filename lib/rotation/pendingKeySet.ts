/**
 * The key set a scheduled rotation writes as AWSPENDING, and the checks that it is still the right
 * one to make current. Pure: the clock, the keys and the configuration are arguments.
 */
import type { JWK } from 'jose';
import type { RotationConfig } from '../config';
import { MintError } from '../errors';
import { describeKey, type KeySpec } from '../keys/jwk';
import { parseKeySet } from '../keys/keySet';
import { rotateKeySet, type Rotation } from '../keys/rotation';

/**
 * The next key set, by the rules of `npm run keys -- rotate`: `newKey` first, published now and
 * signing after the publish delay; `retired_at` on the key it replaces; keys retired longer ago than
 * the longest token lifetime plus one cache window dropped. A plain-string secret stays in the set
 * as the kid-less HS256 key that verifies the caller tokens it signed, until it is dropped in turn.
 * @throws MintError SIGNING_KEY_UNUSABLE when the current secret is not a valid set.
 */
export function nextKeySet(currentSecret: string, newKey: JWK, config: RotationConfig, nowSeconds: number): Rotation {
  return rotateKeySet(currentSecret, newKey, {
    nowSeconds,
    publishDelaySeconds: config.publishDelaySeconds,
    keepRetiredSeconds: config.keepRetiredSeconds,
  });
}

/**
 * How much of the publish delay a rotation may lose between writing the pending set and making it
 * current, before its new key would sign too soon after verifiers could first see it: the steps
 * normally run seconds apart, so a larger gap means a rotation resumed long after it began.
 */
export function allowedLagSeconds(publishDelaySeconds: number): number {
  return Math.max(60, Math.floor(publishDelaySeconds / 10));
}

/**
 * Checks that the pending set is still the rotation of the current one: its first key is new, it
 * keeps every key of AWSCURRENT except those old enough to drop, it brings back no key AWSCURRENT
 * no longer holds (one dropped after a leak), and its new key still has nearly the whole publish
 * delay ahead of it. Any of these fails when AWSCURRENT was written after createSecret (a manual
 * or emergency rotation) or when a rotation is resumed long after it began.
 * @throws MintError ROTATION_REFUSED naming the key and the reason; SIGNING_KEY_UNUSABLE when either set does not parse.
 */
export function checkPendingKeySet(pendingSecret: string, currentSecret: string, config: RotationConfig, nowSeconds: number): void {
  const pending = parseKeySet(pendingSecret, nowSeconds).keys;
  const current = parseKeySet(currentSecret, nowSeconds).keys;
  const currentIdentities = new Set(current.map(keyIdentity));
  const pendingIdentities = new Set(pending.map(keyIdentity));
  const refuse = (reason: string) => new MintError('ROTATION_REFUSED', `The pending key set is not the rotation of AWSCURRENT: ${reason}`);

  const [added, ...kept] = pending;
  if (added === undefined || currentIdentities.has(keyIdentity(added))) {
    throw refuse('its first key is not new.');
  }
  kept.forEach((key, index) => {
    if (!currentIdentities.has(keyIdentity(key))) {
      throw refuse(`${describeKey(index + 1, key.kid)} is no longer in AWSCURRENT; it was removed after this rotation began.`);
    }
  });
  current.forEach((key, index) => {
    const droppable = key.retiredAt !== undefined && key.retiredAt + config.keepRetiredSeconds <= nowSeconds;
    if (!pendingIdentities.has(keyIdentity(key)) && !droppable) {
      throw refuse(`AWSCURRENT's ${describeKey(index, key.kid)} is missing from it; AWSCURRENT was written after this rotation began.`);
    }
  });

  const leadSeconds = (added.nbf ?? Number.NEGATIVE_INFINITY) - nowSeconds;
  const neededSeconds = config.publishDelaySeconds - allowedLagSeconds(config.publishDelaySeconds);
  if (neededSeconds > 0 && leadSeconds < neededSeconds) {
    throw refuse(
      `its new key signs ${Math.max(0, leadSeconds)} s from now, less than the ${neededSeconds} s verifiers need to see it; ` +
        'the rotation began too long ago.',
    );
  }
}

/** A key's material and algorithm, without our signing-window members: the same key in two versions compares equal. */
function keyIdentity(key: KeySpec): string {
  const { nbf: _nbf, retired_at: _retiredAt, ...material } = key.jwk as Record<string, unknown>;
  return JSON.stringify(Object.keys(material).sort().map((member) => [member, material[member]]));
}
