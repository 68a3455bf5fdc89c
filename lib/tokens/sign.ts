import { SignJWT } from 'jose';
import type { MintedClaims } from '../mint/policy';
import type { KeyEntry } from '../keys/signingKeys';

/** A signed token and the claims stamped on at signing time, for the audit log. */
export interface MintedToken {
  readonly token: string;
  readonly jti: string;
  readonly iat: number;
}

/** Signs the decided claims with the signing key, stamping a fresh `jti` and `iat`. */
export async function signToken(
  claims: MintedClaims,
  signingKey: KeyEntry,
  stamp: { readonly jti: string; readonly iat: number },
): Promise<MintedToken> {
  const header = signingKey.kid === undefined
    ? { alg: signingKey.alg, typ: 'JWT' }
    : { alg: signingKey.alg, typ: 'JWT', kid: signingKey.kid };
  // Claim order follows the original's tokens: jti, iss, sub, then the rest.
  const payload = { jti: stamp.jti, iss: claims.iss, sub: claims.sub, aud: claims.aud, iat: stamp.iat, ...(claims.nbf === undefined ? {} : { nbf: claims.nbf }), exp: claims.exp, scope: claims.scope };
  const token = await new SignJWT(payload).setProtectedHeader(header).sign(signingKey.key);
  return { token, jti: stamp.jti, iat: stamp.iat };
}
