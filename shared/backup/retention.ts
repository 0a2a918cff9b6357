/**
 * The retention planner: given one target's inventory in one region, which backups to
 * keep, which to delete (each with a one-line reason), and the ordered EC2 actions.
 * The plan **is** the dry run: the glue either returns it or executes `actions` in order.
 *
 * Guarantees (property-tested):
 * - only resources provably Shipyard's for this policy and target are ever deleted or
 *   counted as backups: tagged for them, and agreeing with the run record, AMI name, source
 *   volume and creation time (shared/backup/ownership.ts); resources that only carry the
 *   tags are reported in `notOurs` and left alone, so forged or foreign resources never
 *   change what is deleted;
 * - the newest available backup is never deleted, nor the newest verified one (an AMI in
 *   `verifiedImageIds`: it booted in a restore test), nor anything of the current run, nor
 *   anything pending (or in a state rotation does not manage); a run is judged by what is
 *   provably its own: anything of it pending keeps it from counting as the newest, while a
 *   pending resource that only carries its tags holds nothing back (else a forgery could
 *   shift what the cap lets through);
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
import * as z from 'zod';
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
import { sortByOwnership } from './ownership.ts';
import { type RetentionRule, retentionRuleSchema } from './retention-rules.ts';

const retentionInputSchema = z
  .object({
    policy: z.string().min(1),
    target: z.string().min(1),
    region: z.string().min(1),
    /** The current run: nothing it created is deleted. */
    runId: z.string().min(1),
    /** Resource ids the current run created (in case tags are not visible yet). */
    protectedIds: z.array(z.string()).optional(),
    /**
     * Run ids Shipyard recorded durably: a resource of any other run is not ours. Omitted:
     * any run tag counts (and no creation-time window applies), the pre-record behaviour.
     */
    recordedRunIds: z.array(z.string().min(1)).optional(),
    /** The target's volume ids (source region only): a snapshot of any other volume is not ours. */
    sourceVolumeIds: z.array(z.string().min(1)).optional(),
    /**
     * What a backup of this target is: with `image`, snapshots without an AMI are orphans,
     * not backups. Omitted: every completed set counts (the pre-`form` behaviour).
     */
    form: z.enum(['image', 'snapshots-only']).optional(),
    /**
     * AMIs that passed a restore test (Shipyard's verification records): the newest available
     * backup holding one is kept whatever the rules say. Omitted: no backup counts as verified.
     */
    verifiedImageIds: z.array(z.string().min(1)).optional(),
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
  /** Resources tagged for this policy and target that are not provably Shipyard's (never touched). */
  notOurs: PlanItem[];
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
  input: Pick<RetentionInput, 'retention' | 'timeZone' | 'verifiedImageIds'>,
  nowMs: number,
) {
  const { retention: rule, timeZone } = input;
  const reasons = new Map<string, string[]>(available.map((g) => [g.key, []]));
  const add = (group: BackupGroup, reason: string) => reasons.get(group.key)?.push(reason);
  const newestVerified = newestVerifiedBackup(available, input.verifiedImageIds ?? []);
  if (newestVerified !== undefined) add(newestVerified, 'newest verified backup (passed a restore test)');
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

/**
 * The newest available backup with an `available` AMI that passed a restore test. Groups are
 * newest first (groupBackups), so the first match is the newest.
 */
function newestVerifiedBackup(
  available: readonly BackupGroup[],
  verifiedImageIds: readonly string[],
): BackupGroup | undefined {
  const verified = new Set(verifiedImageIds);
  return available.find((g) => g.images.some((i) => i.state === 'available' && verified.has(i.imageId)));
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

/** An available backup is ruled by retention; failed leftovers of the same run are garbage. */
function availableUnits(group: BackupGroup, keepReasons: string[], rule: RetentionRule): Unit[] {
  const units: Unit[] = [];
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
  units.push(
    keepReasons.length > 0
      ? { group, images, snapshots, decision: 'keep', reasons: keepReasons }
      : { group, images, snapshots, decision: 'delete', reasons: [expiryReason(rule)] },
  );
  return units;
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
      units.push(...availableUnits(group, reasonsByKey.get(group.key) ?? [], input.retention));
    }
  }
  return units;
}

