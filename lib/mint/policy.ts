import type { CallerClaims } from '../tokens/callerToken';
import type { Config } from '../config';
import { MintError } from '../errors';
import type { MintRequest } from './request';

/** The claims of a token about to be minted, before `jti` and `iat` are stamped on. */
export interface MintedClaims {
  readonly iss: string;
  readonly sub: string;
  /** A string for one audience, an array for several, as RFC 7519 allows. */
  readonly aud: string | string[];
  readonly scope: string[];
  readonly exp: number;
  readonly nbf?: number;
}

type PolicyConfig = Pick<
  Config,
  'defaultAudience' | 'allowedAudiences' | 'defaultTtlSeconds' | 'maxTtlSeconds' | 'tokenIssuer'
>;

/**
 * Decides what a caller may mint: the lifetime, the audiences and the scopes, never more than the
 * caller holds.
 * @throws MintError INVALID_REQUEST (400) for a bad lifetime, AUDIENCE_NOT_ALLOWED or SCOPE_ESCALATION (403).
 */
export function decideMintedClaims(
  request: MintRequest,
  caller: CallerClaims,
  config: PolicyConfig,
  nowSeconds: number,
): MintedClaims {
  const exp = request.expiresAt ?? nowSeconds + config.defaultTtlSeconds;
  if (exp <= nowSeconds) {
    throw new MintError('INVALID_REQUEST', 'Field "expiresAt" must be in the future.');
  }
  if (exp > nowSeconds + config.maxTtlSeconds) {
    throw new MintError(
      'INVALID_REQUEST',
      `Field "expiresAt" must be at most ${config.maxTtlSeconds} seconds from now.`,
    );
  }
  if (request.notBefore !== undefined && request.notBefore >= exp) {
    throw new MintError('INVALID_REQUEST', 'Field "notBefore" must be before the expiry.');
  }

  const audiences = request.audience === undefined ? [config.defaultAudience] : [request.audience].flat();
  const refusedAudience = audiences.find((audience) => !config.allowedAudiences.includes(audience));
  if (refusedAudience !== undefined) {
    throw new MintError('AUDIENCE_NOT_ALLOWED', `Audience "${refusedAudience}" is not allowed.`);
  }

  const scope = request.authorities ? [...new Set(request.authorities)] : [...caller.scopes];
  const escalated = scope.find((authority) => !caller.scopes.includes(authority));
  if (escalated !== undefined) {
    throw new MintError('SCOPE_ESCALATION', `Authority "${escalated}" is not among the caller's scopes.`);
  }

  const distinctAudiences = [...new Set(audiences)];
  return {
    iss: config.tokenIssuer ?? caller.sub,
    sub: request.subject,
    aud: distinctAudiences.length === 1 ? (distinctAudiences[0] as string) : distinctAudiences,
    scope,
    exp,
    ...(request.notBefore === undefined ? {} : { nbf: request.notBefore }),
  };
}
