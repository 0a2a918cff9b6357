/** Independent oracles of the retention property tests (they never call the planner's helpers). */
import type { ImageRecord, SnapshotRecord } from '../../../shared/backup/inventory.ts';
import type { RetentionInput, RetentionPlan } from '../../../shared/backup/retention.ts';
import { POLICY, TARGET } from './inventory-builders.ts';

export const isOurs = (tags: Record<string, string>): boolean =>
  tags['shipyard:managed'] === 'true' &&
  tags['shipyard:policy'] === POLICY &&
  tags['shipyard:target'] === TARGET;

export const deletedSet = (plan: RetentionPlan): Set<string> => new Set(plan.delete.map((i) => i.id));

/** Every id an executed plan would remove, from the actions alone. */
export function idsRemovedByActions(plan: RetentionPlan): Set<string> {
  const ids = new Set<string>();
  for (const action of plan.actions) {
    if (action.type === 'deregister-image') {
      ids.add(action.imageId);
      for (const id of action.associatedSnapshotIds) ids.add(id);
    } else {
      ids.add(action.snapshotId);
    }
  }
  return ids;
}

/** Runs (of ours) by id, with their live resources. */
export function ourRuns(input: RetentionInput) {
  const runs = new Map<string, { time: number; images: ImageRecord[]; snapshots: SnapshotRecord[] }>();
  const slot = (tags: Record<string, string>) => {
    const runId = tags['shipyard:run'] ?? '';
    const time = Date.parse(tags['shipyard:created-at'] ?? '');
    let run = runs.get(runId);
    if (run === undefined) {
      run = { time, images: [], snapshots: [] };
      runs.set(runId, run);
    }
    return run;
  };
  for (const image of input.images)
    if (isOurs(image.tags) && image.state !== 'deregistered') slot(image.tags).images.push(image);
  for (const snapshot of input.snapshots)
    if (isOurs(snapshot.tags)) slot(snapshot.tags).snapshots.push(snapshot);
  return runs;
}

/**
 * Our runs with only the snapshots the documented ownership rule ties to their run (README,
 * "Security: who may write Shipyard's tags"): a snapshot taken of one of the target's volumes
 * (source region) or listed by an AMI of its run. A copy proves nothing by its volume ("Snapshots
 * created by the CopySnapshot action have an arbitrary volume ID that should not be used for any
 * purpose", EC2 API Reference, Snapshot `VolumeId`), and a snapshot that only carries a run's tags
 * is not that run's: it can neither make the run a backup nor hold it "in progress". Without a
 * run record or source volumes, tags alone count (the pre-record behaviour). Judge which run
 * is the newest backup on these; `ourRuns` (tags alone) stays the wider net for "never touched".
 */
export function provenRuns(input: RetentionInput) {
  const runs = ourRuns(input);
  if (input.recordedRunIds === undefined && input.sourceVolumeIds === undefined) return runs;
  const onTargetVolume = (s: SnapshotRecord) =>
    s.volumeId !== undefined && (input.sourceVolumeIds?.includes(s.volumeId) ?? false);
  for (const run of runs.values()) {
    const listed = new Set(run.images.flatMap((i) => i.snapshotIds));
    run.snapshots = run.snapshots.filter((s) => listed.has(s.snapshotId) || onTargetVolume(s));
  }
  return runs;
}

/**
 * The spec's "available backup": an available AMI with nothing pending, or (no AMI) all
 * snapshots completed — the latter only for a `snapshots-only` target: for an `image`
 * target, snapshots without an AMI cannot be launched and are not a backup (retention.ts,
 * "snapshots left without an AMI … never count for a keep rule nor as the newest").
 */
export function isAvailableRun(
  run: { images: ImageRecord[]; snapshots: SnapshotRecord[] },
  form: RetentionInput['form'],
): boolean {
  const pending =
    run.images.some((i) => i.state === 'pending' || i.state === 'transient') ||
    run.snapshots.some((s) => s.state === 'pending');
  if (pending) return false;
  if (run.images.length > 0) return run.images.some((i) => i.state === 'available');
  if (form === 'image') return false;
  return run.snapshots.length > 0 && run.snapshots.every((s) => s.state === 'completed');
}