/** The cap: whole backups, oldest first, while their resources fit; the rest are deferred (kept). */
function applyCap(units: readonly Unit[], maxDeletesPerRun: number) {
  const candidates = units
    .filter((u) => u.decision === 'delete')
    .sort((a, b) => a.group.time - b.group.time || compareStrings(a.group.key, b.group.key));
  const selected: Unit[] = [];
  let budget = maxDeletesPerRun;
  let deferredBackups = 0;
  for (const unit of candidates) {
    const cost = unit.images.length + unit.snapshots.length;
    if (cost <= budget) {
      selected.push(unit);
      budget -= cost;
    } else {
      deferredBackups += 1;
      unit.decision = 'keep';
      unit.reasons = [
        `deferred by maxDeletesPerRun (${maxDeletesPerRun}); due for deletion: ${unit.reasons.join(', ')}`,
      ];
    }
  }
  return { selected, deferredBackups };
}

/**
 * Which snapshot each remaining AMI uses: any AMI in the inventory, Shipyard's or not, that
 * is not deregistered by this plan keeps its snapshots.
 */
function snapshotsInUse(images: readonly ImageRecord[], selected: readonly Unit[]): Map<string, string> {
  const deregistered = new Set(selected.flatMap((u) => u.images.map((i) => i.imageId)));
  const usedBy = new Map<string, string>();
  for (const image of [...images].sort((a, b) => compareStrings(a.imageId, b.imageId))) {
    if (image.state === 'deregistered' || deregistered.has(image.imageId)) continue;
    for (const id of image.snapshotIds) if (!usedBy.has(id)) usedBy.set(id, image.imageId);
  }
  return usedBy;
}

