import type { MiddlewareObj } from '@middy/core';
import { auditRecord } from '../../audit';
import { toMintError } from '../../errors';
import type { EdgeContext, EdgeLogger, EdgeRequest } from '../context';
import type { ResponseFormat, ResponseFormatName } from '../response';
import type { RouteResult } from '../router';

/**
 * One audit line per decision of an audited route: `issued` with what the route decided, or
 * `denied` with the reason, the facts the refusal carries and the status the route's format
 * answers it with.
 */
export function auditTrail<Deps>(options: {
  readonly logger: EdgeLogger;
  readonly formats: Readonly<Record<ResponseFormatName, ResponseFormat>>;
}): MiddlewareObj<unknown, unknown, Error, EdgeContext<Deps>> {
  const auditTrailAfter = (request: EdgeRequest<Deps>): void => {
    if (request.context.route?.audit !== true) return;
    const result = request.response as RouteResult;
    options.logger.info('issued', auditRecord('issued', result.audit ?? {}));
  };

  const auditTrailOnError = (request: EdgeRequest<Deps>): void => {
    const { route } = request.context;
    if (route?.audit !== true) return;
    const error = toMintError(request.error);
    const { status } = options.formats[route.format].failure(error);
    options.logger.warn('denied', auditRecord('denied', error.facts, { reason: error.code, status }));
  };

  return { after: auditTrailAfter, onError: auditTrailOnError };
}
