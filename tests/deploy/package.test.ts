import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { auditRecord } from '../../lib/audit';
import { CONFIG_VARIABLES, ROTATION_CONFIG_VARIABLES } from '../../lib/config';
import { createLogger } from '../../lib/log';
import { ROUTES } from '../../lib/routes';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

/** The artifact must stay small enough to load fast; issue-5's goal with the SDK bundled. */
const MAX_ARTIFACT_BYTES = 200 * 1024;

type Json = Record<string, unknown>;
interface Template {
  Resources: Record<string, { Type: string; Properties: Json; Condition?: string; DeletionPolicy?: string; DependsOn?: string[] }>;
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
const ALARM_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:jwt-mint-ops';

beforeAll(async () => {
  // One after the other: serverless-esbuild moves the artifact through .serverless/, which
  // two concurrent runs would share.
  created = await packageStack();
  existing = await packageStack(['--param', `signingSecretArn=${EXISTING_ARN}`]);
  configured = await packageStack([
    ...[
      'requiredScope=mint:tokens',
      'secretCacheSeconds=60',
      'tokenIssuer=https://auth.example.com',
      'signingAlgorithm=ES256',
      'publishDelaySeconds=900',
      `alarmTopicArn=${ALARM_TOPIC_ARN}`,
      'provisionedConcurrency=2',
      // The CLI takes no empty value; a trailing space is trimmed to one (a stage's params block takes '').
      'rotationSchedule= ',
    ].flatMap((param) => ['--param', param]),
  ]);
}, 180_000);

afterAll(() => {
  for (const result of [created, existing, configured]) if (result) rmSync(result.dir, { recursive: true, force: true });
  for (const suffix of [0, 2, 16]) rmSync(join(ROOT, `.esbuild-package-${process.pid}-${suffix}`), { recursive: true, force: true });
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

/** A function's environment variables in a packaged template. */
function environmentOf(template: Template, fn = 'GenerateJwtLambdaFunction'): Json {
  return (template.Resources[fn]?.Properties.Environment as { Variables: Json }).Variables;
}

test('the environment carries every configuration variable, each empty unless its stage parameter is set', () => {
  const variables = environmentOf(created.template);

  expect(Object.keys(variables).filter((name) => !name.startsWith('AWS_')).sort()).toEqual([...CONFIG_VARIABLES].sort());
  expect(variables.SIGNING_SECRET_ID).toEqual({ Ref: 'SigningSecret' });
  // Empty is unset: the defaults live in lib/config.ts alone.
  for (const name of CONFIG_VARIABLES.filter((name) => name !== 'SIGNING_SECRET_ID')) expect(variables[name]).toBe('');
});

test('the rotation function gets its own variables and no other, each empty unless its stage parameter is set', () => {
  const variables = environmentOf(created.template, 'RotateSigningKeysLambdaFunction');

  expect(Object.keys(variables).filter((name) => !name.startsWith('AWS_')).sort()).toEqual([...ROTATION_CONFIG_VARIABLES].sort());
  for (const name of ROTATION_CONFIG_VARIABLES) expect(variables[name]).toBe('');
});

test('each configuration variable is set by the stage parameter named as its camelCase, in each function that reads it', () => {
  const variables = environmentOf(configured.template);
  const rotation = environmentOf(configured.template, 'RotateSigningKeysLambdaFunction');

  expect(variables).toMatchObject({ REQUIRED_SCOPE: 'mint:tokens', SECRET_CACHE_SECONDS: '60', TOKEN_ISSUER: 'https://auth.example.com' });
  expect(rotation).toMatchObject({ SIGNING_ALGORITHM: 'ES256', PUBLISH_DELAY_SECONDS: '900', SECRET_CACHE_SECONDS: '60', MAX_TTL_SECONDS: '' });
});

test('the stack creates a generated signing secret of at least 32 characters, kept on removal', () => {
  const secret = created.template.Resources.SigningSecret;

  expect(secret?.Type).toBe('AWS::SecretsManager::Secret');
  const generate = secret?.Properties.GenerateSecretString as { PasswordLength: number };
  expect(generate.PasswordLength).toBeGreaterThanOrEqual(32);
  expect(secret?.DeletionPolicy).toBe('Retain');
});

type RoleProperties = { Policies: Array<{ PolicyDocument: { Statement: Json[] } }>; ManagedPolicyArns?: unknown; AssumeRolePolicyDocument: Json };

test('each function has its own role, and the stack no other role or policy', () => {
  const roles = resourcesOfType(created.template, 'AWS::IAM::Role').map(([name]) => name);
  const functions = resourcesOfType(created.template, 'AWS::Lambda::Function');

  expect(roles.sort()).toEqual(['GenerateJwtRole', 'RotateSigningKeysRole']);
  expect(resourcesOfType(created.template, 'AWS::IAM::Policy')).toEqual([]);
  expect(Object.fromEntries(functions.map(([name, fn]) => [name, fn.Properties.Role]))).toEqual({
    GenerateJwtLambdaFunction: { 'Fn::GetAtt': ['GenerateJwtRole', 'Arn'] },
    RotateSigningKeysLambdaFunction: { 'Fn::GetAtt': ['RotateSigningKeysRole', 'Arn'] },
  });
  for (const name of roles) {
    const role = created.template.Resources[name]?.Properties as RoleProperties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
  }
});

test('the mint function role may write its own logs and read the signing secret, and nothing else', () => {
  const role = created.template.Resources.GenerateJwtRole?.Properties as RoleProperties;

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

test('the rotation function role may write its own logs and rotate the signing secret, and nothing else', () => {
  const role = created.template.Resources.RotateSigningKeysRole?.Properties as RoleProperties;

  expect(role.Policies.flatMap((policy) => policy.PolicyDocument.Statement)).toEqual([
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': ['RotateSigningKeysLogGroup', 'Arn'] },
    },
    {
      Sid: 'RotateSigningSecret',
      Effect: 'Allow',
      Action: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      Resource: { Ref: 'SigningSecret' },
    },
  ]);
  expect(JSON.stringify(role.Policies)).not.toContain('*');
});

test('only Secrets Manager, on behalf of this account, may invoke the rotation function', () => {
  const permissions = resourcesOfType(created.template, 'AWS::Lambda::Permission').filter(
    ([, permission]) => JSON.stringify(permission.Properties.FunctionName).includes('RotateSigningKeys'),
  );

  expect(permissions).toEqual([
    [
      'RotateSigningKeysInvokePermission',
      {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          FunctionName: { 'Fn::GetAtt': ['RotateSigningKeysLambdaFunction', 'Arn'] },
          Action: 'lambda:InvokeFunction',
          Principal: 'secretsmanager.amazonaws.com',
          SourceAccount: { Ref: 'AWS::AccountId' },
        },
      },
    ],
  ]);
});

test('the signing secret rotates every 30 days and at once when the schedule is created, once the permission exists', () => {
  const schedule = created.template.Resources.SigningSecretRotationSchedule;

  expect(schedule).toEqual({
    Type: 'AWS::SecretsManager::RotationSchedule',
    Condition: 'ScheduleRotation',
    DependsOn: ['RotateSigningKeysInvokePermission'],
    Properties: {
      SecretId: { Ref: 'SigningSecret' },
      RotationLambdaARN: { 'Fn::GetAtt': ['RotateSigningKeysLambdaFunction', 'Arn'] },
      RotateImmediatelyOnUpdate: true,
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    },
  });
  expect(created.template.Conditions?.ScheduleRotation).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['rate(30 days)', ''] }] });
});

