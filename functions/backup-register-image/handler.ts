/**
 * RegisterImage: the AMI of an instance backup, from its completed snapshots, with root
 * device, mappings, architecture, hvm, ENA and boot mode taken from the source instance,
 * a deterministic name and the managed tags. Re-runs reuse this run's image by name.
 */
import { buildRegisterImageRequest } from '../../shared/backup/block-devices.ts';
import { ImageNotReady, InvalidBackupInput } from '../../shared/backup/errors.ts';
import { imageName, snapshotDescription } from '../../shared/backup/naming.ts';
import { registerImageTagSpecifications } from '../../shared/backup/tags.ts';
import { IMAGE_WAIT } from '../../shared/backup/wait.ts';
import { tagContext } from '../../shared/backup-workflow/context.ts';
import { type BackupDeps, defaultBackupDeps, tagRunLogs } from '../../shared/backup-workflow/deps.ts';
import { findOwnImage } from '../../shared/backup-workflow/own-image.ts';
import { requireStep } from '../../shared/backup-workflow/require.ts';
import { describeSourceInstance } from '../../shared/backup-workflow/source-instance.ts';
import { type ImageState, targetTaskSchema } from '../../shared/backup-workflow/state.ts';
import { parseRunTask } from '../../shared/backup-workflow/task-input.ts';

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<ImageState> => {
    tagRunLogs(deps.logger, event);
    const { run, backup } = parseRunTask('register-image', targetTaskSchema, event, deps.policies);
    const { target } = backup;
    const set = requireStep('register-image', 'backup.snapshots', backup.snapshots);
    if (target.kind !== 'instance' || target.form !== 'image') {
      throw new InvalidBackupInput(`register-image: ${target.id} is backed up as snapshots only`);
    }
    const ec2 = deps.ec2(set.region);
    const owner = { policy: run.policy.name, target: target.id, runId: run.runId };
    const name = imageName(owner);
    const record = (imageId: string, available: boolean): ImageState => ({
      region: set.region,
      imageId,
      name,
      createdAt: set.createdAt,
      state: available ? 'available' : 'pending',
      attempt: 0,
      startedAt: deps.now().toISOString(),
      waitSeconds: available ? 0 : IMAGE_WAIT.initialSeconds,
    });

    const existing = await findOwnImage(ec2, name, owner);
    if (existing !== undefined) return record(existing.imageId, existing.state === 'available');

    const instance = await describeSourceInstance(ec2, target.id);
    const snapshotsByVolumeId = Object.fromEntries(
      set.snapshots.flatMap((s) =>
        s.volumeId === undefined
          ? []
          : [[s.volumeId, { snapshotId: s.snapshotId, volumeSizeGiB: s.sizeGiB }]],
      ),
    );
    const request = buildRegisterImageRequest({
      name,
      description: snapshotDescription(owner),
      instance,
      snapshotsByVolumeId,
      exclusions: target,
    });
    const result = await ec2.registerImage({
      ...request,
      tagSpecifications: registerImageTagSpecifications(tagContext(run, target, set.createdAt)),
    });
    if (result.kind === 'registered') {
      deps.logger.info('image registered', { target: target.id, imageId: result.imageId, name });
      return record(result.imageId, false);
    }
    // Lost a race with an earlier attempt of this same task: take its image once visible.
    const raced = await findOwnImage(ec2, name, owner);
    if (raced === undefined) throw new ImageNotReady(`${name}: name taken but the image is not visible yet`);
    return record(raced.imageId, raced.state === 'available');
  };
}

export const handler = makeHandler(defaultBackupDeps('backup-register-image'));
