import type { AuditFacts } from '../audit';
import { verifyCallerToken } from '../tokens/callerToken';
import type { Config } from '../config';
import { decideMintedClaims } from './policy';
import type { MintRequest } from './request';
import { signingKeyAt, type SigningKeys } from '../keys/signingKeys';
import { signToken, type MintedToken } from '../tokens/sign';

/** Everything one mint decision depends on; nothing is read from the environment or the network. */
export interface MintInput {
  readonly callerToken: string;
  readonly request: MintRequest;
  readonly keys: SigningKeys;
  readonly config: Config;
  readonly now: Date;
  readonly newJti: () => string;
  /** Filled in as the decision proceeds, so that a denial can be audited with what was known. */
  readonly facts: AuditFacts;
}

/**
 * Verifies the caller, decides the claims and signs the new token.
 * @throws MintError for every refusal (401, 403, 400).
 */
export async function mintToken(input: MintInput): Promise<MintedToken> {
  const { request, keys, config, now, facts } = input;
  const caller = await verifyCallerToken(input.callerToken, keys, config, now, facts);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const claims = decideMintedClaims(request, caller, config, nowSeconds);
  facts.aud = claims.aud;
  facts.scope = claims.scope;
  facts.exp = claims.exp;
  // Chosen per request, not per cache load: a key published ahead of use starts signing at its `nbf`.
  const minted = await signToken(claims, signingKeyAt(keys, now), { jti: input.newJti(), iat: nowSeconds });
  facts.jti = minted.jti;
  return minted;
}
