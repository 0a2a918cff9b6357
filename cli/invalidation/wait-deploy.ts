/**
 * `shipyard notify-deploy --wait`: the deploy's invalidations are submitted by the function, so
 * their ids are not known here; they are found by the deploy's CallerReference, and with the
 * stack's path ledger (`--ledger-bucket`) by id, with the deferred batches not submitted yet.
 */
import { createCloudFrontAdapter } from '../../shared/aws/cloudfront.ts';
import { createS3PathLedger } from '../../shared/aws/s3-ledger.ts';
import type { Site } from '../../shared/config/sites.ts';
import { lookAtDeploy } from '../../shared/invalidation-service/look-at-deploy.ts';
import type { FreshWait } from '../../shared/invalidation-service/wait-fresh.ts';
import type { ClientSettings } from '../context.ts';
import { EXIT, UserError } from '../errors.ts';
import type { Output } from '../output.ts';
import { waitClock } from './wait-clock.ts';
import type { WaitFlags } from './wait-option.ts';
import { waitAndReport } from './wait-report.ts';

/**
 * How far back the wait lists the distributions' invalidations (CloudFront's CreateTime against
 * this machine's clock): the function submits them seconds after the event, clocks drift by less.
 * Older ones (a pinned deploy id published again) are found by id in the ledger.
 */
const LOOKBACK_MS = 10 * 60_000;

export interface DeployWait {
  site: Site;
  deployId: string;
  /**
   * Finding nothing of the deploy by the end is an error naming its id, not a stale edge: the id
   * was given (--deploy-id) and the function surely plans batches for it (see notify-deploy).
   */
  mustExist: boolean;
  ledgerBucket?: string;
}

const nothingFound = (wait: FreshWait): boolean =>
  wait.distributions.every((d) => d.completed.length + d.inProgress.length + d.queued === 0);

export const waitForDeploy = async (
  deploy: DeployWait,
  timeoutSeconds: number,
  flags: WaitFlags,
  settings: ClientSettings,
  output: Output,
): Promise<FreshWait> => {
  const clock = await waitClock(settings);
  const sinceMs = (await clock.now()) - LOOKBACK_MS;
  if (!deploy.ledgerBucket)
    output.progress(
      `without --ledger-bucket the wait sees only invalidations created since ${new Date(sinceMs).toISOString()}, not the deferred batches`,
    );
  const look = lookAtDeploy({
    cloudFront: createCloudFrontAdapter(settings),
    distributionIds: deploy.site.distributionIds,
    deployId: deploy.deployId,
    sinceMs,
    ...(deploy.ledgerBucket
      ? {
          ledger: {
            store: createS3PathLedger({ bucket: deploy.ledgerBucket, config: settings }),
            now: () => clock.now(),
          },
        }
      : {}),
  });
  const wait = await waitAndReport(look, timeoutSeconds, flags, clock, output);
  if (deploy.mustExist && nothingFound(wait))
    throw new UserError(
      `--deploy-id ${deploy.deployId}: no invalidation of this deploy on ${deploy.site.distributionIds.join(', ')} after ${wait.seconds} s (none in the path ledger ${deploy.ledgerBucket} this month or the last, none created since ${new Date(sinceMs).toISOString()})`,
      EXIT.failed,
    );
  return wait;
};
