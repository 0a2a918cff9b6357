/**
 * ShareImage: launch permissions per the policy on the AMI in every region it lives in
 * (source + each available copy; copies do not inherit them), one ModifyImageAttribute call
 * per kind of principal (`shared/backup-service/share-image.ts`). `Group: all` only when the
 * policy says `public: true`. A kind AWS refuses — or would refuse: an encrypted or
 * Marketplace AMI made public, an aws/ebs-encrypted AMI shared with accounts — is recorded
 * with its code and reason and the other kinds are still shared; a region whose account,
 * organization or OU share is refused is recorded as failed and the others carry on.
 */

import { type BackupDeps, tagRunLogs } from '../../shared/backup-service/deps.ts';
import { waitingOutLimits } from '../../shared/backup-service/limit-waits.ts';
import { requireStep } from '../../shared/backup-service/require.ts';
import { shareRegionImage } from '../../shared/backup-service/share-image.ts';
import { type ShareResult, targetTaskSchema } from '../../shared/backup-service/state.ts';
import { parseRunTask } from '../../shared/backup-service/task-input.ts';
import { backupDeps, backupEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<ShareResult> => {
    tagRunLogs(deps.logger, event);
    const { run, backup } = parseRunTask('share-image', targetTaskSchema, event, deps.policies);
    const ec2Of = waitingOutLimits(deps.ec2, run, deps.now);
    const image = requireStep('share-image', 'backup.image', backup.image);
    const share = run.policy.share;
    const request = {
      public: share.public === true,
      accountIds: share.accountIds ?? [],
      organizationArns: share.organizationArns ?? [],
      organizationalUnitArns: share.organizationalUnitArns ?? [],
    };
    const marketplace = image.marketplace === true;
    const wanted =
      request.accountIds.length + request.organizationArns.length + request.organizationalUnitArns.length;
    if (wanted === 0 && !request.public) return { regions: [] };

    const live = [
      { region: image.region, imageId: image.imageId },
      ...(backup.copies ?? []).flatMap((c) =>
        c.state === 'available' && c.imageId !== undefined && c.error === undefined
          ? [{ region: c.region, imageId: c.imageId }]
          : [],
      ),
    ];
    const regions: ShareResult['regions'] = [];
    for (const { region, imageId } of live) {
      const result = await shareRegionImage(ec2Of(region), imageId, request, {
        marketplace,
        keys: deps.kms?.(region),
      });
      for (const kind of result.kinds ?? [])
        if (kind.status === 'refused')
          deps.logger.warn('sharing refused', {
            region,
            imageId,
            kind: kind.kind,
            code: kind.code,
            reason: kind.reason,
          });
      regions.push(result);
    }
    return { regions };
  };
}

export const handler = lambdaHandler({
  name: 'backup-share-image',
  env: backupEnv,
  deps: backupDeps,
  handler: makeHandler,
});
