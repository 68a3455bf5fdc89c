import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CONFIG_VARIABLES } from '../../lib/config';
import { ROUTES } from '../../lib/routes';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

/** The artifact must stay small enough to load fast; issue-5's goal with the SDK bundled. */
const MAX_ARTIFACT_BYTES = 200 * 1024;

type Json = Record<string, unknown>;
interface Template {
  Resources: Record<string, { Type: string; Properties: Json; Condition?: string; DeletionPolicy?: string }>;
  Outputs: Record<string, Json>;
  Conditions?: Record<string, Json>;
}

/** Runs `serverless package` offline, with dummy credentials, into a fresh folder. */
async function packageStack(params: string[] = []): Promise<{ dir: string; template: Template }> {
  const dir = mkdtempSync(join(tmpdir(), 'jwt-mint-package-'));
  await runOrExplain(
    [join(ROOT, 'node_modules/serverless/bin/serverless.js'), 'package', '--stage', 'ci', '--package', dir, ...params],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'dummy',
        AWS_SECRET_ACCESS_KEY: 'dummy',
        SLS_TELEMETRY_DISABLED: '1',
        JWT_MINT_BUILD_DIR: `.esbuild-package-${process.pid}-${params.length}`,
      },
    },
  );
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  return { dir, template };
}

async function runOrExplain(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  try {
    await run(process.execPath, args, options);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`serverless package failed:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
}

function resourcesOfType(template: Template, type: string) {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

let created: { dir: string; template: Template };
let existing: { dir: string; template: Template };
let configured: { dir: string; template: Template };
const EXISTING_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shared/jwt-key-AbCdEf';

beforeAll(async () => {
  // One after the other: serverless-esbuild moves the artifact through .serverless/, which
  // two concurrent runs would share.
  created = await packageStack();
  existing = await packageStack(['--param', `signingSecretArn=${EXISTING_ARN}`]);
  configured = await packageStack([
    ...['requiredScope=mint:tokens', 'secretCacheSeconds=60', 'tokenIssuer=https://auth.example.com'].flatMap((param) => ['--param', param]),
  ]);
}, 180_000);

afterAll(() => {
  for (const result of [created, existing, configured]) if (result) rmSync(result.dir, { recursive: true, force: true });
  for (const suffix of [0, 2, 6]) rmSync(join(ROOT, `.esbuild-package-${process.pid}-${suffix}`), { recursive: true, force: true });
});

test('the function runs on a current Node.js runtime on arm64 with JSON logs', () => {
  const fn = created.template.Resources.GenerateJwtLambdaFunction?.Properties as Json;

  expect(fn.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
  expect(fn.Architectures).toEqual(['arm64']);
  expect(fn.Handler).toBe('handlers/generateJwt.handler');
  expect(fn.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
  expect(created.template.Resources.GenerateJwtLogGroup?.Properties.RetentionInDays).toBeGreaterThan(0);
});

test('the HTTP API routes exactly the paths of the route table to the function, with throttling', () => {
  const routes = resourcesOfType(created.template, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties.RouteKey);
  const stage = created.template.Resources.HttpApiStage?.Properties as { DefaultRouteSettings: Json };

  expect([...routes].sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
  expect(stage.DefaultRouteSettings.ThrottlingRateLimit).toEqual(expect.any(Number));
  expect(stage.DefaultRouteSettings.ThrottlingBurstLimit).toEqual(expect.any(Number));
});

/** The function's environment variables in a packaged template. */
function environmentOf(template: Template): Json {
  return (template.Resources.GenerateJwtLambdaFunction?.Properties.Environment as { Variables: Json }).Variables;
}

test('the environment carries every configuration variable, each empty unless its stage parameter is set', () => {
  const variables = environmentOf(created.template);

  expect(Object.keys(variables).filter((name) => !name.startsWith('AWS_')).sort()).toEqual([...CONFIG_VARIABLES].sort());
  expect(variables.SIGNING_SECRET_ID).toEqual({ Ref: 'SigningSecret' });
  // Empty is unset: the defaults live in lib/config.ts alone.
  for (const name of CONFIG_VARIABLES.filter((name) => name !== 'SIGNING_SECRET_ID')) expect(variables[name]).toBe('');
});

test('each configuration variable is set by the stage parameter named as its camelCase', () => {
  const variables = environmentOf(configured.template);

  expect(variables).toMatchObject({ REQUIRED_SCOPE: 'mint:tokens', SECRET_CACHE_SECONDS: '60', TOKEN_ISSUER: 'https://auth.example.com' });
});

test('the stack creates a generated signing secret of at least 32 characters, kept on removal', () => {
  const secret = created.template.Resources.SigningSecret;

  expect(secret?.Type).toBe('AWS::SecretsManager::Secret');
  const generate = secret?.Properties.GenerateSecretString as { PasswordLength: number };
  expect(generate.PasswordLength).toBeGreaterThanOrEqual(32);
  expect(secret?.DeletionPolicy).toBe('Retain');
});

test('the function role may write its own logs and read the signing secret, and nothing else', () => {
  const roles = resourcesOfType(created.template, 'AWS::IAM::Role');
  const policies = resourcesOfType(created.template, 'AWS::IAM::Policy');

  expect(roles.map(([name]) => name)).toEqual(['GenerateJwtRole']);
  expect(policies).toEqual([]);
  const role = roles[0]![1].Properties as { Policies: Array<{ PolicyDocument: { Statement: Json[] } }>; ManagedPolicyArns?: unknown };
  expect(role.ManagedPolicyArns).toBeUndefined();
  expect(role.Policies.flatMap((policy) => policy.PolicyDocument.Statement)).toEqual([
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': ['GenerateJwtLogGroup', 'Arn'] },
    },
    {
      Sid: 'ReadSigningSecret',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: { Ref: 'SigningSecret' },
    },
  ]);
  expect(JSON.stringify(role.Policies)).not.toContain('*');
});

test('with an existing secret ARN the stack skips its own secret and grants read on that ARN alone', () => {
  const resources = existing.template.Resources;
  const variables = environmentOf(existing.template);
  const role = resources.GenerateJwtRole?.Properties as { Policies: Array<{ PolicyDocument: { Statement: Json[] } }> };

  // CloudFormation skips the secret: its condition compares the given ARN with "".
  expect(resources.SigningSecret?.Condition).toBe('CreateSigningSecret');
  expect(existing.template.Conditions?.CreateSigningSecret).toEqual({ 'Fn::Equals': [EXISTING_ARN, ''] });
  expect(variables.SIGNING_SECRET_ID).toBe(EXISTING_ARN);
  expect(role.Policies[0]!.PolicyDocument.Statement).toContainEqual(
    expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: EXISTING_ARN }),
  );
  expect(existing.template.Outputs.SigningSecretArn?.Value).toBe(EXISTING_ARN);
});

test('the stack outputs the endpoint, the function name and ARN, and the secret ARN', () => {
  expect(Object.keys(created.template.Outputs)).toEqual(
    expect.arrayContaining(['HttpApiUrl', 'GenerateJwtFunctionName', 'GenerateJwtFunctionArn', 'SigningSecretArn']),
  );
});

test(`the artifact is one bundled handler under ${MAX_ARTIFACT_BYTES / 1024} KB zipped`, () => {
  const size = statSync(join(created.dir, 'jwt-mint.zip')).size;

  expect(size).toBeGreaterThan(10 * 1024);
  expect(size).toBeLessThanOrEqual(MAX_ARTIFACT_BYTES);
});
