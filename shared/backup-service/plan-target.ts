/**
 * The dry run of one target: everything the real steps would do, from Describe calls only.
 * Each part comes from the code the real step runs (the snapshot exclusions, the
 * RegisterImage request builder, the AMI-name conflict check, `rotateRegion` with the pure
 * planner), so the plan fails where the real run would fail.
 */

import { ImageRegistrationFailed, InvalidBackupInput, TargetNotFound } from '../backup/errors.ts';
import { imageName } from '../backup/naming.ts';
import {
  type ImagePlan,
  planImage,
  planInstanceSnapshots,
  type SnapshotPlan,
  sumGiB,
  type TargetPlan,
} from '../backup/plan.ts';
import { managedTags, tagsToRecord } from '../backup/tags.ts';
import { tagContext } from './context.ts';
import { dryRunEc2Port } from './ec2-dry-run.ts';
import { findOwnImage } from './own-image.ts';
import type { Ec2Image, Ec2Reader, Ec2Snapshot, Ec2Volume } from './ports/ec2.ts';
import { rotateRegion } from './rotation.ts';
import { describeSourceInstance } from './source-instance.ts';
import type { Run, Target } from './state.ts';

export interface PlanTargetInput {
  /** Readers per region (the handler passes the dry-run port: even a bug here cannot write). */
  ec2: (region: string) => Ec2Reader;
  run: Run;
  target: Target;
  /** Run ids of the policy that have a run record (this dry run's included). */
  recordedRunIds: string[];
}

/** Stand-in ids of the backup this run would create (never sent to EC2, never reported). */
const PLANNED_IMAGE_ID = '(planned AMI of this run)';
const plannedSnapshotId = (volumeId: string) => `(planned snapshot of ${volumeId})`;

async function describeVolume(ec2: Ec2Reader, volumeId: string): Promise<Ec2Volume> {
  const [volume] = await ec2.describeVolumes({ volumeIds: [volumeId] });
  if (volume === undefined) throw new TargetNotFound(`volume ${volumeId} does not exist in ${ec2.region}`);
  return volume;
}

function volumeSnapshotPlan(region: string, volume: Ec2Volume): SnapshotPlan {
  const planned = {
    volumeId: volume.volumeId,
    sizeGiB: volume.sizeGiB,
    volumeType: volume.volumeType,
    ...(volume.iops === undefined ? {} : { iops: volume.iops }),
    ...(volume.throughput === undefined ? {} : { throughput: volume.throughput }),
  };
  return { region, call: 'CreateSnapshot', volumes: [planned], excluded: [], totalGiB: sumGiB([planned]) };
}

/**
 * Shows rotation the inventory it will see after this run: the planned backup (AMI +
 * snapshots, tagged as this run's, at the run's instant) is added to the managed listings.
 * Without it the plan would count one old backup too many as "newest" and delete one
 * fewer than the real run's rotation does.
 */
function withPlannedBackup(ec2: Ec2Reader, run: Run, target: Target, snapshots: SnapshotPlan): Ec2Reader {
  const context = tagContext(run, target);
  const snapshotIds = snapshots.volumes.map((v) => plannedSnapshotId(v.volumeId));
  const plannedSnapshots: Ec2Snapshot[] = snapshots.volumes.map((v) => ({
    snapshotId: plannedSnapshotId(v.volumeId),
    volumeId: v.volumeId,
    state: 'completed',
    startTime: run.startedAt,
    volumeSizeGiB: v.sizeGiB,
    tags: tagsToRecord(managedTags(context, 'snapshot')),
  }));
  const plannedImages: Ec2Image[] =
    target.form === 'image'
      ? [
          {
            imageId: PLANNED_IMAGE_ID,
            // Named as the real run will name it: rotation only counts AMIs that carry their run's name.
            name: imageName({ policy: context.policy, target: context.target, runId: context.runId }),
            state: 'available',
            creationDate: run.startedAt,
            tags: tagsToRecord(managedTags(context, 'image')),
            snapshotIds,
          },
        ]
      : [];
  return {
    region: ec2.region,
    describeInstances: (query) => ec2.describeInstances(query),
    describeVolumes: (query) => ec2.describeVolumes(query),
    describeImages: async (query) => [...(await ec2.describeImages(query)), ...plannedImages],
    describeSnapshots: async (query) => [...(await ec2.describeSnapshots(query)), ...plannedSnapshots],
    describeLaunchImage: (imageId) => ec2.describeLaunchImage(imageId),
    getInstanceUefiData: (instanceId) => ec2.getInstanceUefiData(instanceId),
  };
}

