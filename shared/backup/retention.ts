/**
 * The retention planner: given one target's inventory in one region, which backups to
 * keep, which to delete (each with a one-line reason), and the ordered EC2 actions.
 * The plan **is** the dry run: the glue either returns it or executes `actions` in order.
 *
 * Guarantees (property-tested):
 * - only resources tagged as Shipyard's for this policy and target are ever deleted;
 * - the newest available backup is never deleted, nor anything of the current run, nor
 *   anything pending (or in a state rotation does not manage);
 * - failed backups (failed AMIs, error snapshots) are garbage and deleted;
 * - at most `maxDeletesPerRun` resources are deleted (an AMI and each snapshot count one
 *   each); backups are deleted whole or deferred, oldest first;
 * - a snapshot used by any AMI that remains is never deleted;
 * - for a target backed up as an AMI (`form: 'image'`), snapshots left without an AMI
 *   (registration failed, or the AMI was deregistered) are not a backup: they never count
 *   for a keep rule nor as the newest, and are deleted once older than {@link ORPHAN_GRACE_MS};
 * - AMIs are deregistered before any snapshot is deleted; `DeleteAssociatedSnapshots` is
 *   set only when every snapshot of the AMI is itself to be deleted;
 * - rules are a union, GFS periods are taken in the policy's time zone.
 */
import { z } from 'zod';
import { InvalidBackupInput } from './errors.ts';
import { assertTimeZone, GFS_PERIODS, gfsBucket } from './gfs.ts';
import {
  type BackupGroup,
  compareStrings,
  groupBackups,
  type ImageRecord,
  imageRecordSchema,
  isFailedImageState,
  type SnapshotRecord,
  snapshotRecordSchema,
} from './inventory.ts';
import { type RetentionRule, retentionRuleSchema } from './retention-rules.ts';
import { isManagedBy } from './tags.ts';

export const retentionInputSchema = z
  .object({
    policy: z.string().min(1),
    target: z.string().min(1),
    region: z.string().min(1),
    /** The current run: nothing it created is deleted. */
    runId: z.string().min(1),
    /** Resource ids the current run created (in case tags are not visible yet). */
    protectedIds: z.array(z.string()).optional(),
    /** Run ids that have a run record (accepted here; the ownership rules use them). */
    recordedRunIds: z.array(z.string()).optional(),
    /** Source region only: the target's volume ids (accepted here; the ownership rules use them). */
    sourceVolumeIds: z.array(z.string()).optional(),
    /**
     * What a backup of this target is: with `image`, snapshots without an AMI are orphans,
     * not backups. Omitted: every completed set counts (the pre-`form` behaviour).
     */
    form: z.enum(['image', 'snapshots-only']).optional(),
    /** The evaluation instant (ISO); the planner never reads the clock. */
    now: z.iso.datetime({ offset: true }),
    timeZone: z.string().min(1),
    retention: retentionRuleSchema,
    maxDeletesPerRun: z.number().int().min(0),
    images: z.array(imageRecordSchema),
    snapshots: z.array(snapshotRecordSchema),
  })
  .strict();

export type RetentionInput = z.infer<typeof retentionInputSchema>;

/** One resource of the plan with why it is kept, deleted or ignored. */
export interface PlanItem {
  resource: 'image' | 'snapshot';
  id: string;
  runId?: string;
  /** ISO instant of the backup it belongs to. */
  backupTime?: string;
  reason: string;
}

export type RetentionAction =
  | {
      type: 'deregister-image';
      imageId: string;
      deleteAssociatedSnapshots: boolean;
      /** Snapshots the flag deletes with it (empty when the flag is false). */
      associatedSnapshotIds: string[];
      reason: string;
    }
  | { type: 'delete-snapshot'; snapshotId: string; reason: string };

export interface RetentionPlan {
  policy: string;
  target: string;
  region: string;
  runId: string;
  now: string;
  keep: PlanItem[];
  delete: PlanItem[];
  /** Resources in the inventory that are not this policy's and target's (never touched). */
  ignored: PlanItem[];
  /** Deregistrations first, then snapshot deletions; execute in order. */
  actions: RetentionAction[];
  /** Backups that would be deleted but did not fit under `maxDeletesPerRun`. */
  deferredBackups: number;
}

