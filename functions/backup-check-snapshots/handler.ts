/**
 * CheckSnapshots: one poll of the snapshot Wait-state loop. Returns the set with `state`
 * (the Choice reads it) and the next `waitSeconds` (the Wait reads it), paced by the
 * slowest snapshot's progress; `error` → SnapshotFailed with EC2's StateMessage; too many
 * polls → WaitAttemptsExhausted.
 */
import { SnapshotFailed, SnapshotNotReady, WaitAttemptsExhausted } from '../../shared/backup/errors.ts';
import { evaluateSnapshots, type SnapshotStatus } from '../../shared/backup/wait.ts';
import { secondsBetween } from '../../shared/backup-service/context.ts';
import { type BackupDeps, tagRunLogs } from '../../shared/backup-service/deps.ts';
import { requireStep } from '../../shared/backup-service/require.ts';
import { type SnapshotSet, targetTaskSchema } from '../../shared/backup-service/state.ts';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import { backupDeps, backupEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<SnapshotSet> => {
    tagRunLogs(deps.logger, event);
    const { backup } = parseTaskInput('check-snapshots', targetTaskSchema, event);
    const set = requireStep('check-snapshots', 'backup.snapshots', backup.snapshots);
    const ids = set.snapshots.map((s) => s.snapshotId);
    const found = new Map(
      (await deps.ec2(set.region).describeSnapshots({ snapshotIds: ids })).map((s) => [s.snapshotId, s]),
    );
    // Just created and not listed yet (EC2 is eventually consistent): the Retry comes back.
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0)
      throw new SnapshotNotReady(`${missing.join(', ')} not visible yet in ${set.region}`);
    const statuses: SnapshotStatus[] = ids.flatMap((id) => {
      const s = found.get(id);
      if (s === undefined) return [];
      const status: SnapshotStatus = { snapshotId: id, state: s.state };
      if (s.progress !== undefined) status.progress = s.progress;
      if (s.stateMessage !== undefined) status.stateMessage = s.stateMessage;
      return [status];
    });
    const now = deps.now();
    const attempt = set.attempt + 1;
    const decision = evaluateSnapshots(statuses, {
      attempt,
      elapsedSeconds: secondsBetween(set.startedAt, now),
    });
    const { progress: _previous, ...rest } = set;
    switch (decision.status) {
      case 'failed':
        throw new SnapshotFailed(`${backup.target.id}: ${decision.reason}`);
      case 'exhausted':
        throw new WaitAttemptsExhausted(`${backup.target.id}: snapshots not completed: ${decision.reason}`);
      case 'ready':
        return {
          ...rest,
          state: 'completed',
          attempt,
          waitSeconds: 0,
          completedAt: now.toISOString(),
          snapshots: set.snapshots.map((s) => ({
            ...s,
            sizeGiB: found.get(s.snapshotId)?.volumeSizeGiB ?? s.sizeGiB,
          })),
        };
      case 'wait':
        return {
          ...rest,
          state: 'pending',
          attempt,
          waitSeconds: decision.waitSeconds,
          ...(decision.progressPercent === undefined ? {} : { progress: decision.progressPercent }),
        };
    }
  };
}

export const handler = lambdaHandler({
  name: 'backup-check-snapshots',
  env: backupEnv,
  deps: backupDeps,
  handler: makeHandler,
});
