import * as v from 'valibot';
import { ALGS_BY_KTY, type SigningAlg } from './keys/jwk';
import { isScopeToken, TOKEN_FORMATS, type TokenFormat } from './tokens/format';

/** Reads an environment variable as a whole number of seconds within bounds. */
function wholeSeconds(min: number, max: number) {
  return v.pipe(
    v.string(),
    v.regex(/^\d+$/, 'must be a whole number of seconds'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
}

/** Reads an optional environment variable as a whole number of seconds within bounds, with a default. */
function seconds(fallback: number, min: number, max: number) {
  return v.optional(wholeSeconds(min, max), String(fallback));
}

/** Reads an optional environment variable as a whole number within bounds, with a default. */
function count(fallback: number, min: number, max: number) {
  return v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, 'must be a whole number'),
      v.transform(Number),
      v.minValue(min, `must be at least ${min}`),
      v.maxValue(max, `must be at most ${max}`),
    ),
    String(fallback),
  );
}

/** A non-empty string without surrounding white space, with a default. */
function word(fallback: string) {
  return v.pipe(
    v.optional(v.string(), fallback),
    v.trim(),
    v.nonEmpty('must not be empty'),
  );
}

const ONE_YEAR = 365 * 24 * 3600;

/** Every algorithm a key of the signing set may carry. */
const SIGNING_ALGS = Object.values(ALGS_BY_KTY).flat() as SigningAlg[];

/**
 * The longest time a verifier this service documents may keep a copy of the JWKS without asking
 * again: API Gateway's JWT authorizers cache the keys for up to two hours. Other verifiers either
 * honour the JWKS's `max-age` (one cache window) or fetch again when a token names a `kid` they
 * have not seen.
 */
export const VERIFIER_CACHE_SECONDS = 7200;

/** The definition of every variable, shared by the two functions that read some of them. */
const FIELDS = {
  SIGNING_SECRET_ID: v.pipe(
    v.string('must be set to the name or ARN of the signing secret in Secrets Manager'),
    v.trim(),
    v.nonEmpty('must be set to the name or ARN of the signing secret in Secrets Manager'),
  ),
  REQUIRED_SCOPE: word('generateJwt'),
  CALLER_AUDIENCE: word('mfs'),
  DEFAULT_AUDIENCE: word('mfs'),
  ALLOWED_AUDIENCES: v.optional(v.string()),
  DEFAULT_TTL_SECONDS: seconds(43_200, 1, ONE_YEAR),
  MAX_TTL_SECONDS: seconds(86_400, 1, ONE_YEAR),
  CLOCK_TOLERANCE_SECONDS: seconds(30, 0, 600),
  TOKEN_ISSUER: v.optional(v.pipe(v.string(), v.trim())),
  SECRET_CACHE_SECONDS: seconds(300, 0, 86_400),
  SECRET_STALE_SECONDS: seconds(900, 0, 7 * 86_400),
  MAX_DELEGATION_DEPTH: count(4, 1, 32),
  TOKEN_FORMAT: v.optional(v.picklist(TOKEN_FORMATS, `must be one of ${TOKEN_FORMATS.join(', ')}`), 'seed'),
  SCOPES_SUPPORTED: v.optional(v.string()),
  // RS256: API Gateway HTTP API JWT authorizers accept RSA keys only, and aws-jwt-verify has no PS256.
  SIGNING_ALGORITHM: v.optional(
    v.picklist(SIGNING_ALGS, `must be one of ${SIGNING_ALGS.join(', ')}`),
    'RS256',
  ),
  // Unset, it follows SECRET_CACHE_SECONDS (see loadRotationConfig).
  PUBLISH_DELAY_SECONDS: v.optional(wholeSeconds(0, 30 * 86_400)),
};

