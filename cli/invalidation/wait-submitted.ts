/** `shipyard invalidate --wait`: the invalidations it just submitted are known by id. */
import type { DeploySummary } from '../../shared/invalidation-service/deploy-summary.ts';
import type { CloudFrontPort } from '../../shared/invalidation-service/ports/cloudfront.ts';
import { type FreshWait, lookAtInvalidations } from '../../shared/invalidation-service/wait-fresh.ts';
import type { ClientSettings } from '../context.ts';
import type { Output } from '../output.ts';
import { waitClock } from './wait-clock.ts';
import type { WaitFlags } from './wait-option.ts';
import { waitAndReport } from './wait-report.ts';

/** What was submitted (created now or already there), per distribution: what --wait waits for. */
const submittedIds = (summary: DeploySummary) =>
  summary.distributions
    .map((d) => ({
      distributionId: d.id,
      ids: d.batches
        .filter((b) => b.status === 'created' || b.status === 'existing')
        .flatMap((b) => (b.invalidationId ? [b.invalidationId] : [])),
    }))
    .filter((t) => t.ids.length > 0);

export const waitForSubmitted = async (
  summary: DeploySummary,
  cloudFront: Pick<CloudFrontPort, 'getInvalidation'>,
  timeoutSeconds: number,
  flags: WaitFlags,
  settings: ClientSettings,
  output: Output,
): Promise<FreshWait | undefined> => {
  const targets = submittedIds(summary);
  if (targets.length === 0) {
    output.progress('nothing submitted: nothing to wait for');
    return undefined;
  }
  if (summary.distributions.some((d) => d.deferrals > 0))
    output.progress('deferred batches are not waited for: run again later with the same --deploy-id');
  return waitAndReport(
    lookAtInvalidations(cloudFront, targets),
    timeoutSeconds,
    flags,
    await waitClock(settings),
    output,
  );
};
