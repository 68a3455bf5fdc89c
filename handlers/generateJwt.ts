import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { publishedDocument } from '../lib/keys/published';
import { successEnvelope } from '../lib/http/envelope';
import type { InboundEvent } from '../lib/http/request';
import { logger } from '../lib/log';
import {
  auditTrail,
  envelopeResponse,
  inboundRequest,
  mintRequestValidator,
  publishedResponse,
  signingKeys,
  type MintContext,
  type MintResult,
  type PublishContext,
  type PublishResult,
} from '../lib/http/middlewares';
import { mintToken } from '../lib/mint/mintToken';
import { isPublishedRoute, routeEvent } from '../lib/routes';
import { createRuntime, type Runtime } from '../lib/runtime';

/**
 * One function, two middy chains: POST /user/generateJwt (or a direct invoke) mints; the two GET
 * routes under /.well-known publish the public keys and the discovery document.
 */
export function createHandler(runtime: Runtime) {
  const mint = createMintHandler(runtime);
  const publish = createPublishHandler(runtime);
  // Route once; the chains read the route from the context, and their middlewares fill in the rest.
  return (event: InboundEvent, context: Context): Promise<MintResult | PublishResult> => {
    const { shape, route } = routeEvent(event);
    return isPublishedRoute(route)
      ? publish(event, Object.assign(context, { shape, route }) as PublishContext)
      : mint(event, Object.assign(context, { shape, route }) as MintContext);
  };
}

function createPublishHandler(runtime: Runtime) {
  const { config, keyCache } = runtime;
  return middy<InboundEvent, PublishResult, Error, PublishContext>()
    .use(publishedResponse({ maxAgeSeconds: config.secretCacheSeconds, requiredScope: config.requiredScope, logger }))
    .use(signingKeys(keyCache))
    .handler(async (_event, context) => publishedDocument(context.route, context.signingKeys, config));
}

function createMintHandler(runtime: Runtime) {
  const { config, keyCache } = runtime;
  // No early-timeout race: every wait in the chain is bounded well inside the function's timeout
  // (the secret fetch gives up after 2.5 s of 6), while the race's timer and Promise.race run on
  // every request: 1 to 11% of jose's own CPU in six in-process comparisons, 5% at the median.
  return middy<InboundEvent, MintResult, Error, MintContext>({ timeoutEarlyInMillis: 0 })
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
