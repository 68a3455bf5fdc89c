import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MintError } from '../errors';
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

/**
 * The error names a store answer may carry that are safe to write down: those of the Secrets
 * Manager API, the AWS protocol, and JavaScript. Anything else (a proxy's error type, which could
 * hold any text, the secret's included) is written as "an unrecognised error".
 */
const KNOWN_ERROR_NAMES = new Set([
  'AccessDeniedException', 'DecryptionFailure', 'EncryptionFailure', 'ExpiredTokenException', 'IncompleteSignature',
  'InternalFailure', 'InternalServiceError', 'InvalidClientTokenId', 'InvalidNextTokenException', 'InvalidParameterException',
  'InvalidRequestException', 'InvalidSignatureException', 'LimitExceededException', 'MissingAuthenticationTokenException',
  'PreconditionNotMetException', 'RequestExpired', 'ResourceExistsException', 'ResourceNotFoundException',
  'SerializationException', 'ServiceUnavailable', 'ThrottlingException', 'TooManyRequestsException',
  'UnknownOperationException', 'UnrecognizedClientException', 'ValidationException',
  'AbortError', 'CredentialsProviderError', 'Error', 'ProviderError', 'RangeError', 'SyntaxError', 'TimeoutError', 'TypeError',
]);

/**
 * A store error as one line for the log: its name, Node error code, HTTP status and request id,
 * each only when it has the form such a value has. Never its message: a parse error quotes the
 * answer's first characters, and an answer can hold the secret.
 */
export function describeStoreError(error: unknown): string {
  if (!(error instanceof Error)) return 'an unrecognised error';
  const { code, $metadata: metadata } = error as { code?: unknown; $metadata?: { httpStatusCode?: unknown; requestId?: unknown } };
  return [
    KNOWN_ERROR_NAMES.has(error.name) ? error.name : 'an unrecognised error',
    typeof code === 'string' && /^E[A-Z_]{2,20}$/.test(code) ? code : undefined,
    Number.isInteger(metadata?.httpStatusCode) ? `HTTP ${String(metadata?.httpStatusCode)}` : undefined,
    typeof metadata?.requestId === 'string' && UUID.test(metadata.requestId) ? `request id ${metadata.requestId}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
