/**
 * A stand-in for the service's logger, for the bench's "console logger" variant: one JSON line per
 * call through console.log, no library. It honours the level Lambda (AWS_LAMBDA_LOG_LEVEL) or the
 * bench (POWERTOOLS_LOG_LEVEL) sets, read once, as the real logger does.
 */
const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'];
const threshold = LEVELS.indexOf((process.env.AWS_LAMBDA_LOG_LEVEL ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO').toUpperCase());

const at = (level: string) => (message: string, extra: Record<string, unknown> = {}) => {
  if (LEVELS.indexOf(level) < threshold) return;
  console.log(JSON.stringify({ level, message, timestamp: new Date().toISOString(), service: 'jwt-mint', ...extra }));
};

export const logger = { info: at('INFO'), warn: at('WARN'), error: at('ERROR') };

/** Stands in for Powertools' injectLambdaContext: Lambda's own JSON log format adds the request id. */
export const injectLambdaContext = () => ({ before: () => undefined });