/** A set of resources decided together. */
interface Unit {
  group: BackupGroup;
  images: ImageRecord[];
  snapshots: SnapshotRecord[];
  decision: 'keep' | 'delete';
  reasons: string[];
}

const DAY_MS = 86_400_000;

/**
 * How long snapshots of an image target may stand without an AMI before rotation deletes
 * them: longer than any live run takes to register its AMI (snapshot wait 12 h + image wait
 * 2 h + retries), so a concurrent run's completed snapshots are never pulled from under it.
 */
export const ORPHAN_GRACE_MS = DAY_MS;

/** Completed snapshots of an image target with no AMI of their run (alive or failed). */
const isOrphanSet = (group: BackupGroup, input: RetentionInput): boolean =>
  input.form === 'image' && group.status === 'available' && group.images.length === 0;

/** Why each available backup is kept by the rules (empty: no rule keeps it). */
function ruleReasons(
  available: readonly BackupGroup[],
  rule: RetentionRule,
  nowMs: number,
  timeZone: string,
) {
  const reasons = new Map<string, string[]>(available.map((g) => [g.key, []]));
  const add = (group: BackupGroup, reason: string) => reasons.get(group.key)?.push(reason);
  available.forEach((group, index) => {
    if (index === 0) add(group, 'newest available backup');
    if (rule.keepLast !== undefined && index < rule.keepLast) add(group, `among the newest ${rule.keepLast}`);
    if (rule.maxAgeDays !== undefined && nowMs - group.time <= rule.maxAgeDays * DAY_MS) {
      add(group, `not older than ${rule.maxAgeDays} days`);
    }
  });
  for (const period of GFS_PERIODS) {
    const wanted = rule.gfs?.[period] ?? 0;
    const seen = new Set<string>();
    for (const group of available) {
      if (seen.size >= wanted) break;
      const bucket = gfsBucket(group.time, timeZone, period);
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      add(group, `gfs ${period} ${bucket}`);
    }
  }
  return reasons;
}

function expiryReason(rule: RetentionRule): string {
  const parts: string[] = [];
  if (rule.keepLast !== undefined) parts.push(`not among the newest ${rule.keepLast}`);
  if (rule.maxAgeDays !== undefined) parts.push(`older than ${rule.maxAgeDays} days`);
  const gfs = GFS_PERIODS.filter((p) => (rule.gfs?.[p] ?? 0) > 0).map((p) => `${p} ${rule.gfs?.[p]}`);
  if (gfs.length > 0) parts.push(`not a gfs keeper (${gfs.join(', ')})`);
  return parts.length === 0 ? 'no retention rule keeps it' : `${parts.join(', ')}; no keep rule applies`;
}

function failureReason(images: readonly ImageRecord[], snapshots: readonly SnapshotRecord[]): string {
  const failedImage = images.find((i) => isFailedImageState(i.state));
  if (failedImage !== undefined) {
    return `failed backup: AMI ${failedImage.state}${failedImage.stateReason ? ` (${failedImage.stateReason})` : ''}`;
  }
  const failedSnapshot = snapshots.find((s) => s.state === 'error');
  return `failed backup: snapshot error${failedSnapshot?.stateMessage ? ` (${failedSnapshot.stateMessage})` : ''}`;
}

