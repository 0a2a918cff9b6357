/**
 * Starting one copy of a target's AMI in one copy region: CopyImage in the destination region,
 * with a ClientToken from run + source image + region (every attempt, and the copy queue's,
 * gets the same copy), the region's KMS key and the managed tags on the new AMI and its
 * snapshots. Used by the CopyImage step and by the copy queue (copy-queue.ts).
 */

import type * as z from 'zod';
import { CopyNotReady, ImageCopyFailed, InvalidBackupInput } from '../backup/errors.ts';
import { copyImageClientToken, snapshotDescription } from '../backup/naming.ts';
import { copyImageTagSpecifications } from '../backup/tags.ts';
import { COPY_WAIT } from '../backup/wait.ts';
import { checkCopy } from './checks.ts';
import { tagContext } from './context.ts';
import type { BackupDeps } from './deps.ts';
import { parkWait } from './event-waits.ts';
import { waitingOutLimits } from './limit-waits.ts';
import { findOwnImage } from './own-image.ts';
import type { CopyState, copyTaskSchema } from './state.ts';

export type CopyTask = z.output<typeof copyTaskSchema>;
/** Starts (or finds) the copy of a task: its state, `pending` or `available`. */
export type CopyStarter = (task: CopyTask) => Promise<CopyState>;

/** CopyImage itself (or this run's copy found by name); limits past the deadline are WaitAttemptsExhausted. */
export function startCopy(deps: BackupDeps): CopyStarter {
  return async ({ run, target, source, copy }) => {
    const settings = run.policy.copyRegions.find((c) => c.region === copy.region);
    if (settings === undefined)
      throw new InvalidBackupInput(`copy-image: ${copy.region} is not a copy region of ${run.policy.name}`);
    const ec2 = waitingOutLimits(deps.ec2, run, deps.now)(copy.region);
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

/** Parks `token` under the started copy (in its region) and checks once. */
export async function parkCopy(deps: BackupDeps, token: string, task: CopyTask, started: CopyState) {
  if (started.imageId === undefined) return 'waiting' as const;
  return parkWait(
    deps,
    token,
    {
      kind: 'copy',
      region: started.region,
      resourceId: started.imageId,
      input: { ...task, copy: started },
    },
    (check) => checkCopy(deps, check),
  );
}
