import { MintError } from './errors';
import { eventShapeOf, routeOf, type InboundEvent } from './inboundEvent';

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

/** The published route an event asks for, or undefined for a mint request and anything unroutable. */
export function publishedRouteOf(event: InboundEvent): PublishedRoute | undefined {
  if (eventShapeOf(event) === 'direct') return undefined;
  try {
    const name = resolveRoute(routeOf(event as Extract<InboundEvent, { headers: unknown }>));
    return name === 'mint' ? undefined : name;
  } catch {
    return undefined;
  }
}