function unitsOf(
  groups: readonly BackupGroup[],
  input: RetentionInput,
  reasonsByKey: Map<string, string[]>,
): Unit[] {
  const protectedIds = new Set(input.protectedIds ?? []);
  const nowMs = Date.parse(input.now);
  const units: Unit[] = [];
  for (const group of groups) {
    const base = { group, images: group.images, snapshots: group.snapshots };
    const ids = [...group.images.map((i) => i.imageId), ...group.snapshots.map((s) => s.snapshotId)];
    if (group.runId === input.runId || ids.some((id) => protectedIds.has(id))) {
      units.push({ ...base, decision: 'keep', reasons: ['created by this run'] });
    } else if (isOrphanSet(group, input)) {
      units.push(
        nowMs - group.time >= ORPHAN_GRACE_MS
          ? {
              ...base,
              decision: 'delete',
              reasons: ['incomplete backup: snapshots without an AMI (not restorable as a machine)'],
            }
          : {
              ...base,
              decision: 'keep',
              reasons: [
                'snapshots without an AMI yet (a run may still register it); not counted as a backup',
              ],
            },
      );
    } else if (group.status === 'in-progress') {
      units.push({ ...base, decision: 'keep', reasons: ['in progress (pending), never touched'] });
    } else if (group.status === 'unknown') {
      const states = [
        ...new Set([...group.images.map((i) => i.state), ...group.snapshots.map((s) => s.state)]),
      ];
      units.push({
        ...base,
        decision: 'keep',
        reasons: [`state ${states.join('/')} is left to an operator`],
      });
    } else if (group.status === 'failed') {
      units.push({ ...base, decision: 'delete', reasons: [failureReason(group.images, group.snapshots)] });
    } else {
      // Available: the backup proper is ruled by retention; failed leftovers of the same run are garbage.
      const garbageImages = group.images.filter((i) => isFailedImageState(i.state));
      const garbageSnapshots = group.snapshots.filter((s) => s.state === 'error');
      if (garbageImages.length + garbageSnapshots.length > 0) {
        const reason = failureReason(garbageImages, garbageSnapshots);
        units.push({
          group,
          images: garbageImages,
          snapshots: garbageSnapshots,
          decision: 'delete',
          reasons: [reason],
        });
      }
      const images = group.images.filter((i) => !isFailedImageState(i.state));
      const snapshots = group.snapshots.filter((s) => s.state !== 'error');
      const reasons = reasonsByKey.get(group.key) ?? [];
      units.push(
        reasons.length > 0
          ? { group, images, snapshots, decision: 'keep', reasons }
          : { group, images, snapshots, decision: 'delete', reasons: [expiryReason(input.retention)] },
      );
    }
  }
  return units;
}

/**
 * Plans the rotation of one target in one region.
 *
 * @throws InvalidBackupInput on an invalid time zone or `now`.
 * @example
 * const plan = planRetention({ policy: 'nightly', target: 'i-1', region: 'eu-west-1',
 *   runId: 'nightly-2026-11-20', now: '2026-11-20T02:00:00Z', timeZone: 'Europe/Berlin',
 *   retention: { keepLast: 7, gfs: { weekly: 4 } }, maxDeletesPerRun: 20, images, snapshots });
 * plan.delete;  // [{ resource: 'image', id: 'ami-…', reason: 'delete: not among the newest 7, …' }, …]
 * plan.actions; // [{ type: 'deregister-image', imageId: 'ami-…', deleteAssociatedSnapshots: true, … }]
 */
