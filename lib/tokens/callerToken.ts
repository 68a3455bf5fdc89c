import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../config';
import { MintError } from '../errors';
import type { KeyEntry, SigningKeys } from '../keys/signingKeys';
import { epochSeconds } from '../time';
import type { ParsedCallerToken, TokenRole } from './parse';

/** RFC 8693 §4.1: who minted a token, and who minted that one, nearest first. */
export interface Actor {
  readonly sub: string;
  readonly act?: Actor;
}

/** What jwt-mint relies on from a verified caller token. */
export interface CallerClaims {
  readonly sub: string;
  readonly scopes: readonly string[];
  /** Epoch seconds: a token this caller delegates to never outlives it. */
  readonly exp: number;
  /** Present when the caller's own token was minted by us for another caller. */
  readonly act?: Actor;
}

/** Deeper `act` nesting than any configurable bound: a caller token with more is not one of ours. */
const MAX_ACT_NESTING = 32;

/** Reads `scope` as the seed's JSON array or as an OAuth space-delimited string. */
export function readScopes(scope: unknown): string[] | undefined {
  if (typeof scope === 'string') return scope.split(' ').filter((entry) => entry !== '');
  if (Array.isArray(scope) && scope.every((entry) => typeof entry === 'string')) return [...scope];
  return undefined;
}

/**
 * Verifies a parsed caller token against the loaded keys and the configured audience and scope.
 * The accepted algorithm is the key's own, never the token header's.
 * @throws MintError INVALID_TOKEN or TOKEN_EXPIRED (401), INSUFFICIENT_SCOPE (403), the latter
 * carrying the genuine caller's `sub` so that the refusal is audited with who asked.
 */
export async function verifyCallerToken(
  parsed: ParsedCallerToken,
  keys: SigningKeys,
  config: Pick<Config, 'callerAudience' | 'requiredScope' | 'clockToleranceSeconds'>,
  now: Date,
): Promise<CallerClaims> {
  const payload = await verifiedPayload(parsed, keys, config, now, { audience: config.callerAudience, role: 'caller token' });
  const scopes = readScopes(payload.scope);
  if (scopes === undefined || !scopes.includes(config.requiredScope)) {
    throw new MintError('INSUFFICIENT_SCOPE', `The caller token lacks the "${config.requiredScope}" scope.`, {
      facts: { callerSub: payload.sub },
    });
  }
  const act = readActor(payload.act, 1, 'caller token');
  return { sub: payload.sub, scopes, exp: payload.exp as number, ...(act === undefined ? {} : { act }) };
}

/** What an exchange relies on from a verified subject or actor token. */
export interface ExchangedTokenClaims extends CallerClaims {
  /** Every audience it is addressed to. */
  readonly aud: readonly string[];
  /** Its `client_id`, when it has one (RFC 9068). */
  readonly clientId?: string;
  /** RFC 8693 §4.4: the party its `may_act` names, when it names one by `sub` (and perhaps `iss`). */
  readonly mayAct?: { readonly sub: string; readonly iss?: string };
  readonly iss?: string;
}

/**
 * Verifies the subject or actor token of a token exchange exactly as a caller token is verified:
 * the key set, the key's own algorithm, `exp` with the tolerance, `nbf`, `iat`, whole seconds, a
 * `sub`. An actor token must also be addressed to this service (CALLER_AUDIENCE); a subject token
 * may be addressed to anyone, and whether it may be exchanged is the exchange's decision. Neither
 * needs REQUIRED_SCOPE: an exchange never gives more than the subject token holds.
 * @throws MintError INVALID_TOKEN or TOKEN_EXPIRED.
 */
export async function verifyExchangedToken(
  parsed: ParsedCallerToken,
  keys: SigningKeys,
  config: Pick<Config, 'callerAudience' | 'clockToleranceSeconds'>,
  now: Date,
  role: 'subject token' | 'actor token',
): Promise<ExchangedTokenClaims> {
  const payload = await verifiedPayload(parsed, keys, config, now, { audience: role === 'actor token' ? config.callerAudience : undefined, role });
  const scopes = payload.scope === undefined ? [] : readScopes(payload.scope);
  if (scopes === undefined) throw new MintError('INVALID_TOKEN', `The ${role} has a "scope" that is not a list of scopes.`);
  const aud: unknown = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
  if (!Array.isArray(aud) || !aud.every((entry) => typeof entry === 'string')) {
    throw new MintError('INVALID_TOKEN', `The ${role} has an "aud" that is not a list of audiences.`);
  }
  const clientId = payload.client_id;
  if (clientId !== undefined && (typeof clientId !== 'string' || clientId === '')) {
    throw new MintError('INVALID_TOKEN', `The ${role} has a "client_id" that is not a non-empty string.`);
  }
  const act = readActor(payload.act, 1, role);
  const mayAct = readMayAct(payload.may_act);
  return {
    sub: payload.sub,
    scopes,
    exp: payload.exp as number,
    aud,
    ...(act === undefined ? {} : { act }),
    ...(clientId === undefined ? {} : { clientId }),
    ...(mayAct === undefined ? {} : { mayAct }),
    ...(typeof payload.iss === 'string' ? { iss: payload.iss } : {}),
  };
}

