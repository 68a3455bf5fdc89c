import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The service's structured JSON logger: Powertools for AWS Lambda's Logger, one JSON object per
 * line. Its level comes from Lambda's `applicationLogLevel` (AWS_LAMBDA_LOG_LEVEL) or
 * POWERTOOLS_LOG_LEVEL, read when this module is first loaded. It costs about 17 µs of CPU per line
 * here, a tenth of a warm request (README, Performance); a hand-written writer was measured at a
 * quarter of that, and not kept, for the same reason jose is kept: the library does the job.
 */
export const logger = new Logger({ serviceName: 'jwt-mint' });
