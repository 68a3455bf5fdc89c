import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { toMintError } from '../lib/errors';
import { logger, requestIdInLogs } from '../lib/log';
import { parseRotationEvent } from '../lib/rotation/protocol';
import { createRotationRuntime } from '../lib/rotation/rotationRuntime';
import { runRotationStep, type RotationDeps, type StepOutcome } from '../lib/rotation/steps';

/**
 * The rotation function Secrets Manager invokes for each step of a scheduled rotation of the
 * signing secret (lib/rotation/). A refused or failed step throws, which fails the invocation and
 * so the rotation; Secrets Manager retries it with the same token.
 */
export function createRotationHandler(deps: RotationDeps) {
  return middy<unknown, StepOutcome>({ timeoutEarlyInMillis: 0 })
    .use(requestIdInLogs())
    .handler(async (event) => {
      try {
        const outcome = await runRotationStep(parseRotationEvent(event), deps);
        logger.info('rotation step', outcome);
        return outcome;
      } catch (error) {
        const failure = toMintError(error);
        const { Step: step, ClientRequestToken: versionId } = (event ?? {}) as Record<string, unknown>;
        logger.error('rotation step failed', { step, versionId, code: failure.code, detail: failure.message });
        throw failure;
      }
    }) as (event: unknown, context: Context) => Promise<StepOutcome>;
}

/** The Lambda entry point. */
export const handler = createRotationHandler(createRotationRuntime(process.env));
