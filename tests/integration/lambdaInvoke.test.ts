import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { freePort } from '../helpers/ports';
import { callerToken, decodeJwt, hmacSignatureValid } from '../helpers/tokens';

// Another Lambda calls jwt-mint with @aws-sdk/client-lambda; serverless-offline serves the same
// Invoke API locally, so this is the caller's real code path up to the network.
const SECRET = 'lambda-invoke-secret-abcdefghijklmnopqrstuvwxyz-01';
const FUNCTION_NAME = 'jwt-mint-local-generateJwt';
let stack: LocalStack;
let lambda: LambdaClient;

beforeAll(async () => {
  stack = await startLocalStack({ secretString: SECRET, httpPort: await freePort(), lambdaPort: await freePort() });
  lambda = new LambdaClient({
    endpoint: `http://localhost:${stack.lambdaPort}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}, 90_000);

afterAll(async () => {
  lambda?.destroy();
  await stack?.stop();
});

async function invokeDirect(event: unknown) {
  const output = await lambda.send(
    new InvokeCommand({ FunctionName: FUNCTION_NAME, Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
  return {
    statusCode: output.StatusCode,
    functionError: output.FunctionError,
    envelope: JSON.parse(new TextDecoder().decode(output.Payload)) as Record<string, unknown>,
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

test('a Lambda invoking through the SDK gets the envelope itself with a minted token', async () => {
  const token = await callerToken({ secret: SECRET, nowSeconds: nowSeconds() });

  const result = await invokeDirect({ authorization: `Bearer ${token}`, body: { subject: 'batch-job', authorities: ['push'] } });

  expect(result.statusCode).toBe(200);
  expect(result.functionError).toBeUndefined();
  expect(result.envelope).toMatchObject({ code: 200, message: '操作成功' });
  const minted = result.envelope.data as string;
  expect(hmacSignatureValid(minted, SECRET)).toBe(true);
  expect(decodeJwt(minted).payload).toMatchObject({ sub: 'batch-job', scope: ['push'] });
});

test('a direct invoke whose body is a JSON string is accepted', async () => {
  const token = await callerToken({ secret: SECRET, nowSeconds: nowSeconds() });

  const result = await invokeDirect({ authorization: `Bearer ${token}`, body: JSON.stringify({ subject: 'batch-job' }) });

  expect(result.envelope).toMatchObject({ code: 200 });
});

test('a direct invoke without authorization is answered 401 in the envelope, not as a function error', async () => {
  const result = await invokeDirect({ body: { subject: 'batch-job' } });

  expect(result.functionError).toBeUndefined();
  expect(result.envelope).toEqual({
    code: 401,
    message: expect.any(String),
    data: null,
    error: 'MISSING_TOKEN',
  });
});

test('a direct invoke asking for a scope the caller lacks is answered 403', async () => {
  const token = await callerToken({ secret: SECRET, nowSeconds: nowSeconds(), claims: { scope: ['generateJwt'] } });

  const result = await invokeDirect({ authorization: `Bearer ${token}`, body: { subject: 'x', authorities: ['admin'] } });

  expect(result.envelope).toMatchObject({ code: 403, data: null, error: 'SCOPE_ESCALATION' });
});

test('a direct invoke with an expired caller token is answered 401 TOKEN_EXPIRED', async () => {
  const token = await callerToken({ secret: SECRET, nowSeconds: nowSeconds() - 7200 });

  const result = await invokeDirect({ authorization: `Bearer ${token}`, body: { subject: 'x' } });

  expect(result.envelope).toMatchObject({ code: 401, data: null, error: 'TOKEN_EXPIRED' });
});
