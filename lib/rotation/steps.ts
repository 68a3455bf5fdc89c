/**
 * The four steps of a scheduled rotation of the signing secret. Each step first asks where the
 * rotation stands (DescribeSecret), so a retried or repeated step finds its work done and does it
 * again only when it was not: Secrets Manager retries a failed step with the same token.
 */
import type { JWK } from 'jose';
import type { RotationConfig } from '../config';
import { MintError } from '../errors';
import type { SigningAlg } from '../keys/jwk';
import { importSigningKeys } from '../keys/signingKeys';
import { checkPendingKeySet, nextKeySet } from './pendingKeySet';
import { CURRENT, currentVersionId, PENDING, rotationStage, type RotationEvent, type RotationStep, type SecretVersions } from './protocol';

/** One version's value. */
interface StoredVersion {
  readonly versionId: string;
  readonly secretString: string;
}

/** What the steps need of Secrets Manager; lib/secrets/secretsManager.ts implements it. */
export interface RotationStore {
  describe(secretId: string): Promise<SecretVersions>;
  /** The value of the version with this label (and id); undefined when there is none or it holds no value yet. */
  getVersion(secretId: string, select: { readonly stage: string; readonly versionId?: string }): Promise<StoredVersion | undefined>;
  /** Stores the value as version `token`, labelled AWSPENDING; false when that version already holds a value. */
  putPending(secretId: string, token: string, secretString: string, rotationToken: string | undefined): Promise<boolean>;
  /** Moves AWSCURRENT from one version to another (AWSPREVIOUS follows the old one). */
  moveCurrent(secretId: string, toVersionId: string, fromVersionId: string): Promise<void>;
}

/** What a rotation step needs: the settings, the store, the clock and a key generator. */
export interface RotationDeps {
  readonly config: RotationConfig;
  readonly store: RotationStore;
  /** Milliseconds since the epoch; tests freeze it. */
  readonly now: () => number;
  readonly generateKey: (alg: SigningAlg) => Promise<JWK>;
}

/** What a step did, for the log: key ids and instants only, never key material. */
// A type alias rather than an interface, so it passes as plain log attributes.
export type StepOutcome = {
  readonly step: RotationStep;
  readonly versionId: string;
  readonly result: 'created' | 'already created' | 'nothing to set' | 'tested' | 'made current' | 'already current';
  /** createSecret: the new key, and when it starts signing (epoch seconds). */
  readonly kid?: string;
  readonly signsFrom?: number;
  readonly retired?: readonly string[];
  readonly dropped?: readonly string[];
  /** finishSecret: the version that was AWSCURRENT before. */
  readonly previousVersionId?: string;
};

/**
 * Runs one step of the rotation protocol.
 * @throws MintError ROTATION_REFUSED when the secret's state does not allow the step; SIGNING_KEY_UNUSABLE
 * when the current or the pending set would not load; SECRET_UNAVAILABLE when Secrets Manager fails.
 */
export async function runRotationStep(event: RotationEvent, deps: RotationDeps): Promise<StepOutcome> {
  const versions = await deps.store.describe(event.secretId);
  const done = { step: event.step, versionId: event.token } as const;
  if (rotationStage(versions, event.token, event.secretId) === 'current') return { ...done, result: 'already current' };
  switch (event.step) {
    case 'createSecret':
      return { ...done, ...(await createSecret(event, deps)) };
    case 'setSecret':
      // Nothing to set elsewhere: no other system holds the keys. Verifiers read the public halves
      // from the JWKS, which the service derives from AWSCURRENT.
      return { ...done, result: 'nothing to set' };
    case 'testSecret':
      await testSecret(event, deps);
      return { ...done, result: 'tested' };
    case 'finishSecret':
      return { ...done, result: 'made current', previousVersionId: await finishSecret(event, versions, deps) };
  }
}

async function createSecret(event: RotationEvent, deps: RotationDeps): Promise<Omit<StepOutcome, 'step' | 'versionId'>> {
  const { secretId, token } = event;
  if (await deps.store.getVersion(secretId, { stage: PENDING, versionId: token })) return { result: 'already created' };
  const current = await currentValue(event, deps);
  const newKey = await deps.generateKey(deps.config.signingAlgorithm);
  // Read after the key is made: an RSA key takes a while.
  const rotation = nextKeySet(current.secretString, newKey, deps.config, rotationSeconds(deps));
  const created = await deps.store.putPending(secretId, token, rotation.secretString, event.rotationToken);
  if (!created) return { result: 'already created' };
  return { result: 'created', kid: rotation.added, signsFrom: rotation.signsFrom, retired: rotation.retired, dropped: rotation.dropped };
}

async function testSecret(event: RotationEvent, deps: RotationDeps): Promise<void> {
  const { pending, current } = await bothValues(event, deps);
  const now = new Date(deps.now());
  try {
    // The service's own loading: what a container would refuse, this step refuses.
    await importSigningKeys(pending.secretString, now);
  } catch (error) {
    if (!(error instanceof MintError)) throw error;
    throw new MintError(error.code, `The pending key set would be refused by the service: ${error.message}`, { cause: error });
  }
  checkFollowsCurrent(event, pending, current, deps);
}

async function finishSecret(event: RotationEvent, versions: SecretVersions, deps: RotationDeps): Promise<string> {
  const previous = currentVersionId(versions, event.secretId);
  // Again, right before the move: AWSCURRENT may have been written since testSecret.
  const { pending, current } = await bothValues(event, deps);
  checkFollowsCurrent(event, pending, current, deps);
  await deps.store.moveCurrent(event.secretId, event.token, previous);
  return previous;
}

/**
 * The rotation's clock in whole seconds, rounded up: a new key's nbf is then never less than the
 * publish delay after the write, and the checks after createSecret see at least the instant it saw,
 * so a key it dropped as old enough is old enough for them too.
 */
function rotationSeconds(deps: RotationDeps): number {
  return Math.ceil(deps.now() / 1000);
}

async function currentValue(event: RotationEvent, deps: RotationDeps): Promise<StoredVersion> {
  const current = await deps.store.getVersion(event.secretId, { stage: CURRENT });
  if (current === undefined) throw new MintError('ROTATION_REFUSED', `Secret "${event.secretId}" has no ${CURRENT} value to rotate.`);
  return current;
}

async function bothValues(event: RotationEvent, deps: RotationDeps): Promise<{ pending: StoredVersion; current: StoredVersion }> {
  const pending = await deps.store.getVersion(event.secretId, { stage: PENDING, versionId: event.token });
  if (pending === undefined) {
    throw new MintError('ROTATION_REFUSED', `Version ${event.token} holds no value yet: createSecret has not stored the pending key set.`);
  }
  return { pending, current: await currentValue(event, deps) };
}

function checkFollowsCurrent(event: RotationEvent, pending: StoredVersion, current: StoredVersion, deps: RotationDeps): void {
  try {
    checkPendingKeySet(pending.secretString, current.secretString, deps.config, rotationSeconds(deps));
  } catch (error) {
    if (!(error instanceof MintError) || error.code !== 'ROTATION_REFUSED') throw error;
    throw new MintError(
      'ROTATION_REFUSED',
      `${error.message} Remove the ${PENDING} label from version ${event.token} and rotate again.`,
      { cause: error },
    );
  }
}
