/**
 * CheckCopy: one poll of a cross-region copy in its destination region until `available`.
 * A bad KMS key only shows here (the copy ends `failed`) → ImageCopyFailed, caught inside
 * the copy iteration so the other regions carry on.
 */
import { ImageCopyFailed } from '../../shared/backup/errors.ts';
import { COPY_WAIT } from '../../shared/backup/wait.ts';
import { type BackupDeps, BackupMetric, tagRunLogs } from '../../shared/backup-service/deps.ts';
import { pollImage } from '../../shared/backup-service/poll-image.ts';
import { requireStep } from '../../shared/backup-service/require.ts';
import { type CopyState, copyTaskSchema } from '../../shared/backup-service/state.ts';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import { backupDeps, backupEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<CopyState> => {
    tagRunLogs(deps.logger, event);
    const { copy } = parseTaskInput('check-copy', copyTaskSchema, event);
    const imageId = requireStep('check-copy', 'copy.imageId', copy.imageId);
    const poll = {
      imageId,
      attempt: requireStep('check-copy', 'copy.attempt', copy.attempt),
      startedAt: requireStep('check-copy', 'copy.startedAt', copy.startedAt),
      state: requireStep('check-copy', 'copy.state', copy.state),
      waitSeconds: requireStep('check-copy', 'copy.waitSeconds', copy.waitSeconds),
    };
    const next = await pollImage(deps.ec2(copy.region), poll, COPY_WAIT, ImageCopyFailed, deps.now(), true);
    if (deps.metrics && next.state === 'available') {
      // Seen available at this poll: the duration is exact to within one wait interval.
      const seconds = (deps.now().getTime() - Date.parse(poll.startedAt)) / 1000;
      deps.metrics.record(BackupMetric.CopyDuration, 'Seconds', Math.max(0, seconds), {
        region: copy.region,
      });
      deps.metrics.flush();
    }
    return { ...copy, ...next };
  };
}

export const handler = lambdaHandler({
  name: 'backup-check-copy',
  env: backupEnv,
  deps: backupDeps,
  handler: makeHandler,
});
