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
  /** How the body is read: JSON, or an HTML form (application/x-www-form-urlencoded); a route without one never reads it. */
  readonly body?: 'json' | 'form';
  /** How outcomes are answered (see ResponseFormatName). */
  readonly format: ResponseFormatName;
  /** Each decision gets one audit line: `issued`, or `denied` with its reason. */
  readonly audit?: boolean;
  /**
   * Whether a direct invoke reaches it: `default`, the route of a direct invoke that names no path
   * (and of one that names this route's path); `byPath`, only a direct invoke that names its path.
   */
  readonly directInvoke?: 'default' | 'byPath';
  readonly serve: (request: RouteRequest, deps: Deps) => Promise<RouteResult>;
}

/**
 * Finds the route a request asks for. A direct invoke reaches only the routes marked for it: the
 * `default` one when it names no path, any of them by its path.
 * @throws MintError NOT_FOUND for an unknown path, METHOD_NOT_ALLOWED for a known path and another method.
 */
export function matchRoute<R extends Pick<Route<never>, 'method' | 'path' | 'directInvoke'>>(
  routes: readonly R[],
  request: Pick<InboundRequest, 'method' | 'path' | 'shape'>,
): R {
  if (request.shape === 'direct') {
    const direct = routes.filter((route) => route.directInvoke !== undefined);
    const match =
      request.path === undefined
        ? direct.find((route) => route.directInvoke === 'default')
        : direct.find((route) => route.path === request.path && route.method === request.method);
    if (match) return match;
    throw new MintError('NOT_FOUND', request.path === undefined ? 'No route serves a direct invocation.' : 'No route serves a direct invocation of that path.');
  }
  const samePath = routes.filter((route) => route.path === request.path);
  const match = samePath.find((route) => route.method === request.method);
  if (match) return match;
  if (samePath.length > 0) {
    throw new MintError('METHOD_NOT_ALLOWED', `Use ${samePath.map((route) => `${route.method} ${route.path}`).join(' or ')}.`);
  }
  throw new MintError('NOT_FOUND', `No route ${request.method} ${request.path}.`);
}

/**
 * The format a refusal that came before any route was found (404, 405) is answered in: that of
 * the routes at the request's path when they all share one (a client of an OAuth endpoint reads
 * OAuth errors, even for a wrong method), else undefined.
 */
export function formatAtPath<R extends Pick<Route<never>, 'path' | 'format'>>(
  routes: readonly R[],
  path: string | undefined,
): R['format'] | undefined {
  const formats = new Set(routes.filter((route) => route.path === path).map((route) => route.format));
  return formats.size === 1 ? [...formats][0] : undefined;
}
