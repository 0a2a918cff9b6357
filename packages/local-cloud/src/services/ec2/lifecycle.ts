import type { Durations } from '../../durations.ts';
import type { ImageRecord, SnapshotRecord, VolumeRecord } from './records.ts';
import type { RegionState } from './store.ts';

/**
 * Asynchronous states are derived from the simulated clock on every read, never stored or
 * advanced by timers: advancing the clock is all it takes to move resources forward.
 */

/** StateReason code of an image whose backing snapshot failed [unconfirmed wording]. */
const SNAPSHOT_FAILED_REASON = 'Client.SnapshotFailed';
/** StateReason code of an image whose registration failed [unconfirmed wording]. */
export const REGISTER_FAILED_REASON = 'Server.InternalError';
/** StateReason code of a copy that failed on an unknown KMS key [unconfirmed wording]. */
export const KMS_FAILED_REASON = 'Client.InvalidKMSKey.InvalidState';
/** StateReason code of a copy that failed for another reason [unconfirmed wording]. */
export const COPY_FAILED_REASON = 'Server.InternalError';

type SnapshotState = 'pending' | 'completed' | 'error';
type ImageState = 'pending' | 'available' | 'failed';

export interface SnapshotView {
  state: SnapshotState;
  progress: string;
  message?: string;
  completedAt?: number;
}

const percent = (s: SnapshotRecord, at: number): number =>
  s.durationMs <= 0 ? 100 : Math.min(99, Math.max(0, Math.floor(((at - s.startTime) * 100) / s.durationMs)));

const snapshotFailure = (s: SnapshotRecord) => s.group?.failure ?? s.failure;

export const snapshotView = (s: SnapshotRecord, now: number): SnapshotView => {
  const failure = snapshotFailure(s);
  if (failure && now >= failure.at)
    return { state: 'error', progress: `${percent(s, failure.at)}%`, message: failure.message };
  const end = s.startTime + s.durationMs;
  if (now >= end && !failure) return { state: 'completed', progress: '100%', completedAt: end };
  return { state: 'pending', progress: `${percent(s, now)}%` };
};

export interface ImageView {
  state: ImageState;
  reason?: { code: string; message: string };
}

export const imageView = (image: ImageRecord, region: RegionState, now: number): ImageView => {
  if (image.failure && now >= image.failure.at)
    return { state: 'failed', reason: { code: image.failure.code, message: image.failure.message } };
  let base = image.createdAt;
  let pending = false;
  for (const device of image.blockDevices) {
    if (!device.snapshotId) continue;
    const snapshot = region.snapshots.get(device.snapshotId);
    if (!snapshot) continue;
    const view = snapshotView(snapshot, now);
    if (view.state === 'error')
      return {
        state: 'failed',
        reason: {
          code: SNAPSHOT_FAILED_REASON,
          message: `Snapshot ${snapshot.id} failed: ${view.message ?? 'unknown error'}`,
        },
      };
    if (view.state === 'pending') pending = true;
    else base = Math.max(base, view.completedAt ?? base);
  }
  if (pending || image.failure) return { state: 'pending' };
  return { state: now >= base + image.settleMs ? 'available' : 'pending' };
};

export const volumeState = (v: VolumeRecord, now: number): string => {
  if (now < v.readyAt) return 'creating';
  return v.attachment ? 'in-use' : 'available';
};

/** Full first snapshot by size, incremental ones a fraction of that, never below the minimum. */
export const snapshotDurationMs = (d: Durations, sizeGiB: number, incremental: boolean): number =>
  Math.max(
    d.snapshotMinMs,
    Math.round(sizeGiB * d.snapshotMsPerGiB * (incremental ? d.incrementalFactor : 1)),
  );

/** Copy time for `totalGiB` from `source` to `destination`, scaled per region pair. */
export const copyDurationMs = (d: Durations, totalGiB: number, source: string, destination: string): number =>
  Math.max(
    d.copyMinMs,
    Math.round(totalGiB * d.copyMsPerGiB * (d.copyRegionFactor[`${source}>${destination}`] ?? 1)),
  );
