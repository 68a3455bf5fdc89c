/**
 * `npm run rotate`: rotate the signing secret now, by the rotation function, as its schedule would.
 * See USAGE.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ROTATION_STEPS, type RotationStep } from '../lib/rotation/protocol';
import type { StepOutcome } from '../lib/rotation/steps';
import { createSecretsManagerClient } from '../lib/secrets/secretsManager';
import { localStackFile, type LocalStackFile } from './localSecret';

const USAGE = `Usage: npm run rotate -- [--local [--repeat STEP]...]

  (no option)    Ask Secrets Manager to rotate the secret SIGNING_SECRET_ID now (RotateSecret); the
                 service then invokes the rotation function for each step, as on the schedule. Needs
                 secretsmanager:RotateSecret on the secret and lambda:InvokeFunction on the function.

  --local        Play Secrets Manager's part against the stack npm start runs: RotateSecret on the
                 stand-in, which labels a new, empty version AWSPENDING, then invoke the rotation
                 function through serverless-offline for createSecret, setSecret, testSecret and
                 finishSecret, stopping at the first failure as the service does.
  --repeat STEP  With --local, invoke STEP twice, as Secrets Manager does when it retries a step.
  --secrets-manager URL, --lambda URL
                 With --local, the stand-in's and serverless-offline's endpoints, instead of those
                 npm start wrote to .local/stack.json.
  --secret-id ID With --local, the secret's name in the stand-in (default: the one npm start holds).`;

async function main(): Promise<void> {
  // The SDK warns under Node 20 on every client it makes; the warning says nothing about the rotation.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({
    options: {
      local: { type: 'boolean', default: false },
      repeat: { type: 'string', multiple: true, default: [] },
      'secrets-manager': { type: 'string' },
      lambda: { type: 'string' },
      'secret-id': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const repeat = values.repeat.map(parseStep);
  if (!values.local) {
    if (repeat.length > 0 || values['secrets-manager'] || values.lambda || values['secret-id']) {
      throw new UsageError('--repeat, --secrets-manager, --lambda and --secret-id go with --local');
    }
    await rotateInAws();
    return;
  }
  await rotateLocally(localStack(values), repeat);
}

/** The real service runs the steps itself: this only starts a rotation. */
async function rotateInAws(): Promise<void> {
  const secretId = process.env.SIGNING_SECRET_ID;
  if (!secretId) throw new UsageError('set SIGNING_SECRET_ID to the secret to rotate, or use --local');
  const client = createSecretsManagerClient();
  try {
    const started = await client.send(new RotateSecretCommand({ SecretId: secretId, RotateImmediately: true }));
    console.log(`Secrets Manager started rotating "${secretId}" to version ${started.VersionId}; it invokes the rotation function for each step.`);
    console.log(`Follow it with: aws secretsmanager describe-secret --secret-id "${secretId}" (VersionIdsToStages), and the rotation-failed alarm.`);
  } finally {
    client.destroy();
  }
}

/** Where the local stack answers, from the options or from what npm start wrote. */
function localStack(values: { 'secrets-manager'?: string; lambda?: string; 'secret-id'?: string }): LocalStackFile {
  const file = localStackFile();
  const written = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LocalStackFile) : undefined;
  const secretsManagerEndpoint = values['secrets-manager'] ?? written?.secretsManagerEndpoint;
  const lambdaEndpoint = values.lambda ?? written?.lambdaEndpoint;
  if (secretsManagerEndpoint === undefined || lambdaEndpoint === undefined) {
    throw new UsageError(`npm start is not running (there is no ${file}); start it, or give --secrets-manager and --lambda`);
  }
  return {
    pid: written?.pid ?? 0,
    secretsManagerEndpoint,
    lambdaEndpoint,
    secretId: values['secret-id'] ?? written?.secretId ?? 'local/jwt-mint/signing-secret',
    rotationFunction: written?.rotationFunction ?? 'jwt-mint-local-rotateSigningKeys',
  };
}

async function rotateLocally(stack: LocalStackFile, repeat: readonly RotationStep[]): Promise<void> {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const secretsManager = new SecretsManagerClient({ endpoint: stack.secretsManagerEndpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  // One attempt: a retry is the caller's decision (--repeat), as it is the service's.
  const lambda = new LambdaClient({ endpoint: stack.lambdaEndpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  try {
    const started = await secretsManager.send(
      new RotateSecretCommand({
        SecretId: stack.secretId,
        ClientRequestToken: randomUUID(),
        RotationLambdaARN: `arn:aws:lambda:us-east-1:000000000000:function:${stack.rotationFunction}`,
      }),
    );
    const token = String(started.VersionId);
    console.log(`Rotating "${stack.secretId}" to version ${token}.`);
    for (const step of ROTATION_STEPS) {
      for (let run = 0; run < (repeat.includes(step) ? 2 : 1); run++) {
        const outcome = await invokeStep(lambda, stack.rotationFunction, { Step: step, SecretId: stack.secretId, ClientRequestToken: token });
        console.log(describeOutcome(outcome));
      }
    }
    const described = await secretsManager.send(new DescribeSecretCommand({ SecretId: stack.secretId }));
    console.log(`Done: ${JSON.stringify(described.VersionIdsToStages)}`);
  } finally {
    secretsManager.destroy();
    lambda.destroy();
  }
}

async function invokeStep(lambda: LambdaClient, functionName: string, event: Record<string, string>): Promise<StepOutcome> {
  const output = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  const payload = JSON.parse(new TextDecoder().decode(output.Payload)) as Record<string, unknown>;
  if (output.FunctionError) {
    throw new StepFailed(`${event.Step} failed: ${String(payload.errorMessage ?? payload.Message ?? output.FunctionError)}`);
  }
  return payload as StepOutcome;
}

function describeOutcome(outcome: StepOutcome): string {
  const details =
    outcome.kid === undefined
      ? ''
      : `: key "${outcome.kid}", signs from ${new Date(Number(outcome.signsFrom) * 1000).toISOString()}; ` +
        `retired from then on: ${list(outcome.retired)}; dropped now: ${list(outcome.dropped)}`;
  return `  ${outcome.step}: ${outcome.result}${details}`;
}

function list(kids: readonly string[] | undefined): string {
  return kids === undefined || kids.length === 0 ? 'none' : kids.map((kid) => `"${kid}"`).join(', ');
}

function parseStep(text: string): RotationStep {
  if (!(ROTATION_STEPS as readonly string[]).includes(text)) throw new UsageError(`--repeat ${text}: a step is one of ${ROTATION_STEPS.join(', ')}`);
  return text as RotationStep;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

class StepFailed extends Error {
  override readonly name = 'StepFailed';
}

main().catch((error: unknown) => {
  console.error(`rotate: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof UsageError) console.error('Run "npm run rotate -- --help" for usage.');
  if (error instanceof StepFailed) {
    console.error('The rotation stays unfinished: Secrets Manager would retry this step with the same version (see the runbook).');
  }
  process.exitCode = 1;
});
