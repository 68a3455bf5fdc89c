/**
 * What `npm start` gives the functions: every configuration variable set in its own environment,
 * passed the only way serverless-offline passes configuration, as the stage parameter
 * serverless.yml sets that variable from (its camelCase), and the configuration that results.
 */
import { CONFIG_VARIABLES, loadConfig, loadRotationConfig, ROTATION_CONFIG_VARIABLES, type Config, type RotationConfig } from '../lib/config';
import { LOCAL_SECRET_ID } from './localSecret';

type Environment = Readonly<Record<string, string | undefined>>;

/** The variables with a stage parameter: every variable of both functions but SIGNING_SECRET_ID, which names the stand-in's secret. */
const PARAMETER_VARIABLES: readonly string[] = [...new Set([...CONFIG_VARIABLES, ...ROTATION_CONFIG_VARIABLES])].filter(
  (name) => name !== 'SIGNING_SECRET_ID',
);

/** One row of the configuration printed at start. */
export interface ConfigurationRow {
  readonly variable: string;
  readonly value: string;
  readonly from: 'environment' | 'default';
}

/** The local stack's configuration, taken from an environment. */
export interface LocalConfiguration {
  /** The signing secret's name in the stand-in: SIGNING_SECRET_ID, or local/jwt-mint/signing-secret. */
  readonly secretId: string;
  /** serverless.yml's stage parameters, one per variable set. */
  readonly params: Record<string, string>;
  /** LOG_LEVEL, for the functions' AWS_LAMBDA_LOG_LEVEL. */
  readonly logLevel: string | undefined;
  readonly config: Config;
  readonly rotationConfig: RotationConfig;
  /** Every variable of the configuration tables with the value the functions apply. */
  readonly rows: readonly ConfigurationRow[];
}

/** The stage parameter serverless.yml sets a variable from: SECRET_CACHE_SECONDS from secretCacheSeconds. */
export function stageParameterOf(variable: string): string {
  return variable.toLowerCase().replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/**
 * Reads the configuration variables from `env`, checked by the functions' own loaders.
 * @throws ConfigError naming the bad variable, as the function would at its first request.
 */
export function localConfiguration(env: Environment): LocalConfiguration {
  const set = (name: string) => env[name] !== undefined && env[name] !== '';
  const secretId = set('SIGNING_SECRET_ID') ? String(env.SIGNING_SECRET_ID).trim() : LOCAL_SECRET_ID;
  const params = Object.fromEntries(PARAMETER_VARIABLES.filter(set).map((name) => [stageParameterOf(name), String(env[name])]));
  const variables = Object.fromEntries(PARAMETER_VARIABLES.filter(set).map((name) => [name, env[name]]));
  const config = loadConfig({ ...variables, SIGNING_SECRET_ID: secretId });
  const rotationConfig = loadRotationConfig(variables);
  const logLevel = env.LOG_LEVEL || undefined;

  const effective: Record<string, unknown> = { ...config, ...rotationConfig };
  const rows: ConfigurationRow[] = [...CONFIG_VARIABLES, ...ROTATION_CONFIG_VARIABLES.filter((name) => !CONFIG_VARIABLES.includes(name as never))].map(
    (variable) => ({ variable, value: shown(effective[stageParameterOf(variable)]), from: set(variable) ? 'environment' : 'default' }),
  );
  rows.push({ variable: 'LOG_LEVEL', value: (logLevel ?? 'INFO').toUpperCase(), from: logLevel ? 'environment' : 'default' });
  return { secretId, params, logLevel: logLevel?.toUpperCase(), config, rotationConfig, rows };
}

function shown(value: unknown): string {
  if (value === undefined) return '(unset)';
  return Array.isArray(value) ? value.join(',') : String(value);
}
