import type { Config } from '../config';
import { MintError } from '../errors';
import type { PublicJwk, SigningAlg } from './keySet';
import type { PublishedRoute } from '../routes';
import type { SigningKeys } from './signingKeys';

/** Where the public keys are served, relative to the service's base URL. */
export const JWKS_PATH = '/.well-known/jwks.json';

/** RFC 7517 §5: the public halves of the asymmetric keys; an HMAC-only secret publishes none. */
export interface JwksDocument {
  readonly keys: readonly PublicJwk[];
}

/** The subset of OpenID Connect Discovery 1.0 §3 a token verifier needs. */
export interface OpenIdConfiguration {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly id_token_signing_alg_values_supported: readonly SigningAlg[];
}

export type PublishedDocument = JwksDocument | OpenIdConfiguration;

/**
 * The document served on a published route.
 * @throws MintError NOT_FOUND for the discovery document when TOKEN_ISSUER is not the service's URL.
 */
export function publishedDocument(
  route: PublishedRoute,
  keys: SigningKeys,
  config: Pick<Config, 'tokenIssuer'>,
): PublishedDocument {
  return route === 'jwks' ? jwksDocument(keys) : openIdConfiguration(keys, config.tokenIssuer);
}

/** The JWKS: every asymmetric key of the set, pending, signing and retired alike. */
export function jwksDocument(keys: SigningKeys): JwksDocument {
  return { keys: [...keys.publicKeys] };
}

/**
 * The discovery document. `issuer` is TOKEN_ISSUER, the minted `iss`; since discovery finds this
 * document at the issuer plus "/.well-known/openid-configuration", the issuer must be the service's
 * base URL, and the JWKS sits beside it.
 * @throws MintError NOT_FOUND when TOKEN_ISSUER is unset or not an http(s) URL.
 */
export function openIdConfiguration(keys: SigningKeys, tokenIssuer: string | undefined): OpenIdConfiguration {
  if (tokenIssuer === undefined) {
    throw new MintError('NOT_FOUND', 'No discovery document: this service has no TOKEN_ISSUER.');
  }
  if (!isHttpUrl(tokenIssuer)) {
    throw new MintError('NOT_FOUND', 'No discovery document: TOKEN_ISSUER is not the service\'s http(s) base URL.');
  }
  return {
    issuer: tokenIssuer,
    jwks_uri: `${tokenIssuer.replace(/\/+$/, '')}${JWKS_PATH}`,
    id_token_signing_alg_values_supported: [...new Set(keys.signers.map((signer) => signer.alg))],
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}
