import type { AuditFacts } from '../audit';
import type { Config } from '../config';
import { toMintError } from '../errors';
import { signingKeyAt, type SigningKeys } from '../keys/signingKeys';
import { epochSeconds } from '../time';
import { extractBearerToken } from '../tokens/bearer';
import { verifyCallerToken } from '../tokens/callerToken';
import { parseCallerToken } from '../tokens/parse';
import { signToken } from '../tokens/sign';
import { decideMintedClaims } from './policy';
import { parseMintRequest, type MintRequest } from './request';

/** Everything one mint decision depends on; nothing is read from the environment or the network. */
export interface MintInput {
  /** Every value of the request's Authorization header. */
  readonly authorization: readonly string[];
  /** The parsed JSON body. */
  readonly body: unknown;
  /** The signing keys, fetched only once the request has passed the checks that need none. */
  readonly keys: () => Promise<SigningKeys>;
  readonly config: Config;
  readonly now: Date;
  readonly newJti: () => string;
}

/** A minted token and what was decided, for the audit line. */
export interface Minted {
  readonly token: string;
  readonly facts: AuditFacts;
}

/**
 * Reads the request, verifies the caller, decides the claims and signs the new token.
 * @throws MintError for every refusal (400, 401, 403, 5xx), carrying what was known for the audit line.
 */
export async function mintToken(input: MintInput): Promise<Minted> {
  const { config, now } = input;
  const request = parseMintRequest(input.body);
  let known = requestedFacts(request);
  try {
    // Every check that needs no key comes first: junk must not cost a call to Secrets Manager.
    const callerToken = parseCallerToken(extractBearerToken(input.authorization));
    const keys = await input.keys();
    const caller = await verifyCallerToken(callerToken, keys, config, now);
    known = { ...known, callerSub: caller.sub };
    const iat = epochSeconds(now);
    const claims = decideMintedClaims(request, caller, config, iat);
    // Chosen per request, not per cache load: a key published ahead of use starts signing at its `nbf`.
    // In RFC 9068's format the caller is the client the token was issued to.
    const minted = await signToken({ ...claims, clientId: caller.sub }, signingKeyAt(keys, now), { jti: input.newJti(), iat }, config.tokenFormat);
    return {
      token: minted.token,
      facts: { callerSub: caller.sub, subject: claims.sub, aud: claims.aud, scope: claims.scope, exp: claims.exp, jti: minted.jti, act: claims.act },
    };
  } catch (error) {
    throw toMintError(error).withFacts(known);
  }
}

/** What a request asks for: a denial is audited with it, a mint with what was actually issued. */
function requestedFacts(request: MintRequest): AuditFacts {
  return {
    subject: request.subject,
    ...(request.audience === undefined ? {} : { aud: request.audience }),
    ...(request.authorities === undefined ? {} : { scope: request.authorities }),
    ...(request.expiresAt === undefined ? {} : { exp: request.expiresAt }),
  };
}
