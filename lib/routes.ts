import { MintError } from './errors';
import { eventShapeOf, routeOf, type EventShape, type InboundEvent } from './http/request';

/** Every route this function serves, as API Gateway names them. */
export const ROUTES = Object.freeze({
  mint: 'POST /user/generateJwt',
  jwks: 'GET /.well-known/jwks.json',
  openidConfiguration: 'GET /.well-known/openid-configuration',
} as const);

export type RouteName = keyof typeof ROUTES;
/** The routes that publish keys: no caller token, no body, cacheable. */
export type PublishedRoute = Exclude<RouteName, 'mint'>;

/**
 * Finds the route an HTTP request asks for.
 * @throws MintError NOT_FOUND for an unknown path, METHOD_NOT_ALLOWED for a known path and another method.
 */
export function resolveRoute(route: string): RouteName {
  const match = (Object.entries(ROUTES) as [RouteName, string][]).find(([, known]) => known === route);
  if (match) return match[0];
  const path = route.slice(route.indexOf(' ') + 1);
  const samePath = Object.values(ROUTES).find((known) => known.endsWith(` ${path}`));
  if (samePath !== undefined) throw new MintError('METHOD_NOT_ALLOWED', `Use ${samePath}.`);
  throw new MintError('NOT_FOUND', `No route ${route}.`);
}

/** Where an event goes: its shape, and the route it names or the refusal of one it cannot. */
export interface Routing {
  readonly shape: EventShape;
  readonly route: RouteName | MintError;
}

/** Routes an event once, for the dispatcher: a direct invoke always mints. */
export function routeEvent(event: InboundEvent): Routing {
  const shape = eventShapeOf(event);
  if (shape === 'direct') return { shape, route: 'mint' };
  try {
    return { shape, route: resolveRoute(routeOf(event as Extract<InboundEvent, { headers: unknown }>, shape)) };
  } catch (error) {
    if (error instanceof MintError) return { shape, route: error };
    throw error;
  }
}

/** True for the routes the publish chain serves. */
export function isPublishedRoute(route: RouteName | MintError): route is PublishedRoute {
  return route === 'jwks' || route === 'openidConfiguration';
}
