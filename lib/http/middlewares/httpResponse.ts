import type { MiddlewareObj } from '@middy/core';
import { describeError, toMintError } from '../../errors';
import { loggableText } from '../../logText';
import type { EdgeContext, EdgeLogger, EdgeRequest } from '../context';
import { lambdaResult, type ResponseFormat, type ResponseFormatName } from '../response';
import { formatAtPath, type Route, type RouteResult } from '../router';

const defaults = {
  /** The format of a refusal that came before any route was found (404, 405), at a path no route's format claims. */
  fallback: 'envelope' as ResponseFormatName,
};

/**
 * The one place outcomes become responses: a route's result or any error, in the route's format,
 * then in the event's shape (a proxy result over HTTP, the body itself for a direct invoke). An
 * error that may not be shown (5xx) is logged in full and answered with a safe message.
 */
export function httpResponse<Deps>(
  opts: {
    readonly formats: Readonly<Record<ResponseFormatName, ResponseFormat>>;
    readonly logger: EdgeLogger;
    /** The route table: a refusal before a route was found answers in the format of the routes at its path. */
    readonly routes: readonly Pick<Route<Deps>, 'path' | 'format'>[];
  } & Partial<typeof defaults>,
): MiddlewareObj<unknown, unknown, Error, EdgeContext<Deps>> {
  const options = { ...defaults, ...opts };

  const httpResponseAfter = (request: EdgeRequest<Deps>): void => {
    const { inbound, route } = request.context;
    if (inbound === undefined || route === undefined) throw new TypeError('normalizeRequest and routeRequest must run first');
    const result = request.response as RouteResult;
    request.response = lambdaResult(inbound.shape, options.formats[route.format].success(result.body));
  };

  const httpResponseOnError = (request: EdgeRequest<Deps>): void => {
    const error = toMintError(request.error);
    if (!error.expose) {
      // The cause goes to the log only; key errors never carry key material or tokens.
      options.logger.error('request failed', {
        code: error.code,
        detail: loggableText(error.message),
        ...(error.cause === undefined ? {} : { cause: loggableText(describeError(error.cause)) }),
      });
    }
    const { route, inbound } = request.context;
    const format = options.formats[route?.format ?? formatAtPath(options.routes, inbound?.path) ?? options.fallback];
    request.response = lambdaResult(inbound?.shape ?? 'direct', format.failure(error));
  };

  return { after: httpResponseAfter, onError: httpResponseOnError };
}