const EnvSchema = v.object({
  SIGNING_SECRET_ID: FIELDS.SIGNING_SECRET_ID,
  REQUIRED_SCOPE: FIELDS.REQUIRED_SCOPE,
  CALLER_AUDIENCE: FIELDS.CALLER_AUDIENCE,
  DEFAULT_AUDIENCE: FIELDS.DEFAULT_AUDIENCE,
  ALLOWED_AUDIENCES: FIELDS.ALLOWED_AUDIENCES,
  DEFAULT_TTL_SECONDS: FIELDS.DEFAULT_TTL_SECONDS,
  MAX_TTL_SECONDS: FIELDS.MAX_TTL_SECONDS,
  CLOCK_TOLERANCE_SECONDS: FIELDS.CLOCK_TOLERANCE_SECONDS,
  TOKEN_ISSUER: FIELDS.TOKEN_ISSUER,
  SECRET_CACHE_SECONDS: FIELDS.SECRET_CACHE_SECONDS,
  SECRET_STALE_SECONDS: FIELDS.SECRET_STALE_SECONDS,
  MAX_DELEGATION_DEPTH: FIELDS.MAX_DELEGATION_DEPTH,
  TOKEN_FORMAT: FIELDS.TOKEN_FORMAT,
  SCOPES_SUPPORTED: FIELDS.SCOPES_SUPPORTED,
});

const RotationEnvSchema = v.object({
  SIGNING_ALGORITHM: FIELDS.SIGNING_ALGORITHM,
  PUBLISH_DELAY_SECONDS: FIELDS.PUBLISH_DELAY_SECONDS,
  MAX_TTL_SECONDS: FIELDS.MAX_TTL_SECONDS,
  SECRET_CACHE_SECONDS: FIELDS.SECRET_CACHE_SECONDS,
});

/** Every environment variable the service reads: serverless.yml sets each from a stage parameter. */
export const CONFIG_VARIABLES = Object.freeze(Object.keys(EnvSchema.entries)) as readonly (keyof typeof EnvSchema.entries)[];

/** Every environment variable the rotation function reads, each set from the same stage parameter as the service's. */
export const ROTATION_CONFIG_VARIABLES = Object.freeze(Object.keys(RotationEnvSchema.entries)) as readonly (keyof typeof RotationEnvSchema.entries)[];

/** The service's configuration, parsed once at init. */
export interface Config {
  readonly signingSecretId: string;
  readonly requiredScope: string;
  readonly callerAudience: string;
  readonly defaultAudience: string;
  readonly allowedAudiences: readonly string[];
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  readonly clockToleranceSeconds: number;
  /** The minted `iss`; when undefined the caller's `sub` is used, as the original did. */
  readonly tokenIssuer: string | undefined;
  readonly secretCacheSeconds: number;
  readonly secretStaleSeconds: number;
  /** The most `act` levels a minted token may carry: how many mints a chain may hold. */
  readonly maxDelegationDepth: number;
  /** How POST /user/generateJwt writes its tokens; the token endpoint always writes RFC 9068's. */
  readonly tokenFormat: TokenFormat;
  /** The metadata's `scopes_supported`; undefined leaves it out. */
  readonly scopesSupported: readonly string[] | undefined;
}

