/**
 * Which verifier accepts which token the service issues, by signing algorithm: the matrix the
 * interop suite (tests/integration/verifierMatrix.test.ts) proves against the real handler, and
 * that docs/verifiers.md states (tests/docs/verifiers.test.ts holds the two equal). A refusal names
 * its reason and the library's own error, so that a library lacking an algorithm is recorded,
 * never skipped.
 */
import type { SigningAlg } from '../../lib/keys/jwk';
import type { VerifierName } from './verifiers';

/** The tokens: the original route in each format, and the token endpoint's. */
export const TOKEN_KINDS = ['seed', 'rfc9068', 'exchanged'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export const VERIFIER_NAMES: readonly VerifierName[] = ['aws-jwt-verify', 'oauth4webapi', 'jsonwebtoken + jwks-rsa', 'jose'];

export type Verdict = { readonly accepts: true } | { readonly accepts: false; readonly reason: string; readonly error: RegExp };

const accepts: Verdict = { accepts: true };
const refuses = (reason: string, error: RegExp): Verdict => ({ accepts: false, reason, error });

/** What `verifier` does with a token of `kind` signed with `alg`, fetching the keys from the JWKS. */
export function expectedVerdict(verifier: VerifierName, kind: TokenKind, alg: SigningAlg): Verdict {
  if (alg.startsWith('HS')) {
    // An HMAC key is the shared secret: it is never published, so no JWKS verifier can have it.
    const error = {
      'aws-jwt-verify': /scope claim is not a string|not found in the JWKS/,
      oauth4webapi: /unexpected JWT "alg" header parameter/,
      'jsonwebtoken + jwks-rsa': /did not contain any keys/,
      jose: /Unsupported "alg" value for a JSON Web Key Set/,
    }[verifier];
    return refuses('HMAC keys are never published', error);
  }
  switch (verifier) {
    case 'aws-jwt-verify':
      if (kind === 'seed') return refuses('reads only a string `scope`', /JWT payload scope claim is not a string/);
      if (alg === 'PS256') return refuses('has no PS256', /JWT signature algorithm not allowed: PS256/);
      return accepts;
    case 'oauth4webapi':
      return kind === 'seed' ? refuses('wants `typ: at+jwt` (RFC 9068)', /unexpected JWT "typ" header parameter value/) : accepts;
    case 'jsonwebtoken + jwks-rsa':
      return alg === 'EdDSA' ? refuses('has no EdDSA (jwks-rsa: no OKP keys; jsonwebtoken: no EdDSA)', /Unknown key type "ed25519"/) : accepts;
    case 'jose':
      return accepts;
  }
}
