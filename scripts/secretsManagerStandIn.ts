/**
 * A local stand-in for AWS Secrets Manager that speaks the real AWS JSON 1.1 wire protocol, so a
 * real client (the SDK's, or the function's own) can talk to it (via `AWS_ENDPOINT_URL_SECRETS_MANAGER`
 * or the client's `endpoint` option) and tests can inject faults. It checks each request's SigV4
 * signature as the real service does (sigv4Check.ts), for the dummy identities local, test and bench.
 * It answers GetSecretValue, PutSecretValue, DescribeSecret and CreateSecret, and the rotation API
 * (RotateSecret, UpdateSecretVersionStage; see withRotation).
 *
 * CLI: npx tsx scripts/secretsManagerStandIn.ts --port 4566 --secret-id my/secret --secret-string '...'
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { signatureRefusal, STAND_IN_CREDENTIALS } from './sigv4Check';

/** A failure mode the stand-in can be told to produce instead of (or before) a normal answer. */
export type StandInFault =
  | { kind: 'ResourceNotFoundException' }
  | { kind: 'AccessDeniedException' }
  | { kind: 'DecryptionFailure' }
  | { kind: 'ThrottlingException' }
  | { kind: 'InternalServiceError' }
  | { kind: 'ConnectionRefused' }
  | { kind: 'Slow'; delayMs: number }
  | { kind: 'MalformedAnswer'; shape: MalformedShape };

/**
 * Answers a misbehaving proxy or store could give to GetSecretValue, each holding the secret's
 * text: what a client must never quote back into a log.
 */
export const MALFORMED_SHAPES = Object.freeze([
  'secret-as-body',
  'unquoted-secret-string',
  'truncated-json',
  'html-page',
  'error-quoting-the-secret',
  'secret-in-error-type',
  'secret-as-request-id',
] as const);
export type MalformedShape = (typeof MALFORMED_SHAPES)[number];

/** The status and body of one malformed answer for `secretString`. */
function malformedAnswer(shape: MalformedShape, secretString: string): { status: number; body: string; type?: string; requestId?: string } {
  switch (shape) {
    case 'secret-as-body':
      return { status: 200, body: secretString };
    case 'unquoted-secret-string':
      return { status: 200, body: `{"SecretString":${secretString},"VersionId":"v"}` };
    case 'truncated-json':
      return { status: 200, body: JSON.stringify({ SecretString: secretString, VersionId: 'v' }).slice(0, 20 + secretString.length / 2) };
    case 'html-page':
      return { status: 502, body: `<html><body><h1>Bad Gateway</h1><pre>${secretString}</pre></body></html>` };
    case 'error-quoting-the-secret':
      return { status: 400, body: JSON.stringify({ __type: 'ValidationException', message: `Value ${secretString} is invalid` }) };
    case 'secret-in-error-type':
      return { status: 400, body: JSON.stringify({ __type: secretString, message: 'odd' }), type: secretString };
    case 'secret-as-request-id':
      return { status: 500, body: JSON.stringify({ __type: 'InternalServiceError', message: 'odd' }), requestId: secretString };
  }
}