export function planRetention(input: RetentionInput): RetentionPlan {
  assertTimeZone(input.timeZone);
  const nowMs = Date.parse(input.now);
  if (Number.isNaN(nowMs)) throw new InvalidBackupInput(`invalid instant: ${input.now}`);

  const ignored: PlanItem[] = [];
  const managedImages: ImageRecord[] = [];
  const managedSnapshots: SnapshotRecord[] = [];
  const notOurs = `ignored: not tagged as Shipyard's for policy ${input.policy} and target ${input.target}`;
  for (const image of input.images) {
    if (!isManagedBy(image.tags, input.policy, input.target)) {
      ignored.push({ resource: 'image', id: image.imageId, reason: notOurs });
    } else if (image.state === 'deregistered') {
      ignored.push({ resource: 'image', id: image.imageId, reason: 'ignored: already deregistered' });
    } else {
      managedImages.push(image);
    }
  }
  for (const snapshot of input.snapshots) {
    if (isManagedBy(snapshot.tags, input.policy, input.target)) managedSnapshots.push(snapshot);
    else ignored.push({ resource: 'snapshot', id: snapshot.snapshotId, reason: notOurs });
  }

  const groups = groupBackups(managedImages, managedSnapshots);
  const available = groups.filter((g) => g.status === 'available' && !isOrphanSet(g, input));
  const units = unitsOf(groups, input, ruleReasons(available, input.retention, nowMs, input.timeZone));

  // Cap: whole backups, oldest first, while their resources fit.
  const candidates = units
    .filter((u) => u.decision === 'delete')
    .sort((a, b) => a.group.time - b.group.time || compareStrings(a.group.key, b.group.key));
  const selected = new Set<Unit>();
  let budget = input.maxDeletesPerRun;
  let deferredBackups = 0;
  for (const unit of candidates) {
    const cost = unit.images.length + unit.snapshots.length;
    if (cost <= budget) {
      selected.add(unit);
      budget -= cost;
    } else {
      deferredBackups += 1;
      unit.decision = 'keep';
      unit.reasons = [
        `deferred by maxDeletesPerRun (${input.maxDeletesPerRun}); due for deletion: ${unit.reasons.join(', ')}`,
      ];
    }
  }

  // Which snapshots may go: those of selected units not used by any AMI that remains
  // (any AMI in the inventory, Shipyard's or not, that is not deregistered by this plan).
  const deregistered = new Set([...selected].flatMap((u) => u.images.map((i) => i.imageId)));
  const usedBy = new Map<string, string>();
  const imagesById = [...input.images].sort((a, b) => compareStrings(a.imageId, b.imageId));
  for (const image of imagesById) {
    if (image.state === 'deregistered' || deregistered.has(image.imageId)) continue;
    for (const id of image.snapshotIds) if (!usedBy.has(id)) usedBy.set(id, image.imageId);
  }
  const deletableSnapshots = new Set(
    [...selected].flatMap((u) => u.snapshots.map((s) => s.snapshotId)).filter((id) => !usedBy.has(id)),
  );

  const deregisterActions: RetentionAction[] = [];
  const implicit = new Map<string, string>();
  for (const unit of candidates.filter((u) => selected.has(u))) {
    for (const image of unit.images) {
      const associated = [...new Set(image.snapshotIds)];
      const flag = associated.length > 0 && associated.every((id) => deletableSnapshots.has(id));
      if (flag) for (const id of associated) if (!implicit.has(id)) implicit.set(id, image.imageId);
      deregisterActions.push({
        type: 'deregister-image',
        imageId: image.imageId,
        deleteAssociatedSnapshots: flag,
        associatedSnapshotIds: flag ? associated : [],
        reason: unit.reasons.join('; '),
      });
    }
  }
  const snapshotActions: RetentionAction[] = [];
  for (const unit of candidates.filter((u) => selected.has(u))) {
    for (const snapshot of unit.snapshots) {
      if (deletableSnapshots.has(snapshot.snapshotId) && !implicit.has(snapshot.snapshotId)) {
        snapshotActions.push({
          type: 'delete-snapshot',
          snapshotId: snapshot.snapshotId,
          reason: unit.reasons.join('; '),
        });
      }
    }
  }

  const keep: PlanItem[] = [];
  const remove: PlanItem[] = [];
  for (const unit of units) {
    const common = (resource: PlanItem['resource'], id: string, reason: string): PlanItem => {
      const item: PlanItem = { resource, id, backupTime: new Date(unit.group.time).toISOString(), reason };
      if (unit.group.runId !== undefined) item.runId = unit.group.runId;
      return item;
    };
    const reason = unit.reasons.join(', ');
    for (const image of unit.images) {
      if (selected.has(unit)) remove.push(common('image', image.imageId, `delete: ${reason}`));
      else keep.push(common('image', image.imageId, `kept: ${reason}`));
    }
    for (const snapshot of unit.snapshots) {
      const id = snapshot.snapshotId;
      if (!selected.has(unit)) keep.push(common('snapshot', id, `kept: ${reason}`));
      else if (usedBy.has(id))
        keep.push(common('snapshot', id, `kept: used by AMI ${usedBy.get(id)} that remains`));
      else if (implicit.has(id)) {
        remove.push(
          common(
            'snapshot',
            id,
            `delete: with AMI ${implicit.get(id)} (DeleteAssociatedSnapshots); ${reason}`,
          ),
        );
      } else remove.push(common('snapshot', id, `delete: ${reason}`));
    }
  }

  return {
    policy: input.policy,
    target: input.target,
    region: input.region,
    runId: input.runId,
    now: input.now,
    keep,
    delete: remove,
    ignored: ignored.sort((a, b) => compareStrings(a.id, b.id)),
    actions: [...deregisterActions, ...snapshotActions],
    deferredBackups,
  };
}