test('an empty rotationSchedule turns scheduled rotation off, and an existing secret is rotated by its ARN', () => {
  expect(configured.template.Conditions?.ScheduleRotation).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  expect(existing.template.Resources.SigningSecretRotationSchedule?.Properties.SecretId).toBe(EXISTING_ARN);
  const role = existing.template.Resources.RotateSigningKeysRole?.Properties as RoleProperties;
  expect(role.Policies[0]!.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Sid: 'RotateSigningSecret', Resource: EXISTING_ARN }));
});

/** The alarms' metrics, by resource name. */
const ALARMS = {
  GenerateJwtErrorsAlarm: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'GenerateJwtLambdaFunction' } }] },
  GenerateJwtThrottlesAlarm: { Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'GenerateJwtLambdaFunction' } }] },
  HttpApi5xxAlarm: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }, { Name: 'Stage', Value: '$default' }] },
  SigningKeyUnusableAlarm: { Namespace: 'jwt-mint/ci', MetricName: 'TokensDenied', Dimensions: [{ Name: 'reason', Value: 'SIGNING_KEY_UNUSABLE' }] },
  SecretUnavailableAlarm: { Namespace: 'jwt-mint/ci', MetricName: 'TokensDenied', Dimensions: [{ Name: 'reason', Value: 'SECRET_UNAVAILABLE' }] },
  RotateSigningKeysErrorsAlarm: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'RotateSigningKeysLambdaFunction' } }] },
};

