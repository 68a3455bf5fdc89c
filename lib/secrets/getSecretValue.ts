/**
 * The function's own GetSecretValue: the AWS JSON 1.1 protocol over one node:https request,
 * signed by the SDK's own SigV4 signer (@smithy/signature-v4). The SDK client stays the client of
 * the tooling; the function does not load it, because loading and first using it is most of a
 * cold start (docs/decisions: the function's Secrets Manager client).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { MintError } from '../errors';
import type { FetchedSecret } from '../keys/keyCache';
import { describeStoreError, FETCH_LIMITS, type StoreAccess } from './store';

/** Error types worth one more attempt: the store is throttling us. A 5xx is retried too. */
const THROTTLING = new Set(['ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'Throttling']);

/**
 * Returns a function that fetches the AWSCURRENT version of one secret, with at most one retry
 * (on throttling, a 5xx, or a kept-alive connection the store had closed), after a jittered pause.
 * The function rejects with MintError SECRET_UNAVAILABLE (naming the store's error by
 * describeStoreError alone), or SIGNING_KEY_UNUSABLE for a binary secret.
 */
export function secretValueFetcher(
  access: StoreAccess,
  secretId: string,
  options: { readonly agent?: HttpAgent } = {},
): () => Promise<FetchedSecret> {
  const signer = new SignatureV4({ service: 'secretsmanager', region: access.region, credentials: access.credentials, sha256: Hash.bind(null, 'sha256') });
  const secure = access.endpoint.protocol === 'https:';
  // Kept alive: a container fetches once per cache window, and a warm connection saves the handshake.
  // A test may give an agent of its own, to connect to nowhere.
  const agent = options.agent ?? (secure ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 }));
  const body = JSON.stringify({ SecretId: secretId });

  return async () => {
    const signal = AbortSignal.timeout(FETCH_LIMITS.totalTimeoutMs);
    let answer: StoreAnswer;
    try {
      answer = await exchange();
      if (answer.retryable && !signal.aborted) {
        await pause(50 + Math.random() * 100);
        answer = await exchange();
      }
    } catch (error) {
      throw new MintError('SECRET_UNAVAILABLE', `Fetching secret "${secretId}" failed: ${describeStoreError(error)}`);
    }
    if (answer.status !== 200) {
      throw new MintError('SECRET_UNAVAILABLE', `Fetching secret "${secretId}" failed: ${describeStoreError(answer.error)}`);
    }
    return readSecret(answer, secretId);

    /** One signed attempt; a reused connection the store had closed is tried once more at once. */
    async function exchange(): Promise<StoreAnswer> {
      const signed = await signer.sign({
        method: 'POST',
        protocol: access.endpoint.protocol,
        hostname: access.endpoint.hostname,
        ...(access.endpoint.port ? { port: Number(access.endpoint.port) } : {}),
        path: access.endpoint.pathname,
        query: {},
        headers: {
          host: access.endpoint.host,
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'secretsmanager.GetSecretValue',
          'content-length': String(Buffer.byteLength(body)),
        },
        body,
      });
      return send(signed.headers as Record<string, string>, signal);
    }
  };

  function send(headers: Record<string, string>, signal: AbortSignal): Promise<StoreAnswer> {
    return new Promise((resolve, reject) => {
      const request = (secure ? httpsRequest : httpRequest)(access.endpoint, { method: 'POST', headers, agent, signal });
      const connectTimer = setTimeout(() => request.destroy(timeoutError('connect')), FETCH_LIMITS.connectionTimeoutMs);
      request.once('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      // No byte for requestTimeoutMs once connected: the store is not answering.
      request.setTimeout(FETCH_LIMITS.requestTimeoutMs, () => request.destroy(timeoutError('response')));
      request.once('error', (error) => {
        clearTimeout(connectTimer);
        // Node's advice for keep-alive: a connection the server closed while idle fails at reuse.
        if (request.reusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET' && !signal.aborted) {
          resolve({ status: 0, retryable: true, text: '', error });
          return;
        }
        reject(error);
      });
      request.once('response', (response) => {
        clearTimeout(connectTimer);
        readAnswer(response).then(resolve, reject);
      });
      request.end(body);
    });
  }
}

/** A store's answer: its status, its text, and for an error what kind. */
interface StoreAnswer {
  readonly status: number;
  readonly text: string;
  readonly retryable: boolean;
  /** For a failed answer: an error shaped as the SDK's, for describeStoreError. */
  readonly error?: unknown;
}

async function readAnswer(response: IncomingMessage): Promise<StoreAnswer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const status = response.statusCode ?? 0;
  const text = Buffer.concat(chunks).toString('utf8');
  if (status === 200) return { status, text, retryable: false };
  const type = errorType(text, response.headers['x-amzn-errortype']);
  const requestId = response.headers['x-amzn-requestid'];
  const error = Object.assign(new Error('store error'), { name: type, $metadata: { httpStatusCode: status, requestId } });
  return { status, text, retryable: status >= 500 || THROTTLING.has(type), error };
}

/** The AWS error code of a failed answer: the body's `__type`, else the header, without a namespace. */
function errorType(text: string, header: string | string[] | undefined): string {
  let type: unknown;
  try {
    type = (JSON.parse(text) as { __type?: unknown }).__type;
  } catch {
    type = undefined;
  }
  const raw = typeof type === 'string' ? type : typeof header === 'string' ? header : 'Error';
  // "com.amazonaws.secretsmanager#ResourceNotFoundException" and "ResourceNotFoundException:..." name the same error.
  return raw.split('#').at(-1)?.split(':')[0] ?? raw;
}

/**
 * The secret of a 200 answer.
 * @throws MintError SIGNING_KEY_UNUSABLE for a binary secret, SECRET_UNAVAILABLE for an answer that
 * is not the protocol's (described by its kind and status, never its text).
 */
function readSecret(answer: StoreAnswer, secretId: string): FetchedSecret {
  let output: { SecretString?: unknown; SecretBinary?: unknown; VersionId?: unknown };
  try {
    output = JSON.parse(answer.text) as typeof output;
  } catch {
    throw new MintError('SECRET_UNAVAILABLE', `Fetching secret "${secretId}" failed: the answer (HTTP 200) is not JSON.`);
  }
  if (typeof output?.SecretString !== 'string') {
    if (output?.SecretBinary !== undefined) {
      throw new MintError('SIGNING_KEY_UNUSABLE', `Secret "${secretId}" has no SecretString; store the key as text, not binary.`);
    }
    throw new MintError('SECRET_UNAVAILABLE', `Fetching secret "${secretId}" failed: the answer (HTTP 200) holds no SecretString.`);
  }
  return { secretString: output.SecretString, versionId: typeof output.VersionId === 'string' ? output.VersionId : undefined };
}

function timeoutError(phase: 'connect' | 'response'): Error {
  return Object.assign(new Error(`${phase} timeout`), { name: 'TimeoutError' });
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