/** Raised when the environment does not describe a usable configuration. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses and validates the environment into a frozen Config.
 * @throws ConfigError naming the first bad variable.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const e = parseEnvironment(EnvSchema, env);
  const allowedAudiences = e.ALLOWED_AUDIENCES
    ? e.ALLOWED_AUDIENCES.split(',').map((audience) => audience.trim()).filter(Boolean)
    : [e.DEFAULT_AUDIENCE];
  if (allowedAudiences.length === 0) {
    throw new ConfigError('ALLOWED_AUDIENCES must list at least one audience');
  }
  if (!allowedAudiences.includes(e.DEFAULT_AUDIENCE)) {
    throw new ConfigError(
      `DEFAULT_AUDIENCE "${e.DEFAULT_AUDIENCE}" must be one of ALLOWED_AUDIENCES (${allowedAudiences.join(', ')})`,
    );
  }
  if (e.DEFAULT_TTL_SECONDS > e.MAX_TTL_SECONDS) {
    throw new ConfigError(
      `DEFAULT_TTL_SECONDS (${e.DEFAULT_TTL_SECONDS}) must not exceed MAX_TTL_SECONDS (${e.MAX_TTL_SECONDS})`,
    );
  }
  const scopesSupported = e.SCOPES_SUPPORTED?.split(',').map((scope) => scope.trim()).filter(Boolean);
  const notScope = scopesSupported?.find((scope) => !isScopeToken(scope));
  if (notScope !== undefined) {
    throw new ConfigError(`SCOPES_SUPPORTED lists "${notScope}", which is not an OAuth scope (printable ASCII, no space, quote or backslash)`);
  }
  return Object.freeze({
    signingSecretId: e.SIGNING_SECRET_ID,
    requiredScope: e.REQUIRED_SCOPE,
    callerAudience: e.CALLER_AUDIENCE,
    defaultAudience: e.DEFAULT_AUDIENCE,
    allowedAudiences: Object.freeze(allowedAudiences),
    defaultTtlSeconds: e.DEFAULT_TTL_SECONDS,
    maxTtlSeconds: e.MAX_TTL_SECONDS,
    clockToleranceSeconds: e.CLOCK_TOLERANCE_SECONDS,
    tokenIssuer: e.TOKEN_ISSUER || undefined,
    secretCacheSeconds: e.SECRET_CACHE_SECONDS,
    secretStaleSeconds: e.SECRET_STALE_SECONDS,
    maxDelegationDepth: e.MAX_DELEGATION_DEPTH,
    tokenFormat: e.TOKEN_FORMAT,
    scopesSupported: scopesSupported === undefined || scopesSupported.length === 0 ? undefined : Object.freeze(scopesSupported),
  });
}

/** The rotation function's configuration, parsed once at init. */
export interface RotationConfig {
  /** The algorithm of each new key. */
  readonly signingAlgorithm: SigningAlg;
  /** Seconds between publishing a new key and its first signature. */
  readonly publishDelaySeconds: number;
  readonly maxTtlSeconds: number;
  readonly secretCacheSeconds: number;
  /** How long a key stays published after it stopped signing: its last token's lifetime plus one cache window. */
  readonly keepRetiredSeconds: number;
}

/**
 * Parses the rotation function's variables (also read by `npm run keys`) into a frozen RotationConfig.
 * The publish delay defaults to two cache windows (containers, then the JWKS's `max-age`) plus the
 * longest verifier cache (VERIFIER_CACHE_SECONDS).
 * @throws ConfigError naming the first bad variable.
 */
export function loadRotationConfig(env: Readonly<Record<string, string | undefined>>): RotationConfig {
  const e = parseEnvironment(RotationEnvSchema, env);
  return Object.freeze({
    signingAlgorithm: e.SIGNING_ALGORITHM,
    publishDelaySeconds: e.PUBLISH_DELAY_SECONDS ?? 2 * e.SECRET_CACHE_SECONDS + VERIFIER_CACHE_SECONDS,
    maxTtlSeconds: e.MAX_TTL_SECONDS,
    secretCacheSeconds: e.SECRET_CACHE_SECONDS,
    keepRetiredSeconds: e.MAX_TTL_SECONDS + e.SECRET_CACHE_SECONDS,
  });
}

/** Parses the variables a schema names, an empty one counting as unset. */
function parseEnvironment<const Schema extends v.GenericSchema<Record<string, unknown>>>(
  schema: Schema,
  env: Readonly<Record<string, string | undefined>>,
): v.InferOutput<Schema> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = v.safeParse(schema, present);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const variable = issue.path?.[0]?.key ?? 'environment';
    const problem =
      issue.input === undefined ? 'must be set (the name or ARN of the signing secret in Secrets Manager)' : issue.message;
    throw new ConfigError(`${String(variable)} ${problem}`);
  }
  return parsed.output;
}
