/**
 * The bench's "Powertools Logger" variant: lib/log.ts as it was before decision 0015, Powertools
 * for AWS Lambda's Logger writing its own JSON lines, and its injectLambdaContext middleware in
 * place of requestIdInLogs, so that the two can be measured side by side.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';

// Powertools reads POWERTOOLS_LOG_LEVEL; the bench sets LOG_LEVEL, as for the service's own logger.
export const logger = new Logger({ serviceName: 'jwt-mint', logLevel: (process.env.AWS_LAMBDA_LOG_LEVEL || process.env.LOG_LEVEL || 'INFO') as 'INFO' });

export const requestIdInLogs = () => injectLambdaContext(logger);
