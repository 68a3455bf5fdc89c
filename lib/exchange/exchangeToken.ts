import type { AuditFacts } from '../audit';
import type { Config } from '../config';
import { toMintError } from '../errors';
import type { FormFields } from '../http/body';
import { signingKeyAt, type SigningKeys } from '../keys/signingKeys';
import { epochSeconds } from '../time';
import { verifyExchangedToken } from '../tokens/callerToken';
import { parseCallerToken } from '../tokens/parse';
import { oauthScope } from '../tokens/format';
import { signToken } from '../tokens/sign';
import { decideExchangedClaims } from './policy';
import { parseExchangeRequest, type ExchangeRequest, type TokenType } from './request';

/** Everything one exchange depends on; nothing is read from the environment or the network. */
export interface ExchangeInput {
  /** Every value of the request's Authorization header: this endpoint takes none. */
  readonly authorization: readonly string[];
  /** The parsed form. */
  readonly form: FormFields;
  /** The signing keys, fetched only once both tokens have passed the checks that need none. */
  readonly keys: () => Promise<SigningKeys>;
  readonly config: Config;
  /** TOKEN_ISSUER, checked to be the service's base URL: the `iss` of every token issued here. */
  readonly issuer: string;
  readonly now: Date;
  readonly newJti: () => string;
}

/** RFC 8693 §2.2.1's successful response. */
interface TokenExchangeResponse {
  readonly access_token: string;
  readonly issued_token_type: TokenType;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
}

/** An issued token's response, and what was decided, for the audit line. */
export interface Exchanged {
  readonly response: TokenExchangeResponse;
  readonly facts: AuditFacts;
}

/**
 * Reads a token exchange, verifies its subject and actor tokens, decides the claims and signs an
 * RFC 9068 access token.
 * @throws MintError for every refusal, carrying what was known for the audit line.
 */
export async function exchangeToken(input: ExchangeInput): Promise<Exchanged> {
  const { config, now } = input;
  const request = parseExchangeRequest(input.form, input.authorization);
  let known = requestedFacts(request);
  try {
    // Every check that needs no key comes first, for both tokens: junk must not cost a call to Secrets Manager.
    const subjectToken = parseCallerToken(request.subjectToken, 'subject token');
    const actorToken = request.actorToken === undefined ? undefined : parseCallerToken(request.actorToken, 'actor token');
    const keys = await input.keys();
    const subject = await verifyExchangedToken(subjectToken, keys, config, now, 'subject token');
    known = { ...known, subject: subject.sub, callerSub: subject.sub };
    const actor = actorToken === undefined ? undefined : await verifyExchangedToken(actorToken, keys, config, now, 'actor token');
    if (actor !== undefined) known = { ...known, callerSub: actor.sub };
    const iat = epochSeconds(now);
    const claims = decideExchangedClaims(request, subject, actor, config, input.issuer, iat);
    const scope = oauthScope(claims.scope);
    const minted = await signToken(claims, signingKeyAt(keys, now), { jti: input.newJti(), iat }, 'rfc9068');
    return {
      response: { access_token: minted.token, issued_token_type: request.requestedTokenType, token_type: 'Bearer', expires_in: claims.exp - iat, scope },
      facts: { ...known, subject: claims.sub, aud: claims.aud, scope: claims.scope, exp: claims.exp, jti: minted.jti, ...(claims.act === undefined ? {} : { act: claims.act }) },
    };
  } catch (error) {
    throw toMintError(error).withFacts(known);
  }
}

/** What a request asks for: a denial is audited with it, an issued token with what was issued. */
function requestedFacts(request: ExchangeRequest): AuditFacts {
  return {
    grant: 'token-exchange',
    ...(request.audiences.length === 0 ? {} : { aud: request.audiences }),
    ...(request.scopes === undefined ? {} : { scope: request.scopes }),
  };
}
