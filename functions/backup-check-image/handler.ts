/** CheckImage: one poll of the registered AMI until `available` (`failed` → ImageRegistrationFailed). */
import { ImageRegistrationFailed } from '../../shared/backup/errors.ts';
import { IMAGE_WAIT } from '../../shared/backup/wait.ts';
import { type BackupDeps, defaultBackupDeps, tagRunLogs } from '../../shared/backup-workflow/deps.ts';
import { pollImage } from '../../shared/backup-workflow/poll-image.ts';
import { requireStep } from '../../shared/backup-workflow/require.ts';
import { type ImageState, targetTaskSchema } from '../../shared/backup-workflow/state.ts';
import { parseTaskInput } from '../../shared/backup-workflow/task-input.ts';

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<ImageState> => {
    tagRunLogs(deps.logger, event);
    const { backup } = parseTaskInput('check-image', targetTaskSchema, event);
    const image = requireStep('check-image', 'backup.image', backup.image);
    return pollImage(deps.ec2(image.region), image, IMAGE_WAIT, ImageRegistrationFailed, deps.now());
  };
}

export const handler = makeHandler(defaultBackupDeps('backup-check-image'));
