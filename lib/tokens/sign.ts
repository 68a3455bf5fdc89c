import { SignJWT } from 'jose';
import type { KeyEntry } from '../keys/signingKeys';
import type { Actor } from './callerToken';

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
}

/** A signed token and the claims stamped on at signing time, for the audit log. */
export interface MintedToken {
  readonly token: string;
  readonly jti: string;
  readonly iat: number;
}

/** Signs the decided claims with the signing key, stamping a fresh `jti` and `iat`. */
export async function signToken(
  claims: TokenClaims,
  signingKey: KeyEntry,
  stamp: { readonly jti: string; readonly iat: number },
): Promise<MintedToken> {
  const header = signingKey.kid === undefined
    ? { alg: signingKey.alg, typ: 'JWT' }
    : { alg: signingKey.alg, typ: 'JWT', kid: signingKey.kid };
  // Claim order follows the original's tokens: jti, iss, sub, then the rest.
  const payload = { jti: stamp.jti, iss: claims.iss, sub: claims.sub, aud: claims.aud, iat: stamp.iat, ...(claims.nbf === undefined ? {} : { nbf: claims.nbf }), exp: claims.exp, scope: claims.scope, ...(claims.act === undefined ? {} : { act: claims.act }) };
  const token = await new SignJWT(payload).setProtectedHeader(header).sign(signingKey.key);
  return { token, jti: stamp.jti, iat: stamp.iat };
}
