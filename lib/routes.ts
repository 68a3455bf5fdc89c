/**
 * The function's routes: one entry each, and the function that serves it. This table is the one
 * place a route is named; serverless.yml routes the same paths to the function, and the packaging
 * test holds the two equal.
 */
import { successEnvelope } from './http/envelope';
import type { Route, RouteRequest, RouteResult } from './http/router';
import { headerValuesOf } from './http/request';
import { discoveryIssuer, jwksDocument, openIdConfiguration } from './keys/published';
import { mintToken } from './mint/mintToken';
import type { Runtime } from './runtime';

const JWKS_PATH = '/.well-known/jwks.json';

export const ROUTES: readonly Route<Runtime>[] = [
  { method: 'POST', path: '/user/generateJwt', body: 'json', format: 'envelope', audit: true, directInvoke: 'default', serve: mint },
  { method: 'GET', path: JWKS_PATH, format: 'document', serve: jwks },
  { method: 'GET', path: '/.well-known/openid-configuration', format: 'document', serve: openIdDiscovery },
];

/** POST /user/generateJwt, and every direct invoke: the original's endpoint. */
async function mint(request: RouteRequest, runtime: Runtime): Promise<RouteResult> {
  const minted = await mintToken({
    authorization: headerValuesOf(request, 'authorization'),
    body: request.body,
    keys: runtime.keyCache.get,
    config: runtime.config,
    now: new Date(runtime.now()),
    newJti: runtime.newJti,
  });
  return { body: successEnvelope(minted.token), audit: minted.facts };
}

/** The public keys verifiers fetch. */
async function jwks(_request: RouteRequest, runtime: Runtime): Promise<RouteResult> {
  return { body: jwksDocument(await runtime.keyCache.get()) };
}

/** The discovery document, when TOKEN_ISSUER is the service's base URL (404 otherwise, before any key fetch). */
async function openIdDiscovery(_request: RouteRequest, runtime: Runtime): Promise<RouteResult> {
  const issuer = discoveryIssuer(runtime.config.tokenIssuer);
  return { body: openIdConfiguration(await runtime.keyCache.get(), issuer, JWKS_PATH, new Date(runtime.now())) };
}
