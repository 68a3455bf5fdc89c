import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MintError } from '../errors';
import { describeStoreError, FETCH_LIMITS } from './store';
import type { FetchedSecret } from '../keys/keyCache';

/** Creates the Secrets Manager client with bounded timeouts and attempts. */
export function createSecretsManagerClient(): SecretsManagerClient {
  return new SecretsManagerClient({
    maxAttempts: FETCH_LIMITS.maxAttempts,
    requestHandler: {
      connectionTimeout: FETCH_LIMITS.connectionTimeoutMs,
      requestTimeout: FETCH_LIMITS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  });
}

/**
 * Returns a function that fetches the AWSCURRENT version of one secret.
 * The function rejects with MintError SECRET_UNAVAILABLE describing the store's error (see
 * describeStoreError), never carrying the error itself, whose message may quote the answer.
 */
export function secretFetcher(
  client: SecretsManagerClient,
  secretId: string,
): () => Promise<FetchedSecret> {
  return async () => {
    try {
      const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }), {
        abortSignal: AbortSignal.timeout(FETCH_LIMITS.totalTimeoutMs),
      });
      if (typeof output.SecretString !== 'string') {
        throw new MintError(
          'SIGNING_KEY_UNUSABLE',
          `Secret "${secretId}" has no SecretString; store the key as text, not binary.`,
        );
      }
      return { secretString: output.SecretString, versionId: output.VersionId };
    } catch (error) {
      if (error instanceof MintError) throw error;
      throw new MintError('SECRET_UNAVAILABLE', `Fetching secret "${secretId}" failed: ${describeStoreError(error)}`);
    }
  };
}

/**
 * Returns a function that writes a new version of one secret and makes it AWSCURRENT; the old
 * current becomes AWSPREVIOUS. Used by the key tooling, never by the service, whose role may only read.
 * The function rejects with MintError SECRET_UNAVAILABLE describing the store's error (see describeStoreError).
 */
export function secretWriter(
  client: SecretsManagerClient,
  secretId: string,
): (secretString: string) => Promise<{ versionId: string | undefined }> {
  return async (secretString) => {
    try {
      const output = await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: secretString }), {
        abortSignal: AbortSignal.timeout(FETCH_LIMITS.totalTimeoutMs),
      });
      return { versionId: output.VersionId };
    } catch (error) {
      throw new MintError('SECRET_UNAVAILABLE', `Writing secret "${secretId}" failed: ${describeStoreError(error)}`);
    }
  };
}
