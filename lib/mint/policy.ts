import type { Actor, CallerClaims } from '../tokens/callerToken';
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
  /** RFC 8693 §4.1: the caller who minted it, with the chain that led to that caller. */
  readonly act: Actor;
}

type PolicyConfig = Pick<
  Config,
  'defaultAudience' | 'allowedAudiences' | 'defaultTtlSeconds' | 'maxTtlSeconds' | 'tokenIssuer' | 'requiredScope' | 'maxDelegationDepth'
>;

/**
 * Decides what a caller may mint: the lifetime, the audiences and the scopes, never more than the
 * caller holds. The minting right (REQUIRED_SCOPE) passes on only when `authorities` names it, and
 * a token that can mint in turn never outlives its caller: a right to mint always ends.
 * @throws MintError INVALID_REQUEST (400) for a bad lifetime; AUDIENCE_NOT_ALLOWED, SCOPE_ESCALATION,
 * DELEGATION_EXCEEDS_CALLER or DELEGATION_TOO_DEEP (403).
 */
export function decideMintedClaims(
  request: MintRequest,
  caller: CallerClaims,
  config: PolicyConfig,
  nowSeconds: number,
): MintedClaims {
  const requestedExp = request.expiresAt ?? nowSeconds + config.defaultTtlSeconds;
  if (requestedExp <= nowSeconds) {
    throw new MintError('INVALID_REQUEST', 'Field "expiresAt" must be in the future.');
  }
  if (requestedExp > nowSeconds + config.maxTtlSeconds) {
    throw new MintError('INVALID_REQUEST', `Field "expiresAt" must be at most ${config.maxTtlSeconds} seconds from now.`);
  }

  if (request.notBefore !== undefined && Math.abs(request.notBefore - nowSeconds) > config.maxTtlSeconds) {
    throw new MintError('INVALID_REQUEST', `Field "notBefore" must be within ${config.maxTtlSeconds} seconds of now.`);
  }

  const audience = allowedAudience(request.audience === undefined ? undefined : [request.audience].flat(), config, (refused) => `Audience "${refused}" is not allowed.`);
  const scope = grantedScopes(request.authorities, caller.scopes, config, (escalated) => `Authority "${escalated}" is not among the caller's scopes.`);

  const exp = scope.includes(config.requiredScope) ? delegatedExpiry(request, requestedExp, caller, nowSeconds) : requestedExp;
  if (request.notBefore !== undefined && request.notBefore >= exp) {
    throw new MintError('INVALID_REQUEST', 'Field "notBefore" must be before the expiry.');
  }

  const act = actorChain(caller, config);
  return {
    iss: config.tokenIssuer ?? caller.sub,
    sub: request.subject,
    aud: audience,
    scope,
    exp,
    ...(request.notBefore === undefined ? {} : { nbf: request.notBefore }),
    act,
  };
}

/**
 * The audience of a token about to be minted or exchanged: the one asked for (each allowed) or the
 * default; a string for one, an array for several, as RFC 7519 allows.
 * @throws MintError AUDIENCE_NOT_ALLOWED, with the message `refusal` gives for the first refused one.
 */
export function allowedAudience(
  requested: readonly string[] | undefined,
  config: Pick<Config, 'defaultAudience' | 'allowedAudiences'>,
  refusal: (audience: string) => string,
): string | string[] {
  const audiences = requested === undefined || requested.length === 0 ? [config.defaultAudience] : requested;
  const refused = audiences.find((audience) => !config.allowedAudiences.includes(audience));
  if (refused !== undefined) throw new MintError('AUDIENCE_NOT_ALLOWED', refusal(refused));
  const distinct = [...new Set(audiences)];
  return distinct.length === 1 ? (distinct[0] as string) : distinct;
}

/**
 * The scopes of a token about to be minted or exchanged: never one its holder does not have. By
 * default the holder's scopes less the right to mint (REQUIRED_SCOPE): passing that on takes naming it.
 * @throws MintError SCOPE_ESCALATION, with the message `refusal` gives for the first scope beyond the holder's.
 */
export function grantedScopes(
  requested: readonly string[] | undefined,
  holderScopes: readonly string[],
  config: Pick<Config, 'requiredScope'>,
  refusal: (scope: string) => string,
): string[] {
  const scope = requested ? [...new Set(requested)] : holderScopes.filter((authority) => authority !== config.requiredScope);
  const escalated = scope.find((authority) => !holderScopes.includes(authority));
  if (escalated !== undefined) throw new MintError('SCOPE_ESCALATION', refusal(escalated));
  return scope;
}

/**
 * The `act` claim of a token made for `actor` (RFC 8693 §4.1): the actor, with the chain that led to
 * it nested inside, at most MAX_DELEGATION_DEPTH levels deep.
 * @throws MintError DELEGATION_TOO_DEEP.
 */
export function actorChain(actor: { readonly sub: string; readonly act?: Actor }, config: Pick<Config, 'maxDelegationDepth'>): Actor {
  const act: Actor = actor.act === undefined ? { sub: actor.sub } : { sub: actor.sub, act: actor.act };
  assertDelegationDepth(act, config);
  return act;
}

/**
 * Refuses a token whose `act` chain would be longer than MAX_DELEGATION_DEPTH.
 * @throws MintError DELEGATION_TOO_DEEP.
 */
export function assertDelegationDepth(act: Actor | undefined, config: Pick<Config, 'maxDelegationDepth'>): void {
  if (actDepth(act) > config.maxDelegationDepth) {
    throw new MintError(
      'DELEGATION_TOO_DEEP',
      `This token would be minted ${actDepth(act)} mints away from its origin; at most ${config.maxDelegationDepth} are allowed (MAX_DELEGATION_DEPTH).`,
    );
  }
}

/**
 * The expiry of a token that may mint in turn: at most the caller's own.
 * @throws MintError DELEGATION_EXCEEDS_CALLER when asked to outlive the caller, or the caller's
 * token has no time left to give.
 */
function delegatedExpiry(request: MintRequest, requestedExp: number, caller: CallerClaims, nowSeconds: number): number {
  if (request.expiresAt !== undefined && request.expiresAt > caller.exp) {
    throw new MintError(
      'DELEGATION_EXCEEDS_CALLER',
      'Field "expiresAt" is past the expiry of the caller token: a token that may mint never outlives its caller.',
    );
  }
  const exp = Math.min(requestedExp, caller.exp);
  if (exp <= nowSeconds) {
    throw new MintError('DELEGATION_EXCEEDS_CALLER', 'The caller token expires too soon to pass on the right to mint.');
  }
  return exp;
}

/** How many mints lie between a token and its origin: the levels of its `act` chain. */
function actDepth(act: Actor | undefined): number {
  return act === undefined ? 0 : 1 + actDepth(act.act);
}
