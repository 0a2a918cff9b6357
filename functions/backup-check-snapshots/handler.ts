/**
 * CheckSnapshots: one poll of the snapshot Wait-state loop. Returns the set with `state`
 * (the Choice reads it) and the next `waitSeconds` (the Wait reads it), paced by the
 * slowest snapshot's progress; `error` → SnapshotFailed with EC2's StateMessage; too many
 * polls → WaitAttemptsExhausted.
 */

import { checkSnapshots } from '../../shared/backup-service/checks.ts';
import { type BackupDeps, tagRunLogs } from '../../shared/backup-service/deps.ts';
import type { SnapshotSet } from '../../shared/backup-service/state.ts';
import { backupDeps, backupEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<SnapshotSet> => {
    tagRunLogs(deps.logger, event);
    return checkSnapshots(deps, event);
  };
}

export const handler = lambdaHandler({
  name: 'backup-check-snapshots',
  env: backupEnv,
  deps: backupDeps,
  handler: makeHandler,
});
