import type { MiddlewareObj } from '@middy/core';
import type { EdgeContext, EdgeRequest } from '../context';
import { matchRoute, type Route } from '../router';

/**
 * Finds the route in `routes`, in the chain like any other step: an unknown path or method is a
 * MintError (404, 405) that the response step answers.
 */
export function routeRequest<Deps>(options: {
  readonly routes: readonly Route<Deps>[];
}): MiddlewareObj<unknown, unknown, Error, EdgeContext<Deps>> {
  const routeRequestBefore = (request: EdgeRequest<Deps>): void => {
    const { inbound } = request.context;
    if (inbound === undefined) throw new TypeError('normalizeRequest must run before routeRequest');
    request.context.route = matchRoute(options.routes, inbound);
  };
  return { before: routeRequestBefore };
}
