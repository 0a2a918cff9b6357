/**
 * CopyImage (one copy region of one target): called in the destination region, with a
 * ClientToken from run + source image + region (a retried task gets the same copy), the
 * region's KMS key and the managed tags on the new AMI and its snapshots. As a
 * `.waitForTaskToken` Task it parks its token under the copy (in the destination region) and
 * checks once: the Task ends when the copy is available or failed.
 */

import { CopyNotReady, ImageCopyFailed, InvalidBackupInput } from '../../shared/backup/errors.ts';
import { copyImageClientToken, snapshotDescription } from '../../shared/backup/naming.ts';
import { copyImageTagSpecifications } from '../../shared/backup/tags.ts';
import { COPY_WAIT } from '../../shared/backup/wait.ts';
import { checkCopy } from '../../shared/backup-service/checks.ts';
import { tagContext } from '../../shared/backup-service/context.ts';
import { type BackupDeps, tagRunLogs } from '../../shared/backup-service/deps.ts';
import { parkWait, splitTaskToken } from '../../shared/backup-service/event-waits.ts';
import { waitingOutLimits } from '../../shared/backup-service/limit-waits.ts';
import { findOwnImage } from '../../shared/backup-service/own-image.ts';
import {
  type CopyState,
  copyTaskSchema,
  type ImageState,
  type Run,
  type Target,
} from '../../shared/backup-service/state.ts';
import { parseRunTask } from '../../shared/backup-service/task-input.ts';
import { backupDeps, backupResultsEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function makeHandler(deps: BackupDeps) {
  const copyOnce = copyImage(deps);
  return async (event: unknown): Promise<CopyState> => {
    tagRunLogs(deps.logger, event);
    const { token, input } = splitTaskToken(event);
    const { run, target, source, copy } = parseRunTask('copy-image', copyTaskSchema, input, deps.policies);
    const started = await copyOnce(run, target, source, copy);
    if (token !== undefined && started.imageId !== undefined)
      await parkWait(
        deps,
        token,
        {
          kind: 'copy',
          region: copy.region,
          resourceId: started.imageId,
          input: { run, target, source, copy: started },
        },
        (check) => checkCopy(deps, check),
      );
    return started;
  };
}

/** CopyImage itself (or this run's copy found by name). */
function copyImage(deps: BackupDeps) {
  return async (run: Run, target: Target, source: ImageState, copy: CopyState): Promise<CopyState> => {
    const ec2Of = waitingOutLimits(deps.ec2, run, deps.now);
    const settings = run.policy.copyRegions.find((c) => c.region === copy.region);
    if (settings === undefined)
      throw new InvalidBackupInput(`copy-image: ${copy.region} is not a copy region of ${run.policy.name}`);
    const ec2 = ec2Of(copy.region);
    const owner = { policy: run.policy.name, target: target.id, runId: run.runId };
    const record = (imageId: string, available: boolean): CopyState => ({
      region: copy.region,
      imageId,
      name: source.name,
      state: available ? 'available' : 'pending',
      attempt: 0,
      startedAt: deps.now().toISOString(),
      waitSeconds: available ? 0 : COPY_WAIT.initialSeconds,
    });
    const result = await ec2.copyImage({
      sourceRegion: source.region,
      sourceImageId: source.imageId,
      name: source.name,
      description: snapshotDescription(owner),
      clientToken: copyImageClientToken({
        runId: run.runId,
        sourceImageId: source.imageId,
        destinationRegion: copy.region,
      }),
      ...(settings.kmsKeyId === undefined ? {} : { kmsKeyId: settings.kmsKeyId }),
      tagSpecifications: copyImageTagSpecifications(
        tagContext(run, target, source.createdAt),
        source.imageId,
      ),
    });
    if (result.kind === 'copied') {
      deps.logger.info('copy started', { target: target.id, region: copy.region, imageId: result.imageId });
      return record(result.imageId, false);
    }
    // The name is taken although the token is new to EC2: reuse it only if it is this run's copy.
    const existing = await findOwnImage(ec2, source.name, owner, ImageCopyFailed);
    if (existing === undefined)
      throw new CopyNotReady(`${copy.region}: ${source.name} exists but is not visible yet`);
    return record(existing.imageId, existing.state === 'available');
  };
}

export const handler = lambdaHandler({
  name: 'backup-copy-image',
  env: backupResultsEnv,
  deps: backupDeps,
  handler: makeHandler,
});