/** A running stand-in: its endpoint, its secrets, and the knobs tests use to inject faults. */
export interface SecretsManagerStandIn {
  /** Base URL for AWS_ENDPOINT_URL_SECRETS_MANAGER or the client's `endpoint` option, e.g. http://127.0.0.1:45123. */
  readonly endpoint: string;
  /** The port actually bound (resolved when 0 was asked for); it survives a ConnectionRefused fault. */
  readonly port: number;
  /** Sets the secret's current value (creating the secret if needed): a new version (random VersionId) labelled AWSCURRENT; the previous current becomes AWSPREVIOUS. */
  putSecret(secretId: string, secretString: string): void;
  /** Like putSecret, but the new version holds binary data: GetSecretValue returns SecretBinary and no SecretString. */
  putSecretBinary(secretId: string, secretBinary: Uint8Array): void;
  /** Faults apply to every API call until cleared; `times` limits it to the next N calls. */
  injectFault(fault: StandInFault, options?: { times?: number }): Promise<void>;
  /** Removes the current fault, listening again on the same port if it was ConnectionRefused. */
  clearFault(): Promise<void>;
  /** Count of API calls received, by operation name (e.g. GetSecretValue), including those answered with a fault. */
  callCount(operation?: string): number;
  /** Zeroes every call count. */
  resetCallCount(): void;
  /** TCP connections accepted so far: shows whether a client keeps its connection alive. */
  connectionCount(): number;
  /** Closes the connections that are open and idle, as a server does after its keep-alive timeout. */
  closeIdleConnections(): void;
  /** Stops listening, drops open connections and pending Slow answers; the stand-in cannot be restarted. */
  close(): Promise<void>;
}

// The real service answers every one of these with 400 except InternalServiceError; the SDK
// classifies ThrottlingException as retryable by its name, not by its status.
const FAULT_STATUS = {
  ResourceNotFoundException: 400,
  AccessDeniedException: 400,
  DecryptionFailure: 400,
  ThrottlingException: 400,
  InternalServiceError: 500,
} as const;

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const PENDING = 'AWSPENDING';

interface Version {
  id: string;
  /** The secret's text; for a binary version, its bytes in base64, which is how the JSON protocol carries blobs. */
  secretString: string;
  binary: boolean;
  stages: string[];
  created: number; // epoch seconds, which is how the JSON protocol carries timestamps
}

interface Secret {
  name: string;
  arn: string;
  versions: Map<string, Version>;
  lastChanged: number;
}

type Input = Record<string, unknown>;

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const nowSeconds = (): number => Date.now() / 1000;

