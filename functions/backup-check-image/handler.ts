/**
 * CheckImage: one poll of the AMI until `available` (`failed` → ImageRegistrationFailed).
 * Once available it records the AMI's snapshots and Marketplace code, and rejects a
 * registered AMI whose billing differs from the instance's (RegisterImage then takes
 * CreateImage).
 */

import { checkImage } from '../../shared/backup-service/checks.ts';
import { type BackupDeps, tagRunLogs } from '../../shared/backup-service/deps.ts';
import type { ImageState } from '../../shared/backup-service/state.ts';
import { backupDeps, backupEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<ImageState> => {
    tagRunLogs(deps.logger, event);
    return checkImage(deps, event);
  };
}

export const handler = lambdaHandler({
  name: 'backup-check-image',
  env: backupEnv,
  deps: backupDeps,
  handler: makeHandler,
});
