/**
 * Rotate: after this target's backup succeeded, apply the policy's retention in the source
 * region and in every copy region whose copy succeeded (a region whose copy failed keeps
 * its old backups until a copy lands there). The state machine sends dry runs to
 * PlanTarget instead; should a dry run reach this step anyway, it reads through the
 * dry-run port and returns the plan, deleting nothing. The planner is told which run ids
 * were recorded (RunRecords) and, in the source region, which volumes are the target's, so
 * look-alike resources are not taken for Shipyard's backups.
 */

import { verifiedImageIds } from '../../shared/backup/verification-record.ts';
import { type BackupDeps, tagRunLogs } from '../../shared/backup-service/deps.ts';
import { dryRunEc2Port } from '../../shared/backup-service/ec2-dry-run.ts';
import { waitingOutLimits } from '../../shared/backup-service/limit-waits.ts';
import { requireStep } from '../../shared/backup-service/require.ts';
import { rotateRegion, targetVolumeIds } from '../../shared/backup-service/rotation.ts';
import { type RotationResult, targetTaskSchema } from '../../shared/backup-service/state.ts';
import { parseRunTask } from '../../shared/backup-service/task-input.ts';
import { backupDeps, backupRunsEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<RotationResult> => {
    tagRunLogs(deps.logger, event);
    const { run, backup } = parseRunTask('rotate', targetTaskSchema, event, deps.policies);
    const ec2Of = waitingOutLimits(deps.ec2, run, deps.now);
    const snapshots = requireStep('rotate', 'backup.snapshots', backup.snapshots);
    const source = {
      region: snapshots.region,
      ids: [...snapshots.snapshots.map((s) => s.snapshotId), ...(backup.image ? [backup.image.imageId] : [])],
    };
    const copies = (backup.copies ?? []).flatMap((c) =>
      c.state === 'available' && c.imageId !== undefined && c.error === undefined
        ? [{ region: c.region, ids: [c.imageId] }]
        : [],
    );
    const recordedRunIds = await deps.runRecords.recordedRunIds(run.policy.name);
    const verified = verifiedImageIds(await (deps.verifications?.results() ?? Promise.resolve([])));
    const sourceVolumeIds = await targetVolumeIds(ec2Of(snapshots.region), backup.target, snapshots);
    const regions: RotationResult['regions'] = [];
    for (const { region, ids } of [source, ...copies]) {
      const ec2 = run.dryRun ? dryRunEc2Port(ec2Of(region)) : ec2Of(region);
      const rotation = await rotateRegion({
        ec2,
        run,
        target: backup.target,
        protectedIds: ids,
        recordedRunIds,
        verifiedImageIds: verified,
        ...(region === snapshots.region ? { sourceVolumeIds } : {}),
      });
      deps.logger.info('rotated', {
        target: backup.target.id,
        region,
        dryRun: run.dryRun,
        deleted: rotation.report.deleted,
      });
      regions.push(rotation);
    }
    return { regions };
  };
}

export const handler = lambdaHandler({
  name: 'backup-rotate',
  env: backupRunsEnv,
  deps: backupDeps,
  handler: makeHandler,
});
