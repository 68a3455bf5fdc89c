import type { createHandler as CreateHandler } from '../../handlers/generateJwt';
import type { createRuntime as CreateRuntime } from '../../lib/runtime';
import { MALFORMED_SHAPES, startSecretsManagerStandIn, type SecretsManagerStandIn } from '../../scripts/secretsManagerStandIn';
import { NOW_MS, NOW_SECONDS } from '../helpers/defaults';
import { eventFor } from '../helpers/events';
import { invoke } from '../helpers/handler';
import { callerClaims, signedClaims } from '../helpers/tokens';

// Finding 6 (low) of the adversarial review: when the store's answer was not JSON, the SDK's parse
// error quoted its first characters, and the SECRET_UNAVAILABLE message carried them into the log
// twice: the first 10 characters of the signing secret. Errors from the store are now logged by
// name, AWS error code, HTTP status and request id only, each only when it is of the form such a
// value has; never by message text. The logger reads its level when first loaded: the handler is
// loaded in beforeAll with INFO set, with stdout and stderr captured.

const SECRET_ID = 'jwt-mint/leak/signing-secret';
const SECRET = 'KrSSauELBWq7Zx0pT3mVn8cYd2Hf6Lg4Rj9Ws1Ek5Uo0';

let standIn: SecretsManagerStandIn;
let createHandler: typeof CreateHandler;
let createRuntime: typeof CreateRuntime;
const written: string[] = [];
const spies: jest.SpyInstance[] = [];
const previousEnv = { ...process.env };

beforeAll(async () => {
  standIn = await startSecretsManagerStandIn({ secrets: { [SECRET_ID]: SECRET } });
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = standIn.endpoint;
  process.env.LOG_LEVEL = 'INFO';
  const capture = (chunk: string | Uint8Array): boolean => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  spies.push(jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture));
  await jest.isolateModulesAsync(async () => {
    ({ createHandler } = await import('../../handlers/generateJwt'));
    ({ createRuntime } = await import('../../lib/runtime'));
  });
});

afterAll(async () => {
  for (const spy of spies) spy.mockRestore();
  process.env = previousEnv;
  await standIn.close();
});

/** Every run of 6 characters of the secret: none may appear anywhere in the output. */
const PIECES = Array.from({ length: SECRET.length - 5 }, (_, start) => SECRET.slice(start, start + 6));

test.each(MALFORMED_SHAPES)('a malformed answer (%s) is answered 503, and no 6 characters of the secret reach any output', async (shape) => {
  // Prepare
  await standIn.injectFault({ kind: 'MalformedAnswer', shape });
  const handler = createHandler(createRuntime({ ...process.env, SIGNING_SECRET_ID: SECRET_ID }, { now: () => NOW_MS }));
  const from = written.length;

  // Act
  const outcome = await invoke(handler, eventFor('v2', { authorization: `Bearer ${signedClaims(callerClaims(NOW_SECONDS), { secret: SECRET })}` }));

  // Assess
  const output = written.slice(from).join('');
  expect(outcome.status).toBe(503);
  expect(output).toContain('signing secret refresh failed');
  for (const piece of PIECES) {
    expect(output).not.toContain(piece);
    expect(outcome.raw).not.toContain(piece);
  }
});
