import { MintError } from '../errors';
import type { AuditFacts } from '../audit';
import type { InboundRequest } from './request';
import type { ResponseFormatName } from './response';

/** What a route's function receives: the request, its body parsed as the route reads it. */
export type RouteRequest = InboundRequest & { readonly body: unknown };

/** What a route's function returns: the response body, and for an audited route what it decided. */
export interface RouteResult {
  readonly body: unknown;
  readonly audit?: AuditFacts;
}

/** One route: where it is, how it reads and answers, and the function that serves it. */
export interface Route<Deps> {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** How the body is read; a route without one never reads it. */
  readonly body?: 'json';
  /** How outcomes are answered (see ResponseFormatName). */
  readonly format: ResponseFormatName;
  /** Each decision gets one audit line: `issued`, or `denied` with its reason. */
  readonly audit?: boolean;
  /** The route a direct invoke, which names no path, is served by. */
  readonly directInvoke?: boolean;
  readonly serve: (request: RouteRequest, deps: Deps) => Promise<RouteResult>;
}

/**
 * Finds the route a request asks for.
 * @throws MintError NOT_FOUND for an unknown path, METHOD_NOT_ALLOWED for a known path and another method.
 */
export function matchRoute<R extends Pick<Route<never>, 'method' | 'path' | 'directInvoke'>>(
  routes: readonly R[],
  request: Pick<InboundRequest, 'method' | 'path'>,
): R {
  if (request.path === undefined) {
    const direct = routes.find((route) => route.directInvoke === true);
    if (direct) return direct;
    throw new MintError('NOT_FOUND', 'No route serves a direct invocation.');
  }
  const samePath = routes.filter((route) => route.path === request.path);
  const match = samePath.find((route) => route.method === request.method);
  if (match) return match;
  if (samePath.length > 0) {
    throw new MintError('METHOD_NOT_ALLOWED', `Use ${samePath.map((route) => `${route.method} ${route.path}`).join(' or ')}.`);
  }
  throw new MintError('NOT_FOUND', `No route ${request.method} ${request.path}.`);
}
