import middy from '@middy/core';
import { successEnvelope } from '../lib/envelope';
import type { InboundEvent } from '../lib/inboundEvent';
import { logger } from '../lib/logger';
import {
  auditTrail,
  envelopeResponse,
  inboundRequest,
  mintRequestValidator,
  signingKeys,
  type MintContext,
  type MintResult,
} from '../lib/middlewares';
import { mintToken } from '../lib/mintToken';
import { createRuntime, type Runtime } from '../lib/runtime';

/** Wires the middy chain around one call into lib/: POST /user/generateJwt, or a direct invoke. */
export function createHandler(runtime: Runtime) {
  const { config, keyCache } = runtime;
  return middy<InboundEvent, MintResult, Error, MintContext>()
    .use(envelopeResponse({ requiredScope: config.requiredScope, logger }))
    .use(auditTrail({ logger }))
    .use(inboundRequest())
    .use(mintRequestValidator())
    .use(signingKeys(keyCache))
    .handler(async (_event, context) => {
      const minted = await mintToken({
        callerToken: context.callerToken,
        request: context.mintRequest,
        keys: context.signingKeys,
        config,
        now: new Date(runtime.now()),
        newJti: runtime.newJti,
        facts: context.audit,
      });
      return successEnvelope(minted.token);
    });
}

const runtime = createRuntime(process.env);
// In a Lambda container, fetch the key during init, which Lambda runs at full speed, so the
// first request finds it ready. Elsewhere (tests importing createHandler) there is nothing to warm.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) runtime.keyCache.warm();

/** The Lambda entry point. */
export const handler = createHandler(runtime);
