import { Logger } from '@aws-lambda-powertools/logger';

/** The service's structured JSON logger; `POWERTOOLS_LOG_LEVEL` sets its level. */
export const logger = new Logger({ serviceName: 'jwt-mint' });
