/**
 * The two ways a minted token can be written. `seed`: the original's, `typ: JWT` and `scope` a JSON
 * array, which its clients expect. `rfc9068`: an OAuth JWT access token (RFC 9068), `typ: at+jwt`
 * with `client_id` and `scope` a space-delimited string, which standard verifiers expect
 * (aws-jwt-verify reads only a string `scope`; oauth4webapi's validateJwtAccessToken wants the `typ`).
 */
import { MintError } from '../errors';

export const TOKEN_FORMATS = ['seed', 'rfc9068'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), printable ASCII but space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Whether a scope can stand in OAuth's space-delimited `scope`. */
export function isScopeToken(scope: string): boolean {
  return SCOPE_TOKEN.test(scope);
}

/**
 * Scopes as OAuth's space-delimited `scope` (RFC 6749 §3.3).
 * @throws MintError INVALID_SCOPE for a scope that cannot be written so: a space in one would read
 * as two scopes the holder may not have.
 */
export function oauthScope(scopes: readonly string[]): string {
  if (!scopes.every(isScopeToken)) {
    throw new MintError(
      'INVALID_SCOPE',
      'A scope holds a space, a quote, a backslash or a character outside printable ASCII, so it cannot be written as an OAuth scope (RFC 6749 §3.3).',
    );
  }
  return scopes.join(' ');
}
