import type { Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { InboundRequest } from './request';
import type { Route } from './router';

/**
 * The Lambda context as the edge's middlewares fill it in, each field by exactly one of them. A
 * field is missing only when an earlier step failed, which is why an error handler reads them
 * with care.
 */
export interface EdgeContext<Deps> extends Context {
  /** The request, whatever event it came in: set by normalizeRequest, the first step. */
  inbound?: InboundRequest;
  /** The route it asks for: set by routeRequest. */
  route?: Route<Deps>;
  /** The body as the route reads it: set by parseBody. */
  body?: unknown;
}

/** A middy request through the edge. */
export type EdgeRequest<Deps> = Request<unknown, unknown, Error, EdgeContext<Deps>>;

/** The structured logger the edge writes to (lib/log.ts in the service). */
export interface EdgeLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

/**
 * The fields a step relies on.
 * @throws TypeError when the chain is wired without the steps that set them: a programming mistake.
 */
export function edgeState<Deps>(context: EdgeContext<Deps>): { inbound: InboundRequest; route: Route<Deps> } {
  const { inbound, route } = context;
  if (inbound === undefined || route === undefined) throw new TypeError('normalizeRequest and routeRequest must run first');
  return { inbound, route };
}
