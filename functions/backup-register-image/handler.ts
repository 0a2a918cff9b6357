/**
 * RegisterImage: the AMI of an instance backup — RegisterImage from its completed snapshots
 * (root device, mappings, architecture, hvm, ENA, boot mode, NitroTPM, UEFI data, IMDSv2,
 * SR-IOV and instance-store mappings taken from the source instance), or CreateImage for
 * licensed platforms and for a registered AMI that CheckImage rejected. Deterministic name,
 * managed tags; re-runs reuse this run's image by name (see shared/backup-service/make-image.ts).
 * As a `.waitForTaskToken` Task it parks its token under the AMI and checks once: the Task
 * ends when the AMI is available or failed (EC2 AMI State Change, or the fallback).
 */
import { InvalidBackupInput } from '../../shared/backup/errors.ts';
import { checkImage } from '../../shared/backup-service/checks.ts';
import { type BackupDeps, tagRunLogs } from '../../shared/backup-service/deps.ts';
import { parkWait, splitTaskToken } from '../../shared/backup-service/event-waits.ts';
import { waitingOutLimits } from '../../shared/backup-service/limit-waits.ts';
import { makeImage } from '../../shared/backup-service/make-image.ts';
import { requireStep } from '../../shared/backup-service/require.ts';
import { type ImageState, targetTaskSchema } from '../../shared/backup-service/state.ts';
import { parseRunTask } from '../../shared/backup-service/task-input.ts';
import { backupDeps, backupResultsEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<ImageState> => {
    tagRunLogs(deps.logger, event);
    const { token, input } = splitTaskToken(event);
    const { run, backup } = parseRunTask('register-image', targetTaskSchema, input, deps.policies);
    const ec2Of = waitingOutLimits(deps.ec2, run, deps.now);
    const { target } = backup;
    const set = requireStep('register-image', 'backup.snapshots', backup.snapshots);
    if (target.kind !== 'instance' || target.form !== 'image') {
      throw new InvalidBackupInput(`register-image: ${target.id} is backed up as snapshots only`);
    }
    const image = await makeImage({
      ec2: ec2Of(set.region),
      run,
      target,
      set,
      previous: backup.image,
      now: deps.now(),
      log: (message, fields) => deps.logger.info(message, fields),
    });
    if (token !== undefined)
      await parkWait(
        deps,
        token,
        {
          kind: 'image',
          region: image.region,
          resourceId: image.imageId,
          input: { run, backup: { ...backup, image } },
        },
        (check) => checkImage(deps, check),
      );
    return image;
  };
}

export const handler = lambdaHandler({
  name: 'backup-register-image',
  env: backupResultsEnv,
  deps: backupDeps,
  handler: makeHandler,
});
