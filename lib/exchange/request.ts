/**
 * The token exchange request (RFC 8693 §2.1): the form POST /oauth2/token reads, checked and
 * turned into what the exchange decides on. Pure: it reads the parsed form and nothing else.
 */
import { MintError } from '../errors';
import type { FormFields } from '../http/body';
import { TOKEN_EXCHANGE_GRANT } from '../keys/published';
import { isScopeToken } from '../tokens/format';

/** The token types this endpoint reads and writes: a JWT access token is both (RFC 8693 §3). */
const TOKEN_TYPES = ['urn:ietf:params:oauth:token-type:access_token', 'urn:ietf:params:oauth:token-type:jwt'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** The parameters the endpoint knows; any other is ignored, as RFC 6749 §3.2 requires. */
const PARAMETERS = [
  'grant_type',
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'audience',
  'resource',
  'scope',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
] as const;

/** RFC 8693 §2.1 lets these two be repeated, one audience or resource each; RFC 6749 §3.2 forbids it for the rest. */
const REPEATABLE: readonly string[] = ['audience', 'resource'];

/** Client authentication this endpoint does not offer (its metadata says `none`). */
const CLIENT_CREDENTIALS = ['client_secret', 'client_assertion', 'client_assertion_type'] as const;

/** Longest token we read: a longer one is not one we issued (the caller token's bound). */
const MAX_TOKEN_LENGTH = 8192;
/** Most audiences and resources together, and scopes; each at most this many characters. */
const MAX_LIST = 64;
const MAX_TEXT = 256;

/** A token exchange request, checked. */
export interface ExchangeRequest {
  readonly subjectToken: string;
  readonly actorToken: string | undefined;
  readonly requestedTokenType: TokenType;
  /** Every `audience` and `resource`, in order; empty when none was asked for. */
  readonly audiences: readonly string[];
  /** The `scope` asked for, or undefined for the default. */
  readonly scopes: readonly string[] | undefined;
}

/**
 * Reads the form of a token exchange, in the order RFC 6749 and RFC 8693 name their errors.
 * `authorization` is every value of the request's Authorization header.
 * @throws MintError INVALID_REQUEST (a parameter repeated, missing or unsupported),
 * UNSUPPORTED_GRANT_TYPE, CLIENT_AUTHENTICATION_UNSUPPORTED, INVALID_SCOPE, INVALID_TOKEN (a token
 * too long to be ours). No message repeats a value the request sent.
 */
export function parseExchangeRequest(form: FormFields, authorization: readonly string[]): ExchangeRequest {
  const repeated = PARAMETERS.find((name) => !REPEATABLE.includes(name) && Array.isArray(form[name]));
  if (repeated !== undefined) {
    throw new MintError('INVALID_REQUEST', `Parameter "${repeated}" was sent more than once; send it once (RFC 6749 §3.2).`);
  }
  const single = (name: (typeof PARAMETERS)[number]) => valueOf(form, name) as string | undefined;

  const grantType = single('grant_type');
  if (grantType === undefined) throw new MintError('INVALID_REQUEST', 'Parameter "grant_type" is required.');
  if (grantType !== TOKEN_EXCHANGE_GRANT) {
    throw new MintError('UNSUPPORTED_GRANT_TYPE', `The only grant type served is ${TOKEN_EXCHANGE_GRANT}.`);
  }
  if (authorization.length > 0 || CLIENT_CREDENTIALS.some((name) => single(name) !== undefined)) {
    throw new MintError(
      'CLIENT_AUTHENTICATION_UNSUPPORTED',
      'This endpoint takes no client authentication (token_endpoint_auth_methods_supported: none): send no Authorization header, client_secret or client_assertion.',
    );
  }

  const subjectToken = single('subject_token');
  if (subjectToken === undefined) throw new MintError('INVALID_REQUEST', 'Parameter "subject_token" is required.');
  tokenType(single('subject_token_type'), 'subject_token_type', true);
  const actorToken = single('actor_token');
  const actorTokenType = single('actor_token_type');
  if (actorToken === undefined && actorTokenType !== undefined) {
    throw new MintError('INVALID_REQUEST', 'Parameter "actor_token_type" is sent only with "actor_token".');
  }
  if (actorToken !== undefined) tokenType(actorTokenType, 'actor_token_type', true);
  const requestedTokenType = tokenType(single('requested_token_type'), 'requested_token_type', false) ?? TOKEN_TYPES[0];

  const audiences = [...listOf(form, 'audience'), ...listOf(form, 'resource')];
  if (audiences.length > MAX_LIST || audiences.some((audience) => audience.length > MAX_TEXT)) {
    throw new MintError('INVALID_REQUEST', `At most ${MAX_LIST} audiences and resources, each of at most ${MAX_TEXT} characters.`);
  }
  const scope = single('scope');
  const scopes = scope === undefined ? undefined : scope.split(' ').filter((entry) => entry !== '');
  if (scopes !== undefined && (scopes.length > MAX_LIST || scopes.some((entry) => entry.length > MAX_TEXT || !isScopeToken(entry)))) {
    throw new MintError(
      'INVALID_SCOPE',
      `Parameter "scope" must be at most ${MAX_LIST} space-delimited scopes of printable ASCII, none with a quote or backslash (RFC 6749 §3.3).`,
    );
  }
  for (const [token, role] of [[subjectToken, 'subject'], [actorToken, 'actor']] as const) {
    if (token !== undefined && token.length > MAX_TOKEN_LENGTH) {
      throw new MintError('INVALID_TOKEN', `The ${role} token is too long to be one of ours.`);
    }
  }
  return { subjectToken, actorToken, requestedTokenType, audiences, scopes };
}

/**
 * A token type parameter, checked; undefined when absent and not required.
 * @throws MintError INVALID_REQUEST when required and absent, or not one this endpoint serves.
 */
function tokenType(value: string | undefined, name: string, required: boolean): TokenType | undefined {
  if (value === undefined) {
    if (required) throw new MintError('INVALID_REQUEST', `Parameter "${name}" is required.`);
    return undefined;
  }
  if (!(TOKEN_TYPES as readonly string[]).includes(value)) {
    throw new MintError('INVALID_REQUEST', `Parameter "${name}" must be one of ${TOKEN_TYPES.join(', ')}.`);
  }
  return value as TokenType;
}

/** A parameter's value; one sent without a value counts as absent (RFC 6749 §3.2). */
function valueOf(form: FormFields, name: string): string | readonly string[] | undefined {
  const value = form[name];
  return value === '' ? undefined : value;
}

/** Every value of a repeatable parameter, those without a value left out. */
function listOf(form: FormFields, name: string): string[] {
  const value = form[name];
  return (value === undefined ? [] : [value].flat()).filter((entry) => entry !== '');
}