/** Deregistrations (with DeleteAssociatedSnapshots when all of them go) before snapshot deletions. */
function actionsOf(selected: readonly Unit[], usedBy: ReadonlyMap<string, string>) {
  const deletable = new Set(
    selected.flatMap((u) => u.snapshots.map((s) => s.snapshotId)).filter((id) => !usedBy.has(id)),
  );
  const deregisterActions: RetentionAction[] = [];
  const implicit = new Map<string, string>();
  for (const unit of selected) {
    for (const image of unit.images) {
      const associated = [...new Set(image.snapshotIds)];
      const flag = associated.length > 0 && associated.every((id) => deletable.has(id));
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
  const snapshotActions: RetentionAction[] = selected.flatMap((unit) =>
    unit.snapshots
      .filter((s) => deletable.has(s.snapshotId) && !implicit.has(s.snapshotId))
      .map(
        (s): RetentionAction => ({
          type: 'delete-snapshot',
          snapshotId: s.snapshotId,
          reason: unit.reasons.join('; '),
        }),
      ),
  );
  return { actions: [...deregisterActions, ...snapshotActions], implicit };
}

/** The keep and delete lists, one item per resource with its reason. */
function itemsOf(
  units: readonly Unit[],
  selected: ReadonlySet<Unit>,
  usedBy: ReadonlyMap<string, string>,
  implicit: ReadonlyMap<string, string>,
) {
  const keep: PlanItem[] = [];
  const remove: PlanItem[] = [];
  for (const unit of units) {
    const item = (resource: PlanItem['resource'], id: string, reason: string): PlanItem => {
      const entry: PlanItem = { resource, id, backupTime: new Date(unit.group.time).toISOString(), reason };
      if (unit.group.runId !== undefined) entry.runId = unit.group.runId;
      return entry;
    };
    const reason = unit.reasons.join(', ');
    const chosen = selected.has(unit);
    for (const image of unit.images) {
      if (chosen) remove.push(item('image', image.imageId, `delete: ${reason}`));
      else keep.push(item('image', image.imageId, `kept: ${reason}`));
    }
    for (const { snapshotId: id } of unit.snapshots) {
      const user = usedBy.get(id);
      const withImage = implicit.get(id);
      if (!chosen) keep.push(item('snapshot', id, `kept: ${reason}`));
      else if (user !== undefined) keep.push(item('snapshot', id, `kept: used by AMI ${user} that remains`));
      else if (withImage !== undefined) {
        remove.push(
          item('snapshot', id, `delete: with AMI ${withImage} (DeleteAssociatedSnapshots); ${reason}`),
        );
      } else remove.push(item('snapshot', id, `delete: ${reason}`));
    }
  }
  return { keep, remove };
}

/**
 * Plans the rotation of one target in one region: sorts the inventory by ownership
 * (shared/backup/ownership.ts), groups what is ours into backups, decides each by the
 * rules, applies the cap, and orders the EC2 actions.
 *
 * @throws InvalidBackupInput on an invalid time zone or `now`.
 * @example
 * const plan = planRetention({ policy: 'nightly', target: 'i-1', region: 'eu-west-1',
 *   runId: 'nightly-2026-11-20', now: '2026-11-20T02:00:00Z', timeZone: 'Europe/Berlin',
 *   retention: { keepLast: 7, gfs: { weekly: 4 } }, maxDeletesPerRun: 20, images, snapshots,
 *   recordedRunIds: ['nightly-2026-11-19', …], sourceVolumeIds: ['vol-1'] });
 * plan.delete;  // [{ resource: 'image', id: 'ami-…', reason: 'delete: not among the newest 7, …' }, …]
 * plan.notOurs; // [{ resource: 'image', id: 'ami-forged', reason: 'not ours, left alone: …' }]
 * plan.actions; // [{ type: 'deregister-image', imageId: 'ami-…', deleteAssociatedSnapshots: true, … }]
 */
export function planRetention(input: RetentionInput): RetentionPlan {
  assertTimeZone(input.timeZone);
  const nowMs = Date.parse(input.now);
  if (Number.isNaN(nowMs)) throw new InvalidBackupInput(`invalid instant: ${input.now}`);

  const owned = sortByOwnership(input, {
    policy: input.policy,
    target: input.target,
    runId: input.runId,
    nowMs,
    recordedRunIds: input.recordedRunIds,
    sourceVolumeIds: input.sourceVolumeIds,
    protectedIds: input.protectedIds,
  });
  const groups = groupBackups(owned.images, owned.snapshots);
  const available = groups.filter((g) => g.status === 'available' && !isOrphanSet(g, input));
  const units = unitsOf(groups, input, ruleReasons(available, input, nowMs));
  const { selected, deferredBackups } = applyCap(units, input.maxDeletesPerRun);
  const usedBy = snapshotsInUse(input.images, selected);
  const { actions, implicit } = actionsOf(selected, usedBy);
  const { keep, remove } = itemsOf(units, new Set(selected), usedBy, implicit);
  const byId = (a: PlanItem, b: PlanItem) => compareStrings(a.id, b.id);
  return {
    policy: input.policy,
    target: input.target,
    region: input.region,
    runId: input.runId,
    now: input.now,
    keep,
    delete: remove,
    ignored: owned.ignored.sort(byId),
    notOurs: owned.notOurs.sort(byId),
    actions,
    deferredBackups,
  };
}

/**
 * How many backups (not resources: an AMI and its snapshots are one backup) a list of plan
 * items belongs to.
 *
 * @example
 * countBackups([{ resource: 'image', id: 'ami-1', runId: 'r1', reason: '' },
 *   { resource: 'snapshot', id: 'snap-1', runId: 'r1', reason: '' }]); // 1
 */
export function countBackups(items: readonly PlanItem[]): number {
  return new Set(items.map((i) => (i.runId === undefined ? `id:${i.id}` : `run:${i.runId}`))).size;
}
