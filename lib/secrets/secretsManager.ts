import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeError, MintError } from '../errors';
import type { FetchedSecret } from '../keys/keyCache';

/**
 * Bounds on one fetch. The SDK's defaults can spend seconds retrying a throttled call; a caller
 * waiting on a token should hear 503 sooner than that.
 */
export const FETCH_LIMITS = Object.freeze({
  maxAttempts: 2,
  connectionTimeoutMs: 1000,
  requestTimeoutMs: 1000,
  totalTimeoutMs: 2500,
});

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
 * The function rejects with MintError SECRET_UNAVAILABLE, carrying the SDK error as its cause.
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
      throw new MintError('SECRET_UNAVAILABLE', `Fetching secret "${secretId}" failed: ${describeError(error)}`, {
        cause: error,
      });
    }
  };
}

/**
 * Returns a function that writes a new version of one secret and makes it AWSCURRENT; the old
 * current becomes AWSPREVIOUS. Used by the key tooling, never by the service, whose role may only read.
 * The function rejects with MintError SECRET_UNAVAILABLE, carrying the SDK error as its cause.
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
      throw new MintError('SECRET_UNAVAILABLE', `Writing secret "${secretId}" failed: ${describeError(error)}`, {
        cause: error,
      });
    }
  };
}
