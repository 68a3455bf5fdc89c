import { SignJWT } from 'jose';
import type { KeyEntry } from '../keys/signingKeys';
import type { Actor } from './callerToken';
import { oauthScope, type TokenFormat } from './format';

/** The claims a token is signed with, before `jti` and `iat` are stamped on. */
export interface TokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | string[];
  readonly scope: string[];
  readonly exp: number;
  readonly nbf?: number;
  /** Absent only on a token nobody minted: an operator's first caller token (`npm run token`). */
  readonly act?: Actor;
  /** RFC 9068's `client_id`: the client the token was issued to; written only in that format. */
  readonly clientId?: string;
}

/** A signed token and the claims stamped on at signing time, for the audit log. */
export interface MintedToken {
  readonly token: string;
  readonly jti: string;
  readonly iat: number;
}

/**
 * Signs the decided claims with the signing key, stamping a fresh `jti` and `iat`, in the given
 * format (see lib/tokens/format.ts): the seed's by default.
 * @throws MintError INVALID_SCOPE when an RFC 9068 token's scope cannot be written as OAuth's string.
 * @throws TypeError for an RFC 9068 token without `clientId`: a programming mistake.
 */
export async function signToken(
  claims: TokenClaims,
  signingKey: KeyEntry,
  stamp: { readonly jti: string; readonly iat: number },
  format: TokenFormat = 'seed',
): Promise<MintedToken> {
  const typ = format === 'rfc9068' ? 'at+jwt' : 'JWT';
  const header = signingKey.kid === undefined ? { alg: signingKey.alg, typ } : { alg: signingKey.alg, typ, kid: signingKey.kid };
  const token = await new SignJWT(format === 'rfc9068' ? accessTokenPayload(claims, stamp) : seedPayload(claims, stamp))
    .setProtectedHeader(header)
    .sign(signingKey.key);
  return { token, jti: stamp.jti, iat: stamp.iat };
}

/** The original's claims, in the order of its tokens: jti, iss, sub, then the rest. */
function seedPayload(claims: TokenClaims, stamp: { readonly jti: string; readonly iat: number }) {
  return { jti: stamp.jti, iss: claims.iss, sub: claims.sub, aud: claims.aud, iat: stamp.iat, ...(claims.nbf === undefined ? {} : { nbf: claims.nbf }), exp: claims.exp, scope: claims.scope, ...(claims.act === undefined ? {} : { act: claims.act }) };
}

/** RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat and jti, then `scope` as OAuth's string. */
function accessTokenPayload(claims: TokenClaims, stamp: { readonly jti: string; readonly iat: number }) {
  if (claims.clientId === undefined) throw new TypeError('An RFC 9068 access token needs a client_id');
  return {
    iss: claims.iss,
    exp: claims.exp,
    aud: claims.aud,
    sub: claims.sub,
    client_id: claims.clientId,
    iat: stamp.iat,
    jti: stamp.jti,
    ...(claims.nbf === undefined ? {} : { nbf: claims.nbf }),
    scope: oauthScope(claims.scope),
    ...(claims.act === undefined ? {} : { act: claims.act }),
  };
}
