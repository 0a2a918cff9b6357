/**
 * CreateSnapshots: one crash-consistent `CreateSnapshots` set for an instance, one
 * `CreateSnapshot` for a standalone volume, tagged at creation. Idempotent per run: the
 * snapshots this run already made for this target (not in `error`) are reused, so a
 * retried task or a re-run of the same run id never makes a second set. As a
 * `.waitForTaskToken` Task it then parks its token under the set and checks once: the
 * Task ends when the set completes (EBS event or fallback), not when this returns.
 */

import type * as z from 'zod';
import { buildCreateSnapshotsRequest } from '../../shared/backup/block-devices.ts';
import { InvalidBackupInput } from '../../shared/backup/errors.ts';
import { snapshotDescription } from '../../shared/backup/naming.ts';
import { snapshotTagSpecifications, TAG_KEYS } from '../../shared/backup/tags.ts';
import { SNAPSHOT_WAIT } from '../../shared/backup/wait.ts';
import { checkSnapshots } from '../../shared/backup-service/checks.ts';
import { managedTagQuery, tagContext } from '../../shared/backup-service/context.ts';
import { type BackupDeps, tagRunLogs } from '../../shared/backup-service/deps.ts';
import { parkWait, splitTaskToken } from '../../shared/backup-service/event-waits.ts';
import { waitingOutLimits } from '../../shared/backup-service/limit-waits.ts';
import type { Ec2Port, Ec2Snapshot } from '../../shared/backup-service/ports/ec2.ts';
import { type SnapshotSet, targetTaskSchema } from '../../shared/backup-service/state.ts';
import { parseRunTask } from '../../shared/backup-service/task-input.ts';
import { backupDeps, backupResultsEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

type RunTask = z.output<typeof targetTaskSchema>;

/** This run's snapshots of the target: the ones a retry finds, or a new set. */
async function startSnapshots(
  deps: BackupDeps,
  { run, backup: { target } }: RunTask,
  ec2: Ec2Port,
): Promise<{ snapshots: Ec2Snapshot[]; createdAt: string }> {
  const names = { policy: run.policy.name, target: target.id, runId: run.runId };
  const existing = (await ec2.describeSnapshots({ tags: managedTagQuery(run, target, true) })).filter(
    (s) => s.state !== 'error',
  );
  const createdAt = existing[0]?.tags[TAG_KEYS.createdAt] ?? run.startedAt;
  if (existing.length > 0) {
    deps.logger.info('reusing the snapshots of this run', {
      target: target.id,
      snapshots: existing.map((s) => s.snapshotId),
    });
    return { snapshots: existing, createdAt };
  }
  const tagSpecifications = snapshotTagSpecifications(tagContext(run, target));
  if (target.kind === 'instance') {
    const request = buildCreateSnapshotsRequest(target.id, snapshotDescription(names), target);
    const snapshots = await ec2.createSnapshots({
      instanceId: request.InstanceSpecification.InstanceId,
      excludeBootVolume: request.InstanceSpecification.ExcludeBootVolume,
      excludeDataVolumeIds: request.InstanceSpecification.ExcludeDataVolumeIds ?? [],
      description: request.Description,
      tagSpecifications,
    });
    return { snapshots, createdAt };
  }
  const snapshot = await ec2.createSnapshot({
    volumeId: target.id,
    description: snapshotDescription(names),
    tagSpecifications,
  });
  return { snapshots: [snapshot], createdAt };
}

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<SnapshotSet> => {
    tagRunLogs(deps.logger, event);
    const { token, input } = splitTaskToken(event);
    const task = parseRunTask('create-snapshots', targetTaskSchema, input, deps.policies);
    const { run, backup } = task;
    const region = run.policy.sourceRegion;
    const ec2 = waitingOutLimits(deps.ec2, run, deps.now)(region);
    const { snapshots, createdAt } = await startSnapshots(deps, task, ec2);
    if (snapshots.length === 0) throw new InvalidBackupInput(`${backup.target.id}: no volume to snapshot`);
    const done = snapshots.every((s) => s.state === 'completed');
    deps.logger.info('snapshots started', {
      target: backup.target.id,
      snapshots: snapshots.map((s) => s.snapshotId),
    });
    const set: SnapshotSet = {
      region,
      createdAt,
      state: done ? 'completed' : 'pending',
      attempt: 0,
      startedAt: deps.now().toISOString(),
      waitSeconds: done ? 0 : SNAPSHOT_WAIT.initialSeconds,
      snapshots: snapshots
        .map((s) => ({
          snapshotId: s.snapshotId,
          ...(s.volumeId ? { volumeId: s.volumeId } : {}),
          sizeGiB: s.volumeSizeGiB,
        }))
        .sort((a, b) => (a.snapshotId < b.snapshotId ? -1 : 1)),
    };
    const first = set.snapshots[0]?.snapshotId;
    if (token !== undefined && first !== undefined)
      await parkWait(
        deps,
        token,
        {
          kind: 'snapshots',
          region,
          resourceId: first,
          input: { run, backup: { ...backup, snapshots: set } },
        },
        (check) => checkSnapshots(deps, check),
      );
    return set;
  };
}

export const handler = lambdaHandler({
  name: 'backup-create-snapshots',
  env: backupResultsEnv,
  deps: backupDeps,
  handler: makeHandler,
});
