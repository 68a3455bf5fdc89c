import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { edgeState, type EdgeContext } from '../lib/http/context';
import { envelopeFormat } from '../lib/http/envelope';
import { auditTrail } from '../lib/http/middlewares/auditTrail';
import { httpResponse } from '../lib/http/middlewares/httpResponse';
import { normalizeRequest } from '../lib/http/middlewares/normalizeRequest';
import { oauthFormat } from '../lib/http/oauth';
import { parseBody } from '../lib/http/middlewares/parseBody';
import { routeRequest } from '../lib/http/middlewares/routeRequest';
import { documentFormat } from '../lib/http/response';
import type { Route } from '../lib/http/router';
import { logger, requestIdInLogs } from '../lib/log';
import { ROUTES } from '../lib/routes';
import { createRuntime, type Runtime } from '../lib/runtime';

/**
 * One middy chain for every route (lib/routes.ts): normalise the event, find the route, read its
 * body, serve it; audit the decision and shape the response on the way out.
 */
export function createHandler(runtime: Runtime, routes: readonly Route<Runtime>[] = ROUTES) {
  const envelope = envelopeFormat({ requiredScope: runtime.config.requiredScope });
  const formats = {
    envelope,
    document: documentFormat({ maxAgeSeconds: runtime.config.secretCacheSeconds, failure: envelope }),
    oauth: oauthFormat(),
  };
  // No early-timeout race: every wait in the chain is bounded well inside the function's timeout
  // (the secret fetch gives up after 2.5 s of 6), while the race's timer and Promise.race run on
  // every request (docs/decisions: middy's early-timeout race).
  return middy<unknown, unknown, Error, EdgeContext<Runtime>>({ timeoutEarlyInMillis: 0 })
    .use(requestIdInLogs())
    .use(httpResponse({ formats, logger, routes }))
    .use(auditTrail({ logger, formats }))
    .use(normalizeRequest())
    .use(routeRequest({ routes }))
    .use(parseBody())
    .handler((_event, context) => {
      const { inbound, route } = edgeState(context);
      return route.serve({ ...inbound, body: context.body }, runtime);
    }) as (event: unknown, context: Context) => Promise<unknown>;
}

const runtime = createRuntime(process.env);
// In a Lambda container, fetch the key during init, which Lambda runs at full speed, so the
// first request finds it ready. Elsewhere (tests importing createHandler) there is nothing to warm.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) runtime.keyCache.warm();

/** The Lambda entry point. */
export const handler = createHandler(runtime);
