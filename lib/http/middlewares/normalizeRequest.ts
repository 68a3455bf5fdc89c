import type { MiddlewareObj } from '@middy/core';
import type { EdgeContext, EdgeRequest } from '../context';
import { normalizeEvent } from '../request';

/** Reads any accepted event into one InboundRequest on the context; the event stays as it came. */
export function normalizeRequest<Deps>(): MiddlewareObj<unknown, unknown, Error, EdgeContext<Deps>> {
  const normalizeRequestBefore = (request: EdgeRequest<Deps>): void => {
    request.context.inbound = normalizeEvent(request.event);
  };
  return { before: normalizeRequestBefore };
}
