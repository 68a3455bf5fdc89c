import { decodeProtectedHeader } from 'jose';
import { MintError } from '../errors';
import { ALGS_BY_KTY } from '../keys/jwk';

/** Which token of a request is being read, as messages name it. */
export type TokenRole = 'caller token' | 'subject token' | 'actor token';

/** A caller token that passed every check that needs no key: its text and the key it names. */
export interface ParsedCallerToken {
  readonly token: string;
  readonly kid: unknown;
}

/** Every algorithm a key of ours can have: a token naming any other cannot be one of ours. */
const ACCEPTED_ALGS: readonly string[] = Object.values(ALGS_BY_KTY).flat();

/**
 * The checks a token of ours (a caller token, or the subject or actor token of an exchange) gets
 * before any key is fetched, so that junk costs no call to Secrets Manager: the canonical compact
 * JWS, a header that parses, an algorithm we could have signed with.
 * @throws MintError INVALID_TOKEN.
 */
export function parseCallerToken(token: string, role: TokenRole = 'caller token'): ParsedCallerToken {
  assertCanonicalCompactJws(token, role);
  let header: { alg?: unknown; kid?: unknown };
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new MintError('INVALID_TOKEN', `The ${role} is not a well-formed JWT.`);
  }
  if (typeof header.alg !== 'string' || !ACCEPTED_ALGS.includes(header.alg)) {
    throw new MintError('INVALID_TOKEN', `The ${role} is signed with an algorithm we do not accept.`);
  }
  return { token, kid: header.kid };
}

/** RFC 7515 §7.1: three segments of unpadded base64url. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether a segment is the one spelling its bytes have: the encoder's own output. A segment one
 * character past a whole group of four encodes no byte; one that ends two or three characters
 * into a group carries 4 or 2 bits past its last byte, which the encoder writes as zeros.
 */
function isCanonicalBase64url(segment: string): boolean {
  const past = segment.length % 4;
  if (past === 0) return true;
  if (past === 1) return false;
  const last = BASE64URL.indexOf(segment.charAt(segment.length - 1));
  return (last & (past === 2 ? 0b1111 : 0b11)) === 0;
}

/**
 * Refuses every spelling of a token but the canonical one. jose decodes leniently: `=` padding and
 * stray low bits in a segment's last character decode to the same bytes, so one signed token would
 * have many spellings, and a deny list or replay check keyed on the token string could be dodged.
 */
function assertCanonicalCompactJws(token: string, role: TokenRole): void {
  const canonical = COMPACT_JWS.test(token) && token.split('.').every(isCanonicalBase64url);
  if (!canonical) throw new MintError('INVALID_TOKEN', `The ${role} is not a well-formed JWT.`);
}
