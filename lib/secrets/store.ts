/**
 * What both clients of Secrets Manager share: where the store is and as whom to ask, the bounds on
 * one fetch, and how an error of the store is written down. The function fetches with its own
 * client (getSecretValue.ts); the tooling uses the SDK's (secretsManager.ts).
 */
import { ConfigError } from '../config';

/** Where and as whom to ask: what a Lambda container's environment says. */
export interface StoreAccess {
  readonly endpoint: URL;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
}

/**
 * Reads the store's address and the credentials from the environment, as Lambda sets them:
 * AWS_REGION, AWS_ENDPOINT_URL_SECRETS_MANAGER (the SDK's own override), AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.
 * @throws ConfigError naming what is missing or malformed.
 */
export function storeAccessFrom(env: Readonly<Record<string, string | undefined>>): StoreAccess {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new ConfigError('AWS_REGION must be set: Lambda sets it, and so must any other place the function runs');
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set: Lambda sets them from the function\'s role');
  }
  let endpoint: URL;
  try {
    endpoint = new URL(env.AWS_ENDPOINT_URL_SECRETS_MANAGER || `https://secretsmanager.${region}.amazonaws.com`);
  } catch {
    throw new ConfigError('AWS_ENDPOINT_URL_SECRETS_MANAGER must be a URL');
  }
  return { endpoint, region, credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } };
}


/** How many attempts, and how long, one call may take. */
export interface CallLimits {
  readonly maxAttempts: number;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** The whole call, retries included. */
  readonly totalTimeoutMs: number;
}

/**
 * Bounds on one fetch. A caller waiting on a token should hear 503 well inside the function's
 * timeout, rather than wait on retries.
 */
export const FETCH_LIMITS: CallLimits = Object.freeze({
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
  // By shape, not instanceof: an error made in another realm (a vm context, a worker) is an error too.
  if (typeof error !== 'object' || error === null) return 'an unrecognised error';
  const { name, code, $metadata: metadata } = error as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown; requestId?: unknown } };
  return [
    typeof name === 'string' && KNOWN_ERROR_NAMES.has(name) ? name : 'an unrecognised error',
    typeof code === 'string' && /^E[A-Z_]{2,20}$/.test(code) ? code : undefined,
    Number.isInteger(metadata?.httpStatusCode) ? `HTTP ${String(metadata?.httpStatusCode)}` : undefined,
    typeof metadata?.requestId === 'string' && UUID.test(metadata.requestId) ? `request id ${metadata.requestId}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
