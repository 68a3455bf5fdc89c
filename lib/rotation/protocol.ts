/**
 * The Secrets Manager rotation protocol, as far as it is the same for every secret: the event that
 * invokes a rotation function, and the staging labels that say where a rotation stands. Pure.
 *
 * Secrets Manager starts a rotation by labelling a new, still empty version AWSPENDING, its
 * VersionId being the event's ClientRequestToken, and then invokes the function once per step:
 * createSecret, setSecret, testSecret, finishSecret. It retries a failed step with the same token,
 * so every step must be safe to run again.
 */
import * as v from 'valibot';
import { MintError } from '../errors';

export const CURRENT = 'AWSCURRENT';
export const PENDING = 'AWSPENDING';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

const RotationEventSchema = v.object({
  Step: v.picklist(ROTATION_STEPS, `Step must be one of ${ROTATION_STEPS.join(', ')}`),
  SecretId: v.pipe(v.string('SecretId must be a string'), v.nonEmpty('SecretId must not be empty')),
  ClientRequestToken: v.pipe(v.string('ClientRequestToken must be a string'), v.nonEmpty('ClientRequestToken must not be empty')),
  // Only for a rotation function in another account that assumes a role; passed on to PutSecretValue.
  RotationToken: v.optional(v.string('RotationToken must be a string')),
});

/** One invocation of the rotation function. */
export interface RotationEvent {
  readonly step: RotationStep;
  readonly secretId: string;
  /** The VersionId of the version this rotation creates. */
  readonly token: string;
  readonly rotationToken: string | undefined;
}

/** What DescribeSecret says of a secret's rotation. */
export interface SecretVersions {
  readonly rotationEnabled: boolean;
  /** The staging labels of each version that has any. */
  readonly stagesByVersion: Readonly<Record<string, readonly string[]>>;
}

/**
 * Reads a rotation event.
 * @throws MintError ROTATION_REFUSED naming the bad member.
 */
export function parseRotationEvent(event: unknown): RotationEvent {
  const parsed = v.safeParse(RotationEventSchema, event);
  if (!parsed.success) {
    throw new MintError('ROTATION_REFUSED', `Not a Secrets Manager rotation event: ${parsed.issues[0].message}.`);
  }
  const { Step, SecretId, ClientRequestToken, RotationToken } = parsed.output;
  return { step: Step, secretId: SecretId, token: ClientRequestToken, rotationToken: RotationToken };
}

/**
 * Where the rotation of `token` stands: 'current' once finishSecret has moved AWSCURRENT to it (every
 * step then has nothing left to do), 'pending' while it is under way.
 * @throws MintError ROTATION_REFUSED when rotation is off, or the token is no pending version of the secret.
 */
export function rotationStage(versions: SecretVersions, token: string, secretId: string): 'current' | 'pending' {
  if (!versions.rotationEnabled) {
    throw new MintError('ROTATION_REFUSED', `Secret "${secretId}" does not have rotation turned on; no step runs.`);
  }
  const stages = Object.hasOwn(versions.stagesByVersion, token) ? versions.stagesByVersion[token] : undefined;
  if (stages === undefined) {
    throw new MintError('ROTATION_REFUSED', `Version ${token} is not a version of secret "${secretId}" with a staging label.`);
  }
  if (stages.includes(CURRENT)) return 'current';
  if (!stages.includes(PENDING)) {
    throw new MintError('ROTATION_REFUSED', `Version ${token} of secret "${secretId}" is not labelled ${PENDING}; it is not being rotated to.`);
  }
  return 'pending';
}

/**
 * The VersionId that holds AWSCURRENT.
 * @throws MintError ROTATION_REFUSED when no version does.
 */
export function currentVersionId(versions: SecretVersions, secretId: string): string {
  const found = Object.entries(versions.stagesByVersion).find(([, stages]) => stages.includes(CURRENT));
  if (found === undefined) throw new MintError('ROTATION_REFUSED', `Secret "${secretId}" has no ${CURRENT} version.`);
  return found[0];
}
