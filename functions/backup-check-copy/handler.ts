/**
 * CheckCopy: one poll of a cross-region copy in its destination region until `available`.
 * A bad KMS key only shows here (the copy ends `failed`) → ImageCopyFailed, caught inside
 * the copy iteration so the other regions carry on.
 */

import { checkCopy } from '../../shared/backup-service/checks.ts';
import { type BackupDeps, tagRunLogs } from '../../shared/backup-service/deps.ts';
import type { CopyState } from '../../shared/backup-service/state.ts';
import { backupDeps, backupEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<CopyState> => {
    tagRunLogs(deps.logger, event);
    return checkCopy(deps, event);
  };
}

export const handler = lambdaHandler({
  name: 'backup-check-copy',
  env: backupEnv,
  deps: backupDeps,
  handler: makeHandler,
});
