/**
 * What a token exchange may issue (RFC 8693), decided from the verified subject and actor tokens
 * with the mint's own rules (lib/mint/policy.ts): never more than the subject token holds.
 */
import type { Config } from '../config';
import { MintError } from '../errors';
import { actorChain, allowedAudience, assertDelegationDepth, grantedScopes } from '../mint/policy';
import type { ExchangedTokenClaims } from '../tokens/callerToken';
import type { TokenClaims } from '../tokens/sign';
import type { ExchangeRequest } from './request';

type ExchangePolicyConfig = Pick<
  Config,
  'callerAudience' | 'defaultAudience' | 'allowedAudiences' | 'maxTtlSeconds' | 'requiredScope' | 'maxDelegationDepth'
>;

/** The claims of an exchanged token, before `jti` and `iat` are stamped on: an RFC 9068 access token's. */
export type ExchangedClaims = TokenClaims & { readonly clientId: string };

/**
 * Decides the token an exchange issues.
 * - Who may exchange, with no client registry: the subject token is addressed to this service
 *   (`aud` holds CALLER_AUDIENCE); or the actor token, which is always addressed to this service,
 *   names a requester the subject token is addressed to (`aud` holds the actor's `sub`, the rule
 *   Keycloak's standard exchange applies to the requesting client) or that its `may_act` names.
 *   So a token taken from a downstream service cannot be re-targeted by whoever holds it.
 * - Never more than the subject token: its `sub`, scopes among its own (REQUIRED_SCOPE only when
 *   named), `exp` at most its own and at most MAX_TTL_SECONDS from now.
 * - Delegated (an actor token): `act` names the actor, its own chain nested inside (RFC 8693 §4.1).
 *   Otherwise the subject token's own `act`, so an exchange never shortens a chain of mints.
 * @throws MintError EXCHANGE_NOT_ALLOWED, AUDIENCE_NOT_ALLOWED, SCOPE_ESCALATION, TOKEN_EXPIRED (no
 * time left to give), DELEGATION_TOO_DEEP. No message repeats a value the request sent.
 */
export function decideExchangedClaims(
  request: ExchangeRequest,
  subject: ExchangedTokenClaims,
  actor: ExchangedTokenClaims | undefined,
  config: ExchangePolicyConfig,
  issuer: string,
  nowSeconds: number,
): ExchangedClaims {
  assertMayExchange(subject, actor, config);
  const aud = allowedAudience(request.audiences, config, () => 'An audience or resource asked for is not one this service issues tokens for (ALLOWED_AUDIENCES).');
  const scope = grantedScopes(request.scopes, subject.scopes, config, () => "A scope asked for is not among the subject token's scopes.");
  const exp = Math.min(subject.exp, nowSeconds + config.maxTtlSeconds);
  if (exp <= nowSeconds) throw new MintError('TOKEN_EXPIRED', 'The subject token has no time left to give.');
  let act = subject.act;
  if (actor === undefined) assertDelegationDepth(act, config);
  else act = actorChain(actor, config);
  return {
    iss: issuer,
    sub: subject.sub,
    aud,
    scope,
    exp,
    ...(act === undefined ? {} : { act }),
    clientId: subject.clientId ?? actor?.sub ?? subject.sub,
  };
}

/**
 * @throws MintError EXCHANGE_NOT_ALLOWED when neither the subject token nor its actor shows the
 * exchange was meant: the token is addressed elsewhere, and no actor it names or is addressed to asks.
 */
function assertMayExchange(subject: ExchangedTokenClaims, actor: ExchangedTokenClaims | undefined, config: Pick<Config, 'callerAudience'>): void {
  if (subject.aud.includes(config.callerAudience)) return;
  if (actor !== undefined) {
    if (subject.aud.includes(actor.sub)) return;
    const mayAct = subject.mayAct;
    if (mayAct !== undefined && mayAct.sub === actor.sub && (mayAct.iss === undefined || mayAct.iss === actor.iss)) return;
  }
  throw new MintError(
    'EXCHANGE_NOT_ALLOWED',
    actor === undefined
      ? 'The subject token is not addressed to this service: only a party it is addressed to, or that its may_act names, may exchange it, with its own token as actor_token.'
      : 'The subject token is addressed neither to this service nor to the actor, and its may_act does not name the actor.',
  );
}
