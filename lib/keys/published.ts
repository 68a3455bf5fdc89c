import { MintError } from '../errors';
import { epochSeconds } from '../time';
import type { PublicJwk, SigningAlg } from './jwk';
import { signsFrom } from './keySet';
import type { SigningKeys } from './signingKeys';

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

/** The JWKS: every asymmetric key of the set, pending, signing and retired alike. */
export function jwksDocument(keys: SigningKeys): JwksDocument {
  return { keys: [...keys.publicKeys] };
}

/**
 * Whether there is a discovery document to serve: only when TOKEN_ISSUER is the service's http(s)
 * base URL, since discovery finds the document at the issuer plus "/.well-known/openid-configuration".
 * @throws MintError NOT_FOUND otherwise.
 */
export function discoveryIssuer(tokenIssuer: string | undefined): string {
  if (tokenIssuer === undefined) {
    throw new MintError('NOT_FOUND', 'No discovery document: this service has no TOKEN_ISSUER.');
  }
  if (!isHttpUrl(tokenIssuer)) {
    throw new MintError('NOT_FOUND', "No discovery document: TOKEN_ISSUER is not the service's http(s) base URL.");
  }
  return tokenIssuer;
}

/** The discovery document of `issuer` (see discoveryIssuer), whose JWKS is served at `jwksPath`. */
export function openIdConfiguration(keys: SigningKeys, issuer: string, jwksPath: string, now: Date): OpenIdConfiguration {
  return {
    issuer,
    jwks_uri: `${issuer.replace(/\/+$/, '')}${jwksPath}`,
    id_token_signing_alg_values_supported: advertisedAlgorithms(keys, epochSeconds(now)),
  };
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
