/**
 * The function's routes: one entry each, and the function that serves it. This table is the one
 * place a route is named; serverless.yml routes the same paths to the function, and the packaging
 * test holds the two equal.
 */
import { exchangeToken } from './exchange/exchangeToken';
import type { FormFields } from './http/body';
import { successEnvelope } from './http/envelope';
import type { Route, RouteRequest, RouteResult } from './http/router';
import { headerValuesOf } from './http/request';
import { authorizationServerMetadata, issuerBaseUrl, jwksDocument, openIdConfiguration, type PublishedPaths } from './keys/published';
import { mintToken } from './mint/mintToken';
import type { Runtime } from './runtime';

const PATHS: PublishedPaths = { jwks: '/.well-known/jwks.json', token: '/oauth2/token' };

export const ROUTES: readonly Route<Runtime>[] = [
  { method: 'POST', path: '/user/generateJwt', body: 'json', format: 'envelope', audit: true, directInvoke: 'default', serve: mint },
  { method: 'POST', path: PATHS.token, body: 'form', format: 'oauth', audit: true, directInvoke: 'byPath', serve: tokenExchange },
  { method: 'GET', path: PATHS.jwks, format: 'document', serve: jwks },
  { method: 'GET', path: '/.well-known/openid-configuration', format: 'document', serve: openIdDiscovery },
  { method: 'GET', path: '/.well-known/oauth-authorization-server', format: 'document', serve: oauthMetadata },
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

/** POST /oauth2/token: RFC 8693 token exchange, when TOKEN_ISSUER is the service's base URL (404 otherwise, before any key fetch). */
async function tokenExchange(request: RouteRequest, runtime: Runtime): Promise<RouteResult> {
  const issuer = issuerBaseUrl(runtime.config.tokenIssuer, 'token endpoint');
  const exchanged = await exchangeToken({
    authorization: headerValuesOf(request, 'authorization'),
    form: request.body as FormFields,
    keys: runtime.keyCache.get,
    config: runtime.config,
    issuer,
    now: new Date(runtime.now()),
    newJti: runtime.newJti,
  });
  return { body: exchanged.response, audit: exchanged.facts };
}

/** The public keys verifiers fetch. */
async function jwks(_request: RouteRequest, runtime: Runtime): Promise<RouteResult> {
  return { body: jwksDocument(await runtime.keyCache.get()) };
}

/** The OpenID Connect discovery document, when TOKEN_ISSUER is the service's base URL (404 otherwise, before any key fetch). */
async function openIdDiscovery(_request: RouteRequest, runtime: Runtime): Promise<RouteResult> {
  const { tokenIssuer, scopesSupported } = runtime.config;
  const issuer = issuerBaseUrl(tokenIssuer, 'discovery document');
  return { body: openIdConfiguration(await runtime.keyCache.get(), issuer, PATHS, scopesSupported, new Date(runtime.now())) };
}

/** RFC 8414's authorization server metadata, on the same terms as the discovery document. */
async function oauthMetadata(_request: RouteRequest, runtime: Runtime): Promise<RouteResult> {
  const { tokenIssuer, scopesSupported } = runtime.config;
  const issuer = issuerBaseUrl(tokenIssuer, 'authorization server metadata');
  return { body: authorizationServerMetadata(await runtime.keyCache.get(), issuer, PATHS, scopesSupported, new Date(runtime.now())) };
}
