/**
 * The inventory of one target in one region, as the rotation handler reads it
 * (`DescribeImages` / `DescribeSnapshots`, owner self, paged), and its grouping into
 * backups: everything one run created for one target is one backup.
 */
import * as z from 'zod';
import { TAG_KEYS } from './tags.ts';

const instant = z.iso.datetime({ offset: true });

export const imageRecordSchema = z
  .object({
    imageId: z.string().min(1),
    name: z.string().optional(),
    state: z.string().min(1),
    /** `CreationDate`. */
    creationDate: instant,
    tags: z.record(z.string(), z.string()),
    /** Snapshot ids of its EBS block device mappings. */
    snapshotIds: z.array(z.string()),
    stateReason: z.string().optional(),
  })
  .strict();

export const snapshotRecordSchema = z
  .object({
    snapshotId: z.string().min(1),
    state: z.string().min(1),
    /** `StartTime`. */
    startTime: instant,
    tags: z.record(z.string(), z.string()),
    stateMessage: z.string().optional(),
    /** `VolumeId`: the volume it was taken of (arbitrary on copies, see ownership.ts). */
    volumeId: z.string().optional(),
  })
  .strict();

export type ImageRecord = z.infer<typeof imageRecordSchema>;
export type SnapshotRecord = z.infer<typeof snapshotRecordSchema>;

/**
 * How a backup stands:
 * - `available`: an `available` AMI, or (no AMI) all its snapshots `completed`;
 * - `in-progress`: an AMI `pending`/`transient` or a snapshot `pending` — never touched;
 * - `failed`: only `failed`/`error`/`invalid` AMIs or an `error` snapshot — garbage;
 * - `unknown`: a state Shipyard does not manage (`disabled`, archived snapshots, …) —
 *   left alone for an operator.
 */
type BackupStatus = 'available' | 'in-progress' | 'failed' | 'unknown';

/** All resources one run created for one target in one region. */
export interface BackupGroup {
  /** `run:<runId>`, or `id:<resource id>` for a managed resource without a run tag. */
  key: string;
  runId?: string;
  /** Backup instant (epoch ms): the `shipyard:created-at` tag, else the earliest API time. */
  time: number;
  status: BackupStatus;
  images: ImageRecord[];
  snapshots: SnapshotRecord[];
}

/** Code-point order (locale-independent, so plans are deterministic everywhere). */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const IMAGE_IN_PROGRESS = new Set(['pending', 'transient']);
const IMAGE_FAILED = new Set(['failed', 'error', 'invalid']);

/** `failed`, `error` and `invalid` AMIs are garbage. */
export const isFailedImageState = (state: string): boolean => IMAGE_FAILED.has(state);

function statusOf(images: readonly ImageRecord[], snapshots: readonly SnapshotRecord[]): BackupStatus {
  if (images.some((i) => IMAGE_IN_PROGRESS.has(i.state)) || snapshots.some((s) => s.state === 'pending')) {
    return 'in-progress';
  }
  const known =
    images.every((i) => i.state === 'available' || IMAGE_FAILED.has(i.state)) &&
    snapshots.every((s) => s.state === 'completed' || s.state === 'error');
  if (!known) return 'unknown';
  if (images.some((i) => i.state === 'available')) return 'available';
  if (images.length > 0) return 'failed';
  return snapshots.some((s) => s.state === 'error') ? 'failed' : 'available';
}

function timeOf(images: readonly ImageRecord[], snapshots: readonly SnapshotRecord[]): number {
  for (const tags of [...images.map((i) => i.tags), ...snapshots.map((s) => s.tags)]) {
    const tagged = tags[TAG_KEYS.createdAt];
    const ms = tagged === undefined ? Number.NaN : Date.parse(tagged);
    if (!Number.isNaN(ms)) return ms;
  }
  const times = [
    ...images.map((i) => Date.parse(i.creationDate)),
    ...snapshots.map((s) => Date.parse(s.startTime)),
  ];
  return Math.min(...times);
}

/**
 * Groups managed resources by their `shipyard:run` tag (deregistered AMIs are dropped:
 * they no longer exist). Sorted newest first, ties by key, so the result does not depend
 * on the (unordered) API listing.
 *
 * @example
 * groupBackups([ami], [snapA, snapB]); // [{ key: 'run:nightly-2026-11-20', status: 'available', … }]
 */
export function groupBackups(
  images: readonly ImageRecord[],
  snapshots: readonly SnapshotRecord[],
): BackupGroup[] {
  const byKey = new Map<string, { runId?: string; images: ImageRecord[]; snapshots: SnapshotRecord[] }>();
  const slot = (tags: Record<string, string>, id: string) => {
    const runId = tags[TAG_KEYS.run];
    const key = runId === undefined ? `id:${id}` : `run:${runId}`;
    let entry = byKey.get(key);
    if (entry === undefined) {
      entry = runId === undefined ? { images: [], snapshots: [] } : { runId, images: [], snapshots: [] };
      byKey.set(key, entry);
    }
    return entry;
  };
  for (const image of images)
    if (image.state !== 'deregistered') slot(image.tags, image.imageId).images.push(image);
  for (const snapshot of snapshots) slot(snapshot.tags, snapshot.snapshotId).snapshots.push(snapshot);
  const groups: BackupGroup[] = [];
  for (const [key, entry] of byKey) {
    entry.images.sort((a, b) => compareStrings(a.imageId, b.imageId));
    entry.snapshots.sort((a, b) => compareStrings(a.snapshotId, b.snapshotId));
    const group: BackupGroup = {
      key,
      time: timeOf(entry.images, entry.snapshots),
      status: statusOf(entry.images, entry.snapshots),
      images: entry.images,
      snapshots: entry.snapshots,
    };
    if (entry.runId !== undefined) group.runId = entry.runId;
    groups.push(group);
  }
  return groups.sort((a, b) => b.time - a.time || compareStrings(a.key, b.key));
}