test('alarms watch the functions, the HTTP API and the audit trail, each firing on one event in five minutes', () => {
  const alarms = Object.fromEntries(resourcesOfType(created.template, 'AWS::CloudWatch::Alarm'));

  expect(Object.keys(alarms).sort()).toEqual(Object.keys(ALARMS).sort());
  for (const [name, metric] of Object.entries(ALARMS)) {
    expect(alarms[name]?.Properties).toMatchObject({
      ...metric,
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  }
});

test('the alarms notify the alarmTopicArn topic when it is given, and nothing otherwise', () => {
  const notifying = Object.fromEntries(resourcesOfType(configured.template, 'AWS::CloudWatch::Alarm'));
  const silent = Object.fromEntries(resourcesOfType(created.template, 'AWS::CloudWatch::Alarm'));

  for (const name of Object.keys(ALARMS)) {
    const actions = { 'Fn::If': ['NotifyAlarmTopic', [ALARM_TOPIC_ARN], { Ref: 'AWS::NoValue' }] };
    expect(notifying[name]?.Properties).toMatchObject({ AlarmActions: actions, OKActions: actions });
    expect(silent[name]?.Properties.AlarmActions).toEqual({ 'Fn::If': ['NotifyAlarmTopic', [''], { Ref: 'AWS::NoValue' }] });
  }
  expect(configured.template.Conditions?.NotifyAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [ALARM_TOPIC_ARN, ''] }] });
  expect(created.template.Conditions?.NotifyAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
});

test('metric filters count the audit lines: tokens issued, and tokens denied by reason', () => {
  const filters = Object.fromEntries(resourcesOfType(created.template, 'AWS::Logs::MetricFilter'));

  expect(filters).toEqual({
    TokensIssuedMetricFilter: {
      Type: 'AWS::Logs::MetricFilter',
      Properties: {
        LogGroupName: { Ref: 'GenerateJwtLogGroup' },
        FilterName: 'jwt-mint-ci-tokens-issued',
        FilterPattern: '{ $.message.audit = "issued" }',
        MetricTransformations: [{ MetricNamespace: 'jwt-mint/ci', MetricName: 'TokensIssued', MetricValue: '1', Unit: 'Count' }],
      },
    },
    TokensDeniedMetricFilter: {
      Type: 'AWS::Logs::MetricFilter',
      Properties: {
        LogGroupName: { Ref: 'GenerateJwtLogGroup' },
        FilterName: 'jwt-mint-ci-tokens-denied',
        FilterPattern: '{ $.message.audit = "denied" }',
        MetricTransformations: [
          { MetricNamespace: 'jwt-mint/ci', MetricName: 'TokensDenied', MetricValue: '1', Unit: 'Count', Dimensions: [{ Key: 'reason', Value: '$.message.reason' }] },
        ],
      },
    },
  });
});

/** The value at a metric filter's JSON selector, `$.a.b`, in a log line. */
function selected(selector: string, line: unknown): unknown {
  if (!/^\$(\.\w+)+$/.test(selector)) throw new Error(`unexpected selector ${selector}`);
  return selector
    .split('.')
    .slice(1)
    .reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined), line);
}

/** Whether a JSON log line matches a metric filter pattern of the one form used here: `{ $.a.b = "value" }`. */
function matchesFilter(pattern: string, line: unknown): boolean {
  const match = /^\{ (\S+) = "([^"]*)" \}$/.exec(pattern);
  if (!match) throw new Error(`unexpected filter pattern ${pattern}`);
  return selected(match[1] as string, line) === match[2];
}

/** The lines lib/log.ts writes for `write`, in Lambda's JSON log format, as the log group receives them. */
function linesWritten(write: (logger: ReturnType<typeof createLogger>) => void): unknown[] {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  try {
    write(createLogger({ LOG_LEVEL: 'INFO' }));
  } finally {
    spy.mockRestore();
  }
  return written.map((line) => JSON.parse(line) as unknown);
}

