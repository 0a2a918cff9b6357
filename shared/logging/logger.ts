import { Logger } from '@aws-lambda-powertools/logger';
import { redactReplacer } from './redact.ts';

/**
 * Structured JSON logger (Powertools) with secrets redacted. `correlationId` ties every line
 * of a deploy or a backup execution together. The level comes from POWERTOOLS_LOG_LEVEL
 * (Powertools reads it itself).
 */
export const createLogger = (serviceName: string): Logger =>
  new Logger({
    serviceName,
    jsonReplacerFn: redactReplacer,
  });

export type { Logger };