function stringField(input: Input, key: string, required: true): string;
function stringField(input: Input, key: string, required?: false): string | undefined;
function stringField(input: Input, key: string, required = false): string | undefined {
  const value = input[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string') throw new ApiError('InvalidParameterException', `${key} must be a string.`);
  return value;
}

/** The secrets and their versions, with the staging-label rules the real service applies. */
class SecretStore {
  private readonly secrets = new Map<string, Secret>();

  create(name: string): Secret {
    if (this.secrets.has(name)) {
      throw new ApiError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    }
    // Real ARNs end in a random 6-character suffix, so callers must not build ARNs from names.
    const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${randomBytes(3).toString('hex')}`;
    const secret: Secret = { name, arn, versions: new Map(), lastChanged: nowSeconds() };
    this.secrets.set(name, secret);
    return secret;
  }

  find(secretId: string): Secret {
    const secret = this.secrets.get(secretId) ?? [...this.secrets.values()].find((s) => s.arn === secretId);
    if (!secret) throw new ApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  findOrCreate(secretId: string): Secret {
    return this.secrets.get(secretId) ?? [...this.secrets.values()].find((s) => s.arn === secretId) ?? this.create(secretId);
  }

  /** Adds a version and moves the given labels onto it; moving AWSCURRENT demotes the old current to AWSPREVIOUS. */
  addVersion(secret: Secret, secretString: string, versionId: string, stages: string[], binary = false): Version {
    const existing = secret.versions.get(versionId);
    if (existing) {
      // The SDK always sends a ClientRequestToken (used as VersionId), so a retry must be idempotent.
      if (existing.secretString === secretString && existing.binary === binary) return existing;
      throw new ApiError('ResourceExistsException', `A version with VersionId ${versionId} already exists with different contents.`);
    }
    const oldCurrent = [...secret.versions.values()].find((v) => v.stages.includes(CURRENT));
    for (const v of secret.versions.values()) v.stages = v.stages.filter((s) => !stages.includes(s));
    if (oldCurrent && stages.includes(CURRENT)) {
      for (const v of secret.versions.values()) v.stages = v.stages.filter((s) => s !== PREVIOUS);
      oldCurrent.stages.push(PREVIOUS);
    }
    const version: Version = { id: versionId, secretString, binary, stages: [...new Set(stages)], created: nowSeconds() };
    secret.versions.set(versionId, version);
    secret.lastChanged = version.created;
    return version;
  }

  findVersion(secret: Secret, versionId: string | undefined, stage: string | undefined): Version {
    const wantedStage = stage ?? (versionId === undefined ? CURRENT : undefined);
    const version = versionId !== undefined
      ? secret.versions.get(versionId)
      : [...secret.versions.values()].find((v) => wantedStage !== undefined && v.stages.includes(wantedStage));
    if (!version || (wantedStage !== undefined && !version.stages.includes(wantedStage))) {
      throw new ApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for the given VersionId or VersionStage.");
    }
    return version;
  }
}

function operations(store: SecretStore): Record<string, (input: Input) => object> {
  return {
    GetSecretValue(input) {
      const secret = store.find(stringField(input, 'SecretId', true));
      const v = store.findVersion(secret, stringField(input, 'VersionId'), stringField(input, 'VersionStage'));
      const value = v.binary ? { SecretBinary: v.secretString } : { SecretString: v.secretString };
      return { ARN: secret.arn, Name: secret.name, VersionId: v.id, ...value, VersionStages: v.stages, CreatedDate: v.created };
    },
    PutSecretValue(input) {
      const secret = store.find(stringField(input, 'SecretId', true));
      const stages = input.VersionStages ?? [CURRENT];
      if (!Array.isArray(stages) || !stages.every((s): s is string => typeof s === 'string')) {
        throw new ApiError('InvalidParameterException', 'VersionStages must be a list of strings.');
      }
      const v = store.addVersion(secret, stringField(input, 'SecretString', true), stringField(input, 'ClientRequestToken') ?? randomUUID(), stages);
      return { ARN: secret.arn, Name: secret.name, VersionId: v.id, VersionStages: v.stages };
    },
    DescribeSecret(input) {
      const secret = store.find(stringField(input, 'SecretId', true));
      // Versions without labels are deprecated; the real service leaves them out of this map.
      const labelled = [...secret.versions.values()].filter((v) => v.stages.length > 0);
      const VersionIdsToStages = Object.fromEntries(labelled.map((v) => [v.id, v.stages]));
      return { ARN: secret.arn, Name: secret.name, VersionIdsToStages, LastChangedDate: secret.lastChanged };
    },
    CreateSecret(input) {
      const secret = store.create(stringField(input, 'Name', true));
      const secretString = stringField(input, 'SecretString');
      if (secretString === undefined) return { ARN: secret.arn, Name: secret.name };
      const v = store.addVersion(secret, secretString, stringField(input, 'ClientRequestToken') ?? randomUUID(), [CURRENT]);
      return { ARN: secret.arn, Name: secret.name, VersionId: v.id };
    },
  };
}

type Operations = Record<string, (input: Input) => object>;

/** What RotateSecret configured on a secret: DescribeSecret reports it. */
interface RotationSettings {
  enabled: boolean;
  lambdaArn: string | undefined;
  rules: unknown;
}

/**
 * The rotation API over `base`: RotateSecret, UpdateSecretVersionStage, and DescribeSecret,
 * GetSecretValue and PutSecretValue as rotation sees them. RotateSecret does what the service does
 * before it invokes the rotation function: it turns rotation on and labels a new, empty version
 * AWSPENDING. Invoking the function for each step is left to whoever plays Secrets Manager's part
 * (`npm run rotate -- --local`, the tests).
 */
function withRotation(store: SecretStore, base: Operations): Operations {
  const rotations = new WeakMap<Secret, RotationSettings>();
  /** Versions RotateSecret created that hold no value yet: GetSecretValue cannot find their value. */
  const empty = new WeakSet<Version>();
  const call = (operation: string, input: Input): object => (base[operation] as (input: Input) => object)(input);

  return {
    ...base,
    DescribeSecret(input) {
      const secret = store.find(stringField(input, 'SecretId', true));
      const rotation = rotations.get(secret);
      return {
        ...call('DescribeSecret', input),
        RotationEnabled: rotation?.enabled ?? false,
        ...(rotation?.lambdaArn === undefined ? {} : { RotationLambdaARN: rotation.lambdaArn }),
        ...(rotation?.rules === undefined ? {} : { RotationRules: rotation.rules }),
      };
    },
    GetSecretValue(input) {
      const secret = store.find(stringField(input, 'SecretId', true));
      const version = store.findVersion(secret, stringField(input, 'VersionId'), stringField(input, 'VersionStage'));
      if (empty.has(version)) {
        throw new ApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for the given VersionId or VersionStage.");
      }
      return call('GetSecretValue', input);
    },
    PutSecretValue(input) {
      const secret = store.find(stringField(input, 'SecretId', true));
      const token = stringField(input, 'ClientRequestToken');
      const version = token === undefined ? undefined : secret.versions.get(token);
      // Same token and value: ignored; same token, another value: ResourceExistsException (in base).
      // Only the empty version a rotation started takes its first value.
      if (version === undefined || !empty.has(version)) return call('PutSecretValue', input);
      const stages = input.VersionStages ?? [CURRENT];
      if (!Array.isArray(stages) || !stages.every((s): s is string => typeof s === 'string')) {
        throw new ApiError('InvalidParameterException', 'VersionStages must be a list of strings.');
      }
      version.secretString = stringField(input, 'SecretString', true);
      empty.delete(version);
      for (const stage of stages) moveStage(secret, stage, version);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages };
    },
    UpdateSecretVersionStage(input) {
      const secret = store.find(stringField(input, 'SecretId', true));
      const stage = stringField(input, 'VersionStage', true);
      const moveTo = stringField(input, 'MoveToVersionId');
      const removeFrom = stringField(input, 'RemoveFromVersionId');
      const holder = [...secret.versions.values()].find((v) => v.stages.includes(stage));
      if (removeFrom !== undefined && holder?.id !== removeFrom) {
        throw new ApiError('InvalidParameterException', `The staging label ${stage} is not attached to version ${removeFrom}.`);
      }
      if (moveTo === undefined) {
        if (removeFrom === undefined || stage === CURRENT) {
          throw new ApiError('InvalidParameterException', `Give MoveToVersionId to move ${stage}, or RemoveFromVersionId to remove a label other than ${CURRENT}.`);
        }
        (holder as Version).stages = (holder as Version).stages.filter((s) => s !== stage);
        return { ARN: secret.arn, Name: secret.name };
      }
      const target = secret.versions.get(moveTo);
      if (target === undefined) throw new ApiError('ResourceNotFoundException', `Secrets Manager can't find version ${moveTo}.`);
      if (holder !== undefined && holder !== target && removeFrom === undefined) {
        throw new ApiError(
          'InvalidParameterException',
          `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      moveStage(secret, stage, target);
      // As at the end of a rotation: the version made current keeps no AWSPENDING label.
      if (stage === CURRENT) target.stages = target.stages.filter((s) => s !== PENDING);
      return { ARN: secret.arn, Name: secret.name };
    },
    RotateSecret(input) {
      const secret = store.find(stringField(input, 'SecretId', true));
      const previous = rotations.get(secret);
      const lambdaArn = stringField(input, 'RotationLambdaARN') ?? previous?.lambdaArn;
      if (lambdaArn === undefined) {
        throw new ApiError('InvalidRequestException', 'No Lambda rotation function ARN is associated with this secret.');
      }
      const unfinished = [...secret.versions.values()].find((v) => v.stages.includes(PENDING) && !v.stages.includes(CURRENT));
      if (unfinished !== undefined) {
        throw new ApiError('InvalidRequestException', "A previous rotation isn't complete. That rotation will be reattempted.");
      }
      rotations.set(secret, { enabled: true, lambdaArn, rules: input.RotationRules ?? previous?.rules });
      if (input.RotateImmediately === false) return { ARN: secret.arn, Name: secret.name };
      const version = store.addVersion(secret, '', stringField(input, 'ClientRequestToken') ?? randomUUID(), [PENDING]);
      empty.add(version);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id };
    },
  };
}

/** Attaches `stage` to `target` alone; moving AWSCURRENT moves AWSPREVIOUS to the version it left. */
function moveStage(secret: Secret, stage: string, target: Version): void {
  const holder = [...secret.versions.values()].find((v) => v.stages.includes(stage));
  if (holder === target) return;
  if (holder !== undefined) holder.stages = holder.stages.filter((s) => s !== stage);
  if (stage === CURRENT && holder !== undefined) {
    for (const v of secret.versions.values()) v.stages = v.stages.filter((s) => s !== PREVIOUS);
    holder.stages.push(PREVIOUS);
  }
  target.stages.push(stage);
  secret.lastChanged = nowSeconds();
}

function send(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(), // the SDK surfaces this as $metadata.requestId
    ...headers,
  });
  res.end(payload);
}

function sendError(res: ServerResponse, error: ApiError): void {
  // The SDK reads the body's __type first and the header only as a fallback; send both like AWS does.
  send(res, error.status, { __type: error.type, message: error.message }, { 'x-amzn-errortype': error.type });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a stand-in on `host` (default 127.0.0.1) and `port` (default: an ephemeral one), seeded with `secrets`. */
export async function startSecretsManagerStandIn(
  options: { port?: number; host?: string; secrets?: Record<string, string>; credentials?: Record<string, string> } = {},
): Promise<SecretsManagerStandIn> {
  const host = options.host ?? '127.0.0.1';
  // The identities whose signatures it accepts: an access key id and its secret key.
  const credentials = options.credentials ?? STAND_IN_CREDENTIALS;
  const store = new SecretStore();
  const ops = withRotation(store, operations(store));
  const counts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let fault: StandInFault | undefined;
  let faultCallsLeft: number | undefined;
  let listening = false;
  let closed = false;

  const putSecret = (secretId: string, secretString: string): void => {
    store.addVersion(store.findOrCreate(secretId), secretString, randomUUID(), [CURRENT]);
  };
  const putSecretBinary = (secretId: string, secretBinary: Uint8Array): void => {
    store.addVersion(store.findOrCreate(secretId), Buffer.from(secretBinary).toString('base64'), randomUUID(), [CURRENT], true);
  };
  for (const [id, value] of Object.entries(options.secrets ?? {})) putSecret(id, value);

  /** The current text of the secret a request body names, for a malformed answer to quote. */
  const currentSecretOf = (body: string): string => {
    try {
      const secretId = (JSON.parse(body) as { SecretId?: unknown }).SecretId;
      return typeof secretId === 'string' ? store.findVersion(store.find(secretId), undefined, CURRENT).secretString : '';
    } catch {
      return '';
    }
  };

  const takeFault = (): StandInFault | undefined => {
    const current = fault;
    if (current && faultCallsLeft !== undefined && --faultCallsLeft <= 0) {
      fault = undefined;
      faultCallsLeft = undefined;
    }
    return current;
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const rawTarget = req.headers['x-amz-target'];
    const target = typeof rawTarget === 'string' ? rawTarget : '';
    const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : target;
    counts.set(operation, (counts.get(operation) ?? 0) + 1);

    const active = takeFault();
    if (active?.kind === 'Slow') await sleep(active.delayMs);
    else if (active?.kind === 'MalformedAnswer') {
      const answer = malformedAnswer(active.shape, currentSecretOf(body));
      res.writeHead(answer.status, {
        'content-type': active.shape === 'html-page' ? 'text/html' : 'application/x-amz-json-1.1',
        'x-amzn-requestid': answer.requestId ?? randomUUID(),
        ...(answer.type === undefined ? {} : { 'x-amzn-errortype': answer.type }),
      });
      return void res.end(answer.body);
    } else if (active && active.kind !== 'ConnectionRefused') {
      return sendError(res, new ApiError(active.kind, `Injected fault: ${active.kind}`, FAULT_STATUS[active.kind]));
    }

    // Checked as the real service checks it, so a signing mistake fails here rather than in AWS.
    const refusal = await signatureRefusal(req, body, { region: REGION, service: 'secretsmanager', credentials });
    if (refusal) return sendError(res, new ApiError(refusal.type, refusal.message, refusal.status));
    const op = Object.hasOwn(ops, operation) ? ops[operation] : undefined;
    if (req.method !== 'POST' || !op) {
      return sendError(res, new ApiError('UnknownOperationException', `Unknown operation ${target}`));
    }
    let input: unknown;
    try {
      input = JSON.parse(body || '{}');
    } catch {
      return sendError(res, new ApiError('SerializationException', 'Request body is not valid JSON.'));
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return sendError(res, new ApiError('SerializationException', 'Request body must be a JSON object.'));
    }
    send(res, 200, op(input as Input));
  };

  let connections = 0;
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      sendError(res, error instanceof ApiError ? error : new ApiError('InternalServiceError', String(error), 500));
    });
  });
  server.on('connection', () => void connections++);

  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        listening = true;
        resolve();
      });
    });

  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      if (!listening) return resolve();
      listening = false;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.close(() => resolve());
      // The SDK keeps connections alive; without this they would keep being served after "refusing".
      server.closeAllConnections();
    });

  await listen(options.port ?? 0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('stand-in is not listening on TCP');
  const port = address.port; // remembered so a cleared ConnectionRefused listens on the same endpoint again
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const clearFault = async (): Promise<void> => {
    fault = undefined;
    faultCallsLeft = undefined;
    if (!listening && !closed) await listen(port);
  };

  return {
    endpoint,
    port,
    putSecret,
    putSecretBinary,
    async injectFault(next, { times } = {}) {
      if (times !== undefined && (!Number.isInteger(times) || times < 1)) throw new RangeError('times must be a positive integer');
      // Refused connections never reach the stand-in, so there is nothing to count them against.
      if (next.kind === 'ConnectionRefused' && times !== undefined) throw new Error('times is not supported for ConnectionRefused');
      await clearFault();
      fault = next;
      faultCallsLeft = times;
      if (next.kind === 'ConnectionRefused') {
        await stopListening();
        // An in-process client only drops its idle keep-alive sockets once its event loop has read
        // our FIN; a call made before that would reuse a dead socket and see ECONNRESET, not ECONNREFUSED.
        for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      }
    },
    clearFault,
    connectionCount: () => connections,
    closeIdleConnections: () => server.closeIdleConnections(),
    callCount: (operation) =>
      operation === undefined ? [...counts.values()].reduce((a, b) => a + b, 0) : (counts.get(operation) ?? 0),
    resetCallCount: () => counts.clear(),
    close() {
      closed = true;
      return stopListening();
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'secret-id': { type: 'string', multiple: true, default: [] },
      'secret-string': { type: 'string', multiple: true, default: [] },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);
  const ids = values['secret-id'];
  const strings = values['secret-string'];
  if (ids.length !== strings.length) throw new Error('each --secret-id needs a matching --secret-string');
  const secrets = Object.fromEntries(ids.map((id, i) => [id, strings[i] ?? '']));

  const standIn = await startSecretsManagerStandIn({ port, host: values.host, secrets });
  console.log(standIn.endpoint); // the only stdout line, so scripts can capture it
  const shutdown = (): void => void standIn.close().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

// tsx runs .ts files in this package as CommonJS, where this is how "run directly" is detected.
if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