test('the metric filters select the audit lines the function writes, and the reason dimension reads their code', () => {
  const filters = Object.fromEntries(resourcesOfType(created.template, 'AWS::Logs::MetricFilter'));
  const issuedPattern = String(filters.TokensIssuedMetricFilter?.Properties.FilterPattern);
  const deniedPattern = String(filters.TokensDeniedMetricFilter?.Properties.FilterPattern);
  const [transformation] = filters.TokensDeniedMetricFilter?.Properties.MetricTransformations as Array<{ Dimensions: Array<{ Value: string }> }>;
  const reasonDimension = String(transformation?.Dimensions[0]?.Value);
  // What the audit trail and the key cache write (docs/security.md, The audit trail).
  const [issued, denied, other] = linesWritten((logger) => {
    logger.info('issued', auditRecord('issued', { subject: 'svc-42', jti: 'j' }));
    logger.warn('denied', auditRecord('denied', { subject: 'svc-42' }, { reason: 'SCOPE_ESCALATION', status: 403 }));
    logger.info('signing keys loaded', { versionId: 'v1' });
  });

  expect([issued, denied, other].map((line) => matchesFilter(issuedPattern, line))).toEqual([true, false, false]);
  expect([issued, denied, other].map((line) => matchesFilter(deniedPattern, line))).toEqual([false, true, false]);
  expect(selected(reasonDimension, denied)).toBe('SCOPE_ESCALATION');
});

test('with an existing secret ARN the stack skips its own secret and grants read on that ARN alone', () => {
  const resources = existing.template.Resources;
  const variables = environmentOf(existing.template);
  const role = resources.GenerateJwtRole?.Properties as RoleProperties;

  // CloudFormation skips the secret: its condition compares the given ARN with "".
  expect(resources.SigningSecret?.Condition).toBe('CreateSigningSecret');
  expect(existing.template.Conditions?.CreateSigningSecret).toEqual({ 'Fn::Equals': [EXISTING_ARN, ''] });
  expect(variables.SIGNING_SECRET_ID).toBe(EXISTING_ARN);
  expect(role.Policies[0]!.PolicyDocument.Statement).toContainEqual(
    expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: EXISTING_ARN }),
  );
  expect(existing.template.Outputs.SigningSecretArn?.Value).toBe(EXISTING_ARN);
});

test('the stack outputs the endpoint, the function name and ARN, the secret ARN and the rotation function ARN', () => {
  expect(Object.keys(created.template.Outputs)).toEqual(
    expect.arrayContaining(['HttpApiUrl', 'GenerateJwtFunctionName', 'GenerateJwtFunctionArn', 'SigningSecretArn', 'RotateSigningKeysFunctionArn']),
  );
});

test.each(['generateJwt', 'rotateSigningKeys'])(`the %s artifact is its own bundled handler under ${MAX_ARTIFACT_BYTES / 1024} KB zipped`, (fn) => {
  const size = statSync(join(created.dir, `${fn}.zip`)).size;

  expect(size).toBeGreaterThan(10 * 1024);
  expect(size).toBeLessThanOrEqual(MAX_ARTIFACT_BYTES);
});

/** The text of every file in a packaged zip. */
function bundledText(fn: string): string {
  const files = unzipSync(readFileSync(join(created.dir, `${fn}.zip`)));
  return Object.values(files).map((data) => Buffer.from(data).toString('utf8')).join('\n');
}

/** Text the SDK's Secrets Manager client carries into any bundle of it: its package name and its exception base class. */
const SDK_CLIENT_MARKERS = ['@aws-sdk/client-secrets-manager', 'SecretsManagerServiceException'];

test('the mint function carries no code of @aws-sdk/client-secrets-manager, which the rotation function does', () => {
  const mint = bundledText('generateJwt');
  const rotation = bundledText('rotateSigningKeys');

  for (const marker of SDK_CLIENT_MARKERS) {
    expect(rotation).toContain(marker);
    expect(mint).not.toContain(marker);
  }
  expect(mint).toContain('secretsmanager.GetSecretValue');
});

test('the mint function\'s bundle has no dynamic import(), which would start Node 22\'s ES module loader on a cold start', () => {
  // docs/decisions/0017: a dependency that brings one back is noticed here. The rotation function's does have some (the SDK's).
  expect(bundledText('rotateSigningKeys')).toMatch(/\bimport\(/);
  expect(bundledText('generateJwt')).not.toMatch(/\bimport\(/);
});

test('keeps no provisioned concurrency by default, and the provisionedConcurrency parameter keeps that many containers warm behind the HTTP API', () => {
  const aliases = (template: Template) => resourcesOfType(template, 'AWS::Lambda::Alias').map(([, alias]) => alias.Properties);
  const integration = (template: Template) => resourcesOfType(template, 'AWS::ApiGatewayV2::Integration')[0]?.[1].Properties.IntegrationUri;

  expect(aliases(created.template)).toEqual([]);
  expect(aliases(configured.template)).toEqual([
    expect.objectContaining({ Name: 'provisioned', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 } }),
  ]);
  expect(JSON.stringify(integration(configured.template))).toContain('provisioned');
});
