/**
 * The service's log lines as tests read them. Each line is one JSON object in Lambda's JSON log
 * format (lib/log.ts): `{timestamp, level, requestId?, message: {event, ...fields}}`.
 */

/** A line with its message's fields beside the runtime's: `{timestamp, level, requestId?, event, ...fields}`. */
export type LogLine = Record<string, unknown>;

/**
 * Every line in `text`, each checked to be exactly Lambda's shape and then flattened, so that a
 * test can match the level, the request id and the fields in one object.
 * @throws Error naming the first line that is not JSON or not in that shape.
 */
export function logLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      const { timestamp, level, requestId, message, ...other } = parsed;
      const wellFormed =
        Object.keys(other).length === 0 &&
        typeof timestamp === 'string' &&
        !Number.isNaN(Date.parse(timestamp)) &&
        typeof level === 'string' &&
        (requestId === undefined || typeof requestId === 'string') &&
        typeof message === 'object' &&
        message !== null &&
        typeof (message as Record<string, unknown>).event === 'string';
      if (!wellFormed) throw new Error(`not a line in Lambda's JSON log format: ${line}`);
      return { timestamp, level, ...(requestId === undefined ? {} : { requestId }), ...(message as Record<string, unknown>) };
    });
}