/**
 * A token's signature, algorithm, audience (when one is required) and time claims, then the
 * checks every token of ours gets: whole-second times, no `iat` in the future, a `sub`.
 * @throws MintError INVALID_TOKEN or TOKEN_EXPIRED.
 */
async function verifiedPayload(
  parsed: ParsedCallerToken,
  keys: SigningKeys,
  config: Pick<Config, 'clockToleranceSeconds'>,
  now: Date,
  expected: { readonly audience: string | undefined; readonly role: TokenRole },
): Promise<JWTPayload & { sub: string }> {
  const { role } = expected;
  const payload = await verifyWithKeySet(parsed, keys, { ...expected, clockToleranceSeconds: config.clockToleranceSeconds }, now);
  // RFC 7519 NumericDate, read strictly: 1e309 parses to Infinity, which would never expire.
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    if (payload[claim] !== undefined && !Number.isSafeInteger(payload[claim])) {
      throw new MintError('INVALID_TOKEN', `The ${role}'s "${claim}" is not a whole number of seconds.`);
    }
  }
  if (typeof payload.iat === 'number' && payload.iat > epochSeconds(now) + config.clockToleranceSeconds) {
    throw new MintError('INVALID_TOKEN', `The ${role} was issued in the future ("iat").`);
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') {
    throw new MintError('INVALID_TOKEN', `The ${role} has no subject ("sub").`);
  }
  return payload as JWTPayload & { sub: string };
}

/** RFC 8693 §4.4's `may_act`: the party it names, or undefined when it names none we can match. */
function readMayAct(value: unknown): { sub: string; iss?: string } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { sub, iss } = value as { sub?: unknown; iss?: unknown };
  if (typeof sub !== 'string' || sub === '') return undefined;
  if (iss !== undefined && typeof iss !== 'string') return undefined;
  return iss === undefined ? { sub } : { sub, iss };
}

/**
 * Reads an `act` claim as a chain of subjects, each an object with a non-empty string `sub`.
 * @throws MintError INVALID_TOKEN for anything else.
 */
function readActor(value: unknown, depth: number, role: TokenRole): Actor | undefined {
  if (value === undefined) return undefined;
  const actor = value as { sub?: unknown; act?: unknown } | null;
  if (typeof actor !== 'object' || actor === null || Array.isArray(actor) || typeof actor.sub !== 'string' || actor.sub === '' || depth > MAX_ACT_NESTING) {
    throw new MintError('INVALID_TOKEN', `The ${role} has an "act" claim that is not a chain of subjects.`);
  }
  const inner = readActor(actor.act, depth + 1, role);
  return inner === undefined ? { sub: actor.sub } : { sub: actor.sub, act: inner };
}

function candidateKeys(kid: unknown, keys: SigningKeys, role: TokenRole): readonly KeyEntry[] {
  if (kid === undefined) {
    // Without a kid only HMAC keys are tried: an asymmetric key is always named.
    return keys.verificationKeys.filter((entry) => entry.kid === undefined && entry.alg.startsWith('HS'));
  }
  const named = keys.verificationKeys.filter((entry) => entry.kid === kid);
  if (named.length === 0) throw new MintError('INVALID_TOKEN', `The ${role} names a key ("kid") we do not know.`);
  return named;
}

async function verifyWithKeySet(
  { token, kid }: ParsedCallerToken,
  keys: SigningKeys,
  expected: { readonly audience: string | undefined; readonly role: TokenRole; readonly clockToleranceSeconds: number },
  now: Date,
): Promise<JWTPayload> {
  const { role } = expected;
  const candidates = candidateKeys(kid, keys, role);
  if (candidates.length === 0) {
    throw new MintError('INVALID_TOKEN', `The ${role} names no key ("kid") and no unnamed key can verify it.`);
  }
  let lastError: unknown;
  for (const entry of candidates) {
    try {
      const { payload } = await jwtVerify(token, entry.key, {
        algorithms: [entry.alg],
        ...(expected.audience === undefined ? {} : { audience: expected.audience }),
        clockTolerance: expected.clockToleranceSeconds,
        currentDate: now,
        requiredClaims: ['exp', 'sub'],
      });
      return payload;
    } catch (error) {
      lastError = error;
      // Only a signature mismatch is worth trying the next key for.
      if (!(error instanceof joseErrors.JWSSignatureVerificationFailed)) break;
    }
  }
  throw toTokenError(lastError, expected.audience, role);
}

function toTokenError(error: unknown, audience: string | undefined, role: TokenRole): MintError {
  if (error instanceof joseErrors.JWTExpired) {
    return new MintError('TOKEN_EXPIRED', `The ${role} has expired.`, { cause: error });
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    const reason =
      error.claim === 'aud'
        ? `its audience ("aud") does not include "${audience}"`
        : error.claim === 'nbf'
          ? 'it is not valid yet ("nbf")'
          : error.message;
    return new MintError('INVALID_TOKEN', `The ${role} is not valid: ${reason}.`, { cause: error });
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return new MintError('INVALID_TOKEN', `The ${role} is signed with an algorithm we do not accept.`, {
      cause: error,
    });
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new MintError('INVALID_TOKEN', `The ${role} signature does not verify.`, { cause: error });
  }
  return new MintError('INVALID_TOKEN', `The ${role} is not a well-formed JWT.`, { cause: error });
}
