import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { freePort } from '../helpers/ports';
import { callerToken, decodeJwt, hmacSignatureValid } from '../helpers/tokens';

const SECRET = 'integration-secret-abcdefghijklmnopqrstuvwxyz-0123';
const run = promisify(execFile);
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ secretString: SECRET, httpPort: await freePort(), lambdaPort: await freePort() });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

async function post(body: string, headers: Record<string, string>) {
  const response = await fetch(stack.url, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, envelope: await response.json() };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

test('mints a token over real HTTP with the secret fetched from the Secrets Manager stand-in', async () => {
  const token = await callerToken({ secret: SECRET, nowSeconds: nowSeconds() });

  const response = await post(JSON.stringify({ subject: 'svc-42' }), {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  });

  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.envelope).toMatchObject({ code: 200, message: '操作成功' });
  const minted = response.envelope.data as string;
  expect(hmacSignatureValid(minted, SECRET)).toBe(true);
  expect(decodeJwt(minted).payload).toMatchObject({ sub: 'svc-42', iss: 'caller-1', aud: 'mfs' });
  expect(stack.standIn.callCount('GetSecretValue')).toBeGreaterThanOrEqual(1);
});

test('answers 401 with a bearer challenge over real HTTP when no token is sent', async () => {
  const response = await post(JSON.stringify({ subject: 'svc-42' }), { 'content-type': 'application/json' });

  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer');
  expect(response.envelope).toMatchObject({ code: 401, data: null, error: 'MISSING_TOKEN' });
});

test('answers 415 over real HTTP for a body that is not JSON', async () => {
  const token = await callerToken({ secret: SECRET, nowSeconds: nowSeconds() });

  const response = await post('subject=svc-42', {
    authorization: `Bearer ${token}`,
    'content-type': 'application/x-www-form-urlencoded',
  });

  expect(response.status).toBe(415);
  expect(response.envelope).toMatchObject({ code: 415, data: null, error: 'UNSUPPORTED_MEDIA_TYPE' });
});

test('a caller token printed by npm run token is accepted by the running service', async () => {
  const { stdout } = await run(
    process.execPath,
    [join(__dirname, '../../node_modules/tsx/dist/cli.mjs'), join(__dirname, '../../scripts/token.ts'), '--sub', 'ops', '--scope', 'generateJwt,push', '--ttl', '10m'],
    { env: { ...process.env, LOCAL_SIGNING_SECRET: SECRET, SIGNING_SECRET_ID: '' } },
  );
  const token = stdout.trim();

  const response = await post(JSON.stringify({ subject: 'svc-7', authorities: ['push'] }), {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  });

  expect(response.status).toBe(200);
  expect(decodeJwt(response.envelope.data).payload).toMatchObject({ iss: 'ops', sub: 'svc-7', scope: ['push'] });
});

/** A POST whose headers may repeat a name, each value sent on a line of its own, as curl -H does twice. */
function postWithRepeatedHeaders(headers: Record<string, string | string[]>, body: string): Promise<{ status: number; envelope: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(stack.url, { method: 'POST', headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, envelope: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

test.each([
  { order: 'a junk token first', values: (valid: string) => ['Bearer junk.junk.junk', `Bearer ${valid}`] },
  { order: 'the valid token first', values: (valid: string) => [`Bearer ${valid}`, 'Bearer junk.junk.junk'] },
])('refuses two Authorization headers ($order) as API Gateway does, never resolving them by order', async ({ values }) => {
  // Prepare
  const token = await callerToken({ secret: SECRET, nowSeconds: nowSeconds() });

  // Act
  const response = await postWithRepeatedHeaders({ authorization: values(token), 'content-type': 'application/json' }, '{"subject":"svc-1"}');

  // Assess
  expect(response).toMatchObject({ status: 401, envelope: { code: 401, data: null, error: 'INVALID_TOKEN' } });
});
