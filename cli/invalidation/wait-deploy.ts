/**
 * `shipyard notify-deploy --wait`: the deploy's invalidations are submitted by the function, so
 * their ids are not known here; they are found by the deploy's CallerReference.
 */
import { createCloudFrontAdapter } from '../../shared/aws/cloudfront.ts';
import type { Site } from '../../shared/config/sites.ts';
import { type FreshWait, lookAtDeploy } from '../../shared/invalidation-service/wait-fresh.ts';
import type { ClientSettings } from '../context.ts';
import type { Output } from '../output.ts';
import { waitClock } from './wait-clock.ts';
import type { WaitFlags } from './wait-option.ts';
import { waitAndReport } from './wait-report.ts';

/**
 * How far back the wait looks for the deploy's invalidations (CloudFront's CreateTime against this
 * machine's clock): the function submits them seconds after the event, clocks drift by less.
 */
const LOOKBACK_MS = 10 * 60_000;

export const waitForDeploy = async (
  site: Site,
  deployId: string,
  timeoutSeconds: number,
  flags: WaitFlags,
  settings: ClientSettings,
  output: Output,
): Promise<FreshWait> => {
  const clock = await waitClock(settings);
  const look = lookAtDeploy(
    createCloudFrontAdapter(settings),
    site.distributionIds,
    deployId,
    (await clock.now()) - LOOKBACK_MS,
  );
  return waitAndReport(look, timeoutSeconds, flags, clock, output);
};
