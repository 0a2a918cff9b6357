/**
 * ShareImage: launch permissions per the policy on the AMI in every region it lives in
 * (source + each available copy; copies do not inherit them). `Group: all` only when the
 * policy says `public: true` — and never for an AMI with a Marketplace product code
 * ("Images with an AWS Marketplace product code cannot be made public", ModifyImageAttribute
 * API reference): that refusal is recorded with its reason and the account, organization and
 * OU shares are still made. A region whose sharing is refused is recorded and the others
 * carry on; throttling and 5xx propagate for the state machine's Retry (adding a
 * permission twice is harmless).
 */

import type { LaunchPermissions } from '../../shared/aws/ec2-port.ts';
import { BackupError, isTransientBackupError } from '../../shared/backup/errors.ts';
import { type BackupDeps, defaultBackupDeps, tagRunLogs } from '../../shared/backup-service/deps.ts';
import { requireStep } from '../../shared/backup-service/require.ts';
import { type ShareResult, targetTaskSchema } from '../../shared/backup-service/state.ts';
import { parseRunTask } from '../../shared/backup-service/task-input.ts';

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<ShareResult> => {
    tagRunLogs(deps.logger, event);
    const { run, backup } = parseRunTask('share-image', targetTaskSchema, event, deps.policies);
    const image = requireStep('share-image', 'backup.image', backup.image);
    const share = run.policy.share;
    const permissions: LaunchPermissions = {
      userIds: share.accountIds ?? [],
      organizationArns: share.organizationArns ?? [],
      organizationalUnitArns: share.organizationalUnitArns ?? [],
      public: share.public === true && image.marketplace !== true,
    };
    const refused =
      share.public === true && image.marketplace === true
        ? {
            publicRefused: `${image.imageId} has an AWS Marketplace product code: an AMI with one cannot be made public`,
          }
        : {};
    if (refused.publicRefused !== undefined) deps.logger.warn('public sharing refused', refused);
    const wanted =
      permissions.userIds.length +
      permissions.organizationArns.length +
      permissions.organizationalUnitArns.length;
    if (wanted === 0 && !permissions.public) return { regions: [], ...refused };

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
      try {
        await deps.ec2(region).addLaunchPermissions(imageId, permissions);
        regions.push({ region, imageId, status: 'shared' });
      } catch (error) {
        if (!(error instanceof BackupError) || isTransientBackupError(error)) throw error;
        deps.logger.warn('sharing refused', { region, imageId, error: error.message });
        regions.push({ region, imageId, status: 'failed', detail: `${error.name}: ${error.message}` });
      }
    }
    return { regions, ...refused };
  };
}

export const handler = makeHandler(defaultBackupDeps('backup-share-image'));
