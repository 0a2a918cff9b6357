/**
 * CheckImage: one poll of the AMI until `available` (`failed` → ImageRegistrationFailed).
 * Once available it records the AMI's snapshots and Marketplace code, and rejects a
 * registered AMI whose billing differs from the instance's (RegisterImage then takes
 * CreateImage).
 */
import { ImageRegistrationFailed } from '../../shared/backup/errors.ts';
import { IMAGE_WAIT } from '../../shared/backup/wait.ts';
import { type BackupDeps, tagRunLogs } from '../../shared/backup-service/deps.ts';
import { verifyAvailableImage } from '../../shared/backup-service/make-image.ts';
import { pollImage } from '../../shared/backup-service/poll-image.ts';
import { requireStep } from '../../shared/backup-service/require.ts';
import { type ImageState, targetTaskSchema } from '../../shared/backup-service/state.ts';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import { backupDeps, backupEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<ImageState> => {
    tagRunLogs(deps.logger, event);
    const { backup } = parseTaskInput('check-image', targetTaskSchema, event);
    const image = requireStep('check-image', 'backup.image', backup.image);
    return pollImage(
      deps.ec2(image.region),
      image,
      IMAGE_WAIT,
      ImageRegistrationFailed,
      deps.now(),
      false,
      (ami) => verifyAvailableImage(image, ami),
    );
  };
}

export const handler = lambdaHandler({
  name: 'backup-check-image',
  env: backupEnv,
  deps: backupDeps,
  handler: makeHandler,
});
