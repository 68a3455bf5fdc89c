import { MintError } from '../errors';
import { epochSeconds } from '../time';
import type { PublicJwk, SigningAlg } from './jwk';
import { signsFrom } from './keySet';
import type { SigningKeys } from './signingKeys';

/** RFC 7517 §5: the public halves of the asymmetric keys; an HMAC-only secret publishes none. */
export interface JwksDocument {
  readonly keys: readonly PublicJwk[];
}

/** The token endpoint's grant: RFC 8693's token exchange. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** Where the service serves what its metadata names, below the issuer's base URL. */
export interface PublishedPaths {
  readonly jwks: string;
  readonly token: string;
}

/**
 * RFC 8414 §2's authorization server metadata, as far as this service is one: a token endpoint for
 * the token exchange grant, with no client authentication, and no authorization endpoint (so no
 * response type: `response_types_supported`, which the RFC requires, is empty). The algorithms are
 * those of the published keys that sign (OpenID Connect's field, which RFC 8414 §7.1.2 registers
 * for this document too), so that a verifier configured from either document accepts the same.
 */
export interface AuthorizationServerMetadata {
  readonly issuer: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly grant_types_supported: readonly string[];
  readonly token_endpoint_auth_methods_supported: readonly string[];
  readonly response_types_supported: readonly string[];
  readonly scopes_supported?: readonly string[];
  readonly id_token_signing_alg_values_supported: readonly SigningAlg[];
}

/** OpenID Connect Discovery 1.0 §3: the same fields, and the subject type OpenID Connect requires. */
export interface OpenIdConfiguration extends AuthorizationServerMetadata {
  readonly subject_types_supported: readonly string[];
}

/** The JWKS: every asymmetric key of the set, pending, signing and retired alike. */
export function jwksDocument(keys: SigningKeys): JwksDocument {
  return { keys: [...keys.publicKeys] };
}

/**
 * The issuer, when TOKEN_ISSUER is the service's http(s) base URL: only then are the discovery
 * documents and the token endpoint served, since discovery finds a document at the issuer plus its
 * well-known path, and every token the endpoint issues names its issuer.
 * @throws MintError NOT_FOUND otherwise, naming `what` is not served.
 */
export function issuerBaseUrl(tokenIssuer: string | undefined, what: string): string {
  if (tokenIssuer === undefined) {
    throw new MintError('NOT_FOUND', `No ${what}: this service has no TOKEN_ISSUER.`);
  }
  if (!isHttpUrl(tokenIssuer)) {
    throw new MintError('NOT_FOUND', `No ${what}: TOKEN_ISSUER is not the service's http(s) base URL.`);
  }
  return tokenIssuer;
}

/** RFC 8414 metadata of `issuer` (see issuerBaseUrl), whose documents are served at `paths` below it. */
export function authorizationServerMetadata(
  keys: SigningKeys,
  issuer: string,
  paths: PublishedPaths,
  scopesSupported: readonly string[] | undefined,
  now: Date,
): AuthorizationServerMetadata {
  const base = issuer.replace(/\/+$/, '');
  return {
    issuer,
    token_endpoint: `${base}${paths.token}`,
    jwks_uri: `${base}${paths.jwks}`,
    grant_types_supported: [TOKEN_EXCHANGE_GRANT],
    // A public client: no client authentication, and so no client registry to keep.
    token_endpoint_auth_methods_supported: ['none'],
    response_types_supported: [],
    ...(scopesSupported === undefined ? {} : { scopes_supported: [...scopesSupported] }),
    id_token_signing_alg_values_supported: advertisedAlgorithms(keys, epochSeconds(now)),
  };
}

/** The OpenID Connect discovery document of `issuer`: the RFC 8414 metadata, and its subject type. */
export function openIdConfiguration(
  keys: SigningKeys,
  issuer: string,
  paths: PublishedPaths,
  scopesSupported: readonly string[] | undefined,
  now: Date,
): OpenIdConfiguration {
  return { ...authorizationServerMetadata(keys, issuer, paths, scopesSupported, now), subject_types_supported: ['public'] };
}

/**
 * The algorithms a verifier configured from discovery should accept: those of the keys in the
 * JWKS that sign now or are scheduled to. Never an HMAC one (no HMAC key is published), and not a
 * retired key's: its key stays published to verify the tokens it signed, but it signs no more.
 */
function advertisedAlgorithms(keys: SigningKeys, nowSeconds: number): SigningAlg[] {
  const published = new Set(keys.publicKeys.map((jwk) => jwk.kid));
  const signing = keys.signers.filter(
    (signer, index) => signer.kid !== undefined && published.has(signer.kid) && signsFrom(keys.signers, index, nowSeconds),
  );
  return [...new Set(signing.map((signer) => signer.alg))];
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}
