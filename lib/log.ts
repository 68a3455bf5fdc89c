/**
 * The service's logs: one JSON object per line, in Lambda's own JSON log format:
 *
 *     {"timestamp":"…","level":"INFO","requestId":"…","message":{"event":"issued",…fields}}
 *
 * In Lambda the functions' `logFormat` is JSON (serverless.yml), so the Node.js runtime sets
 * AWS_LAMBDA_LOG_FORMAT=JSON and replaces `console`: `console.info(record)` becomes that line,
 * stamped by the runtime with the time, the level and the invocation's request id, and dropped
 * below the function's `applicationLogLevel`. This module then only hands the record over.
 *
 * Elsewhere (`npm start`, the tests, the bench) nothing replaces `console`, so this module writes
 * the same line itself: the request id `requestIdInLogs` recorded, and the level from
 * AWS_LAMBDA_LOG_LEVEL (the local run sets it as Lambda does) or LOG_LEVEL, read when this module
 * is first loaded; SILENT, which Lambda does not have, writes nothing.
 *
 * Why no logging library: docs/decisions/0015-lambda-json-logs.md (Powertools Logger, measured).
 */

import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

/** The levels Lambda's runtime knows, least severe first, and SILENT. */
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'SILENT'] as const;
type Level = (typeof LEVELS)[number];

/** What one line says: what happened, and the facts about it. */
type Fields = Readonly<Record<string, unknown>>;
type Write = (level: 'INFO' | 'WARN' | 'ERROR', event: string, fields: Fields) => void;

/** Lambda's runtime writes the line: the record is the structured `message`. */
const throughLambda: Write = (level, event, fields) => {
  const record = { event, ...fields };
  if (level === 'INFO') console.info(record);
  else if (level === 'WARN') console.warn(record);
  else console.error(record);
};

/** The same line as Lambda's runtime writes it, for where there is no runtime to write it. */
function ownLines(env: NodeJS.ProcessEnv): Write {
  const configured = (env.AWS_LAMBDA_LOG_LEVEL || env.LOG_LEVEL || 'INFO').toUpperCase();
  // An unknown level logs everything, as Lambda's runtime does.
  const threshold = Math.max(0, LEVELS.indexOf(configured as Level));
  return (level, event, fields) => {
    if (LEVELS.indexOf(level) < threshold) return;
    const line = { timestamp: new Date().toISOString(), level, requestId: currentRequestId, message: { event, ...fields } };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
}

let currentRequestId: string | undefined;

/**
 * A middy middleware: the lines written from the start of an invocation carry its request id, as
 * Lambda's runtime does for its own lines (it keeps the last id until the next invocation). Lines
 * written before the first invocation, at init, carry none.
 */
export function requestIdInLogs(): MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: (request) => {
      currentRequestId = request.context.awsRequestId;
    },
  };
}

/** A logger for `env`: through Lambda's runtime where it writes JSON lines, its own lines elsewhere. */
export function createLogger(env: NodeJS.ProcessEnv) {
  const write = env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON' ? throughLambda : ownLines(env);
  return {
    info: (event: string, fields: Fields = {}) => write('INFO', event, fields),
    warn: (event: string, fields: Fields = {}) => write('WARN', event, fields),
    error: (event: string, fields: Fields = {}) => write('ERROR', event, fields),
  };
}

/** The service's logger, configured from the environment the function started with. */
export const logger = createLogger(process.env);
