/**
 * Rotation of one target in one region: read Shipyard's resources of this policy and
 * target (paged, by tag), let the pure planner decide, then execute its actions in order
 * (deregister with DeleteAssociatedSnapshots first, orphaned snapshots after). In-use and
 * already-gone resources are reported, other refusals are recorded per item; throttling
 * and 5xx before the first deletion propagate so the state machine retries the whole
 * rotation (re-planned from the then-current inventory, so nothing is deleted twice); after
 * it, the remaining deletions are deferred to the next run (see rotateRegion).
 */

import { BackupError, isTransientBackupError } from '../backup/errors.ts';
import type { ImageRecord, SnapshotRecord } from '../backup/inventory.ts';
import { planRetention, type RetentionAction } from '../backup/retention.ts';
import { retentionForRegion } from '../backup/retention-rules.ts';
import {
  type Ec2ErrorInfo,
  type ItemOutcome,
  interpretDeleteSnapshot,
  interpretDeregisterImage,
  rotationReport,
} from '../backup/rotation-outcomes.ts';
import { managedTagQuery } from './context.ts';
import type { Ec2Image, Ec2Port, Ec2Reader, Ec2Snapshot } from './ports/ec2.ts';
import type { RotationResult, Run, SnapshotSet, Target } from './state.ts';

export type RegionRotation = RotationResult['regions'][number];

/** An EC2 image as the retention planner sees it (also used by `shipyard backup plan`). */
export const toImageRecord = (i: Ec2Image): ImageRecord => {
  const reason = [i.stateReason?.code, i.stateReason?.message]
    .filter((p) => p !== undefined && p !== '')
    .join(': ');
  return {
    imageId: i.imageId,
    ...(i.name === undefined ? {} : { name: i.name }),
    state: i.state,
    creationDate: i.creationDate,
    tags: i.tags,
    snapshotIds: i.snapshotIds,
    ...(reason === '' ? {} : { stateReason: reason }),
  };
};

export const toSnapshotRecord = (s: Ec2Snapshot): SnapshotRecord => ({
  snapshotId: s.snapshotId,
  state: s.state,
  startTime: s.startTime,
  tags: s.tags,
  ...(s.stateMessage === undefined ? {} : { stateMessage: s.stateMessage }),
  ...(s.volumeId === undefined ? {} : { volumeId: s.volumeId }),
});

/**
 * The target's volumes in the source region: a volume target is its own; an instance's are
 * the volumes this run snapshotted, completed from DescribeInstances when the set does not
 * name them all.
 */
export async function targetVolumeIds(
  ec2: Pick<Ec2Reader, 'describeInstances'>,
  target: Target,
  snapshots: Pick<SnapshotSet, 'snapshots'>,
): Promise<string[]> {
  if (target.kind === 'volume') return [target.id];
  const fromSet = snapshots.snapshots.flatMap((s) => (s.volumeId === undefined ? [] : [s.volumeId]));
  if (fromSet.length === snapshots.snapshots.length) return [...new Set(fromSet)].sort();
  const [instance] = await ec2.describeInstances({ instanceIds: [target.id] });
  return [...new Set([...fromSet, ...(instance?.blockDevices.map((d) => d.volumeId) ?? [])])].sort();
}

/** A terminal adapter error becomes a per-item failure; anything transient (or unknown) propagates. */
function refusal(error: unknown): Ec2ErrorInfo {
  if (!(error instanceof BackupError) || isTransientBackupError(error)) throw error;
  return { code: error.name, message: error.message };
}

export interface RotateRegionInput {
  ec2: Ec2Port;
  run: Run;
  target: Target;
  /** Ids this run created in the region: never deleted, even if tags lag. */
  protectedIds: string[];
  /** Run ids of the policy that have a run record (RunRecords): a group of another run id is not ours. */
  recordedRunIds: string[];
  /** Source region only: the target's volume ids (a snapshot of another volume is not ours). */
  sourceVolumeIds?: string[];
  /** Which kept ids the report counts (all by default). */
  countKept?: (id: string) => boolean;
  /** AMIs that passed a restore test: the newest backup holding one is kept. */
  verifiedImageIds?: string[];
}

export async function rotateRegion({
  ec2,
  run,
  target,
  protectedIds,
  recordedRunIds,
  sourceVolumeIds,
  countKept,
  verifiedImageIds,
}: RotateRegionInput): Promise<RegionRotation> {
  const { policy } = run;
  const query = { tags: managedTagQuery(run, target) };
  const [images, snapshots] = await Promise.all([ec2.describeImages(query), ec2.describeSnapshots(query)]);
  const plan = planRetention({
    policy: policy.name,
    target: target.id,
    region: ec2.region,
    runId: run.runId,
    protectedIds,
    recordedRunIds,
    ...(sourceVolumeIds === undefined ? {} : { sourceVolumeIds }),
    form: target.form,
    ...(verifiedImageIds === undefined ? {} : { verifiedImageIds }),
    now: run.startedAt,
    timeZone: policy.schedule.timeZone,
    retention: retentionForRegion(policy, ec2.region),
    maxDeletesPerRun: policy.maxDeletesPerRun,
    images: images.map(toImageRecord),
    snapshots: snapshots.map(toSnapshotRecord),
  });
  if (run.dryRun)
    return {
      region: ec2.region,
      report: rotationReport(plan, undefined, countKept),
      wouldDelete: plan.delete,
    };

  const outcomes: ItemOutcome[] = [];
  let deferredDeletions = 0;
  for (const [index, action] of plan.actions.entries()) {
    try {
      outcomes.push(...(await executeAction(ec2, action)));
    } catch (error) {
      // A transient failure before anything was deleted propagates: the state machine retries
      // the whole rotation, re-planned, with the cap intact. After deletions were made, a retry
      // would re-plan with a fresh cap and could exceed maxDeletesPerRun in this run: stop here
      // and leave the rest to the next run instead.
      const transient = isTransientBackupError(error);
      if (!transient || !outcomes.some((o) => o.outcome === 'deleted')) throw error;
      deferredDeletions = plan.actions.length - index;
      break;
    }
  }
  const report = rotationReport(plan, outcomes, countKept);
  return { region: ec2.region, report: deferredDeletions > 0 ? { ...report, deferredDeletions } : report };
}

/** One planned action; in-use, already-gone and terminal refusals become outcomes, transient errors throw. */
async function executeAction(ec2: Ec2Port, action: RetentionAction): Promise<ItemOutcome[]> {
  if (action.type === 'deregister-image') {
    try {
      const result = await ec2.deregisterImage(action.imageId, action.deleteAssociatedSnapshots);
      return interpretDeregisterImage(
        action.imageId,
        result.kind === 'not-found'
          ? { error: { code: 'InvalidAMIID.NotFound' } }
          : { deleteSnapshotResults: result.snapshots },
      );
    } catch (error) {
      return interpretDeregisterImage(action.imageId, { error: refusal(error) });
    }
  }
  try {
    const result = await ec2.deleteSnapshot(action.snapshotId);
    const error: Ec2ErrorInfo | undefined =
      result === 'in-use'
        ? { code: 'InvalidSnapshot.InUse' }
        : result === 'not-found'
          ? { code: 'InvalidSnapshot.NotFound' }
          : undefined;
    return [interpretDeleteSnapshot(action.snapshotId, error)];
  } catch (error) {
    return [interpretDeleteSnapshot(action.snapshotId, refusal(error))];
  }
}
