import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { MintError } from '../errors';
import { describeStoreError, FETCH_LIMITS, type CallLimits } from './store';
import type { FetchedSecret } from '../keys/keyCache';
import { CURRENT, PENDING } from '../rotation/protocol';
import type { RotationStore } from '../rotation/steps';

/**
 * Bounds on each call of the rotation function. No caller is waiting, so it may retry more and wait
 * longer; four calls at most per step stay well inside the function's timeout.
 */
export const ROTATION_CALL_LIMITS: CallLimits = Object.freeze({
  maxAttempts: 3,
  connectionTimeoutMs: 2000,
  requestTimeoutMs: 5000,
  totalTimeoutMs: 10_000,
});

/** Creates the Secrets Manager client with bounded timeouts and attempts. */
export function createSecretsManagerClient(limits: CallLimits = FETCH_LIMITS): SecretsManagerClient {
  return new SecretsManagerClient({
    maxAttempts: limits.maxAttempts,
    requestHandler: {
      connectionTimeout: limits.connectionTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Without it, requestTimeout only logs a warning and the call keeps waiting.
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

/**
 * The rotation function's calls: DescribeSecret, GetSecretValue, PutSecretValue and
 * UpdateSecretVersionStage on the secret the event names, each bounded by `limits`.
 * Its methods reject with MintError SECRET_UNAVAILABLE describing the store's error (see describeStoreError).
 */
export function rotationStore(client: SecretsManagerClient, limits: CallLimits = ROTATION_CALL_LIMITS): RotationStore {
  const send = async <Output>(operation: string, secretId: string, call: (abortSignal: AbortSignal) => Promise<Output>): Promise<Output> => {
    try {
      return await call(AbortSignal.timeout(limits.totalTimeoutMs));
    } catch (error) {
      if (error instanceof MintError) throw error;
      throw new MintError('SECRET_UNAVAILABLE', `${operation} on secret "${secretId}" failed: ${describeStoreError(error)}`);
    }
  };
  return {
    describe: (secretId) =>
      send('DescribeSecret', secretId, async (abortSignal) => {
        const output = await client.send(new DescribeSecretCommand({ SecretId: secretId }), { abortSignal });
        return { rotationEnabled: output.RotationEnabled === true, stagesByVersion: output.VersionIdsToStages ?? {} };
      }),
    getVersion: (secretId, select) =>
      send('GetSecretValue', secretId, async (abortSignal) => {
        try {
          const output = await client.send(
            new GetSecretValueCommand({ SecretId: secretId, VersionStage: select.stage, VersionId: select.versionId }),
            { abortSignal },
          );
          if (typeof output.SecretString !== 'string') {
            throw new MintError('SIGNING_KEY_UNUSABLE', `Secret "${secretId}" holds binary data, not a key set.`);
          }
          return { versionId: String(output.VersionId), secretString: output.SecretString };
        } catch (error) {
          // Also the answer for the empty version a rotation starts with, before createSecret fills it.
          if (errorName(error) === 'ResourceNotFoundException') return undefined;
          throw error;
        }
      }),
    putPending: (secretId, token, secretString, rotationToken) =>
      send('PutSecretValue', secretId, async (abortSignal) => {
        try {
          await client.send(
            new PutSecretValueCommand({
              SecretId: secretId,
              ClientRequestToken: token,
              SecretString: secretString,
              VersionStages: [PENDING],
              RotationToken: rotationToken,
            }),
            { abortSignal },
          );
          return true;
        } catch (error) {
          // The version holds another value already: a concurrent createSecret stored first.
          if (errorName(error) === 'ResourceExistsException') return false;
          throw error;
        }
      }),
    moveCurrent: (secretId, toVersionId, fromVersionId) =>
      send('UpdateSecretVersionStage', secretId, async (abortSignal) => {
        await client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: secretId,
            VersionStage: CURRENT,
            MoveToVersionId: toVersionId,
            RemoveFromVersionId: fromVersionId,
          }),
          { abortSignal },
        );
      }),
  };
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
