import type { Site } from '../config/sites.ts';
import type { DeferredMessage } from './deferral.ts';
import { MAX_DEFERRAL_ATTEMPTS } from './deferral.ts';
import type { DeploySummary } from './deploy-summary.ts';
import { DeferralLimitExceededError } from './errors.ts';
import { startFreshnessWatch } from './freshness.ts';
import { recordDeployMetrics } from './observability.ts';
import {
  admitBatches,
  deferBatches,
  pathsBilledOf,
  type SubmitOptions,
  type SubmitPorts,
  waitBounded,
} from './submit.ts';

/**
 * Re-runs admission control for batches parked on the deferred queue: what fits now is
 * submitted (same CallerReferences as planned), the rest is parked again with a longer delay.
 * One pass per message — the waiting is SQS's delay, never a loop inside the Lambda.
 */
export const resumeDeferred = async (
  message: DeferredMessage,
  site: Site,
  ports: SubmitPorts,
  options: SubmitOptions = {},
): Promise<DeploySummary> => {
  const { distributionId, deployId } = message;
  const usage = await ports.cloudFront.inFlightUsage(distributionId);
  const { results, deferred } = await admitBatches(
    ports.cloudFront,
    distributionId,
    deployId,
    message.batches,
    usage,
  );
  let deferralMessageId: string | undefined;
  if (deferred.length > 0) {
    if (message.attempt >= MAX_DEFERRAL_ATTEMPTS) {
      throw new DeferralLimitExceededError(distributionId, deployId, message.attempt);
    }
    deferralMessageId = await deferBatches(
      ports.deferrals,
      { site: site.name, deployId, distributionId, attempt: message.attempt + 1 },
      deferred,
    );
  }
  await startFreshnessWatch(
    ports.freshness,
    { site: site.name, slowAfterSeconds: site.invalidation.slowAfterSeconds, deployId, distributionId },
    results,
    ports.logger,
  );
  const completed = await waitBounded(
    ports.cloudFront,
    distributionId,
    results,
    options.waitForCompletionSeconds ?? site.invalidation.waitForCompletionSeconds,
    ports.logger,
  );
  const distributions = [
    {
      id: distributionId,
      batches: results,
      deferrals: deferred.length,
      ...(deferralMessageId ? { deferralMessageId } : {}),
      ...(completed === undefined ? {} : { completed }),
      wildcardReasons: [],
      needlessObjects: null,
    },
  ];
  const summary: DeploySummary = {
    site: site.name,
    deployId,
    source: 'deferred',
    distributions,
    pathsBilled: pathsBilledOf(distributions),
    ignoredKeys: [],
  };
  ports.logger?.info('deferred invalidation summary', { summary, attempt: message.attempt });
  recordDeployMetrics(ports.metrics, summary);
  return summary;
};
