import { loadRotationConfig } from '../config';
import { generateSigningJwk } from '../keys/rotation';
import { createSecretsManagerClient, ROTATION_CALL_LIMITS, rotationStore } from '../secrets/secretsManager';
import type { RotationDeps } from './steps';

/**
 * Builds the rotation function's dependencies from the environment, once per container: its
 * settings, the Secrets Manager client, the clock and the key generator. Tests replace the last three.
 * @throws ConfigError naming the bad variable.
 */
export function createRotationRuntime(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Partial<Pick<RotationDeps, 'store' | 'now' | 'generateKey'>> = {},
): RotationDeps {
  return {
    config: loadRotationConfig(env),
    store: overrides.store ?? rotationStore(createSecretsManagerClient(ROTATION_CALL_LIMITS)),
    now: overrides.now ?? Date.now,
    generateKey: overrides.generateKey ?? generateSigningJwk,
  };
}
