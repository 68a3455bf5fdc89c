import * as v from 'valibot';

/** Reads an optional environment variable as a whole number of seconds within bounds. */
function seconds(fallback: number, min: number, max: number) {
  return v.pipe(
    v.optional(v.string(), String(fallback)),
    v.regex(/^\d+$/, 'must be a whole number of seconds'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
}

/** Reads an optional environment variable as a whole number within bounds. */
function count(fallback: number, min: number, max: number) {
  return v.pipe(
    v.optional(v.string(), String(fallback)),
    v.regex(/^\d+$/, 'must be a whole number'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
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

const EnvSchema = v.object({
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
});

/** Every environment variable the service reads: serverless.yml sets each from a stage parameter. */
export const CONFIG_VARIABLES = Object.freeze(Object.keys(EnvSchema.entries)) as readonly (keyof typeof EnvSchema.entries)[];

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
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = v.safeParse(EnvSchema, present);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const variable = issue.path?.[0]?.key ?? 'environment';
    const problem =
      issue.input === undefined ? 'must be set (the name or ARN of the signing secret in Secrets Manager)' : issue.message;
    throw new ConfigError(`${String(variable)} ${problem}`);
  }
  const e = parsed.output;
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
  });
}
