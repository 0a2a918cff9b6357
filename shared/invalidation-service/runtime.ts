import type { Site } from '../config/sites.ts';
import type { Logger } from '../logging/logger.ts';
import type { MetricsRecorder } from '../logging/metrics.ts';
import type { SubmitPorts } from './submit.ts';

/** What every invalidation handler needs. */
export interface InvalidationDeps extends SubmitPorts {
  sites: Site[];
  logger: Logger;
  metrics: MetricsRecorder;
}

/** Keeps a safety margin of the Lambda's remaining time for logging and the response. */
const SAFETY_MARGIN_MS = 5_000;

/** The wait for completion a handler can afford: the site's setting, bounded by the remaining time. */
export const waitBudgetSeconds = (site: Site, remainingMs?: number): number => {
  const wanted = site.invalidation.waitForCompletionSeconds;
  if (remainingMs === undefined) return wanted;
  return Math.max(0, Math.min(wanted, Math.floor((remainingMs - SAFETY_MARGIN_MS) / 1000)));
};
