import type { Logger } from '../logging/logger.ts';
import { InvalidationMetric, type MetricsRecorder, withMetricsFlush } from '../logging/metrics.ts';
import type { DeploySummary } from './deploy-summary.ts';

/**
 * Metrics of one submission (also of a partial one that failed on some distribution): what was
 * billed counts even when the event is retried. Batches are those CloudFront created now.
 */
export const recordDeployMetrics = (metrics: MetricsRecorder | undefined, summary: DeploySummary): void => {
  if (!metrics) return;
  const batches = summary.distributions.flatMap((d) => d.batches);
  metrics.count(InvalidationMetric.PathsBilled, summary.pathsBilled);
  metrics.count(InvalidationMetric.Batches, batches.filter((b) => b.status === 'created').length);
  metrics.count(
    InvalidationMetric.Deferrals,
    summary.distributions.reduce((n, d) => n + d.deferrals, 0),
  );
};

/** One invalidation that did not happen (a failed change set, deferred message or job). */
export const recordInvalidationFailure = (metrics: MetricsRecorder): void => {
  metrics.count(InvalidationMetric.Failures, 1);
};

/**
 * Ties the following log lines to one deploy: `correlation_id` and `deployId` are the deploy id
 * (commit sha — `sha@<signed body digest>` for a webhook push —, S3 events digest, CodePipeline job), `site` its site. Temporary keys: the next
 * change set or invocation replaces them.
 */
export const tagDeploy = (logger: Logger, deploy: { deployId: string; site?: string }): void => {
  logger.setCorrelationId(deploy.deployId);
  logger.appendKeys({ deployId: deploy.deployId, ...(deploy.site ? { site: deploy.site } : {}) });
};

/**
 * One handler invocation: starts from a clean set of log keys (a warm container keeps the last
 * deploy's keys otherwise) and flushes metrics at the end, also when the handler throws.
 */
export const invocation = <T>(deps: { logger: Logger; metrics: MetricsRecorder }, run: () => Promise<T>) => {
  deps.logger.resetKeys();
  return withMetricsFlush(deps.metrics, run);
};
