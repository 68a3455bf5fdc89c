/**
 * Stands in for lib/secrets/getSecretValue.ts in the bench's "SDK client" variant: the function
 * fetches its secret with @aws-sdk/client-secrets-manager, as it did before, and as the tooling does.
 */
import { createSecretsManagerClient, secretFetcher } from '../../lib/secrets/secretsManager';
import type { StoreAccess } from '../../lib/secrets/store';

export function secretValueFetcher(_access: StoreAccess, secretId: string) {
  return secretFetcher(createSecretsManagerClient(), secretId);
}
