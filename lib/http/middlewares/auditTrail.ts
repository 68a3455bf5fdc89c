import type { MiddlewareObj } from '@middy/core';
import { auditRecord } from '../../audit';
import { toMintError } from '../../errors';
import type { EdgeContext, EdgeLogger, EdgeRequest } from '../context';
import type { RouteResult } from '../router';

/**
 * One audit line per decision of an audited route: `issued` with what the route decided, or
 * `denied` with the reason and the facts the refusal carries.
 */
export function auditTrail<Deps>(options: { readonly logger: EdgeLogger }): MiddlewareObj<unknown, unknown, Error, EdgeContext<Deps>> {
  const auditTrailAfter = (request: EdgeRequest<Deps>): void => {
    if (request.context.route?.audit !== true) return;
    const result = request.response as RouteResult;
    options.logger.info('issued', auditRecord('issued', result.audit ?? {}));
  };

  const auditTrailOnError = (request: EdgeRequest<Deps>): void => {
    if (request.context.route?.audit !== true) return;
    const error = toMintError(request.error);
    options.logger.warn('denied', auditRecord('denied', error.facts, { reason: error.code, status: error.statusCode }));
  };

  return { after: auditTrailAfter, onError: auditTrailOnError };
}