const isPlanned = (id: string) => id.startsWith('(planned ');

async function planRotation(input: PlanTargetInput, regions: string[], snapshots: SnapshotPlan) {
  const { run, target } = input;
  const out: TargetPlan['rotation'] = [];
  for (const region of regions) {
    // Rotation takes a full port: the dry-run port refuses creations and records deletions unsent.
    const ec2 = dryRunEc2Port(withPlannedBackup(input.ec2(region), run, target, snapshots));
    const protectedIds = [PLANNED_IMAGE_ID, ...snapshots.volumes.map((v) => plannedSnapshotId(v.volumeId))];
    // dryRun forced: PlanTarget only ever plans, whatever the run says.
    const rotation = await rotateRegion({
      ec2,
      run: { ...run, dryRun: true },
      target,
      protectedIds,
      recordedRunIds: input.recordedRunIds,
      ...(region === run.policy.sourceRegion
        ? { sourceVolumeIds: snapshots.volumes.map((v) => v.volumeId).sort() }
        : {}),
      countKept: (id) => !isPlanned(id),
    });
    out.push({
      region,
      report: rotation.report,
      wouldDelete: (rotation.wouldDelete ?? []).filter((i) => !isPlanned(i.id)),
    });
  }
  return out;
}

/**
 * What the backup run would do for this target.
 *
 * @throws TargetNotFound when the instance or volume (or one of the instance's volumes) is gone.
 * @throws InvalidBackupInput when the real run could not snapshot or register it.
 * @throws ImageRegistrationFailed when a foreign AMI already holds this run's AMI name.
 */
export async function planTarget(input: PlanTargetInput): Promise<TargetPlan> {
  const { run, target } = input;
  const { policy } = run;
  const region = policy.sourceRegion;
  const source = input.ec2(region);
  let snapshots: SnapshotPlan;
  let image: ImagePlan | undefined;
  if (target.kind === 'instance') {
    const instance = await describeSourceInstance(source, target.id);
    snapshots = planInstanceSnapshots(region, instance, target);
    if (target.form === 'image') {
      const owner = { policy: policy.name, target: target.id, runId: run.runId };
      image = planImage({ region, name: imageName(owner), instance, exclusions: target });
      // RegisterImage would refuse to adopt a foreign AMI holding this name: so does the plan.
      await findOwnImage(source, image.name, owner, ImageRegistrationFailed);
    }
  } else {
    snapshots = volumeSnapshotPlan(region, await describeVolume(source, target.id));
  }
  if (snapshots.volumes.length === 0) throw new InvalidBackupInput(`${target.id}: no volume to snapshot`);

  const copies =
    image === undefined
      ? []
      : policy.copyRegions.map((c) => ({
          region: c.region,
          ...(c.kmsKeyId === undefined ? {} : { kmsKeyId: c.kmsKeyId }),
        }));
  const { share: settings } = policy;
  const share = {
    regions: image === undefined ? [] : [region, ...copies.map((c) => c.region)],
    accountIds: [...(settings.accountIds ?? [])],
    organizationArns: [...(settings.organizationArns ?? [])],
    organizationalUnitArns: [...(settings.organizationalUnitArns ?? [])],
    public: settings.public === true,
  };
  const shares =
    share.regions.length > 0 &&
    (share.public ||
      share.accountIds.length + share.organizationArns.length + share.organizationalUnitArns.length > 0);
  const rotation = await planRotation(input, [region, ...copies.map((c) => c.region)], snapshots);
  return {
    snapshots,
    ...(image === undefined ? {} : { image }),
    copies,
    ...(shares ? { share } : {}),
    rotation,
  };
}
