/**
 * The makespan no schedule can beat, given the durations and AWS's limits (not limits of our
 * own design — the Distributed Map runs every target at once up to 10,000 children):
 * - chain: a target's snapshots (the slowest volume of its crash-consistent set), then its
 *   registration, then its slowest copy (copies to different regions run in parallel);
 * - copy concurrency: each destination region holds at most `imageCopies` AMI copies in
 *   flight (EC2 User Guide, "How AMI copy works": 300), so its total copy time divided by
 *   that limit, after the earliest AMI exists;
 * - request rate: EC2's token buckets per account, Region and action (EC2 Developer Guide,
 *   "Request throttling for the Amazon EC2 API"): every target makes one CreateSnapshots in
 *   the source Region and one CopyImage in each destination Region; beyond a bucket's burst
 *   they go at its refill rate.
 * Share and rotate (seconds) and Lambda/API latency are left out: the bound stays a bound.
 */
import type { Durations } from '@shipyard/local-cloud';
import { copyDurationMs, snapshotDurationMs } from '@shipyard/local-cloud';

/** A token bucket: burst capacity and refill (tokens per second). */
export interface Bucket {
  bucket: number;
  refillPerSecond: number;
}

/** The documented buckets of the two actions every target needs ("Uncategorized actions"). */
export const CREATE_SNAPSHOTS: Bucket = { bucket: 100, refillPerSecond: 5 };
const COPY_IMAGE: Bucket = { bucket: 100, refillPerSecond: 1 };

export interface LowerBound {
  minutes: number;
  /** Which constraint sets it. */
  bindingConstraint: 'chain' | 'copy concurrency' | 'request rate';
  chainMinutes: number;
  copyConcurrencyMinutes: number;
  requestRateMinutes: number;
}

/** Seconds `calls` requests take at least through `b` (the burst first, then the refill). */
const throughBucket = (calls: number, b: Bucket): number => Math.max(0, calls - b.bucket) / b.refillPerSecond;

export function lowerBound(
  targets: readonly number[][],
  copyRegions: readonly string[],
  source: string,
  d: Durations,
  imageCopies: number,
): LowerBound {
  const untilImage = targets.map(
    (sizes) => Math.max(...sizes.map((s) => snapshotDurationMs(d, s, false))) + d.registerImageMs,
  );
  const copies = targets.map((sizes) => {
    const total = sizes.reduce((a, b) => a + b, 0);
    return copyRegions.map((r) => copyDurationMs(d, total, source, r));
  });
  const chains = untilImage.map((t, i) => t + Math.max(0, ...(copies[i] ?? [])));
  const chain = Math.max(...chains);
  const firstImage = Math.min(...untilImage);
  const copyBound = Math.max(
    ...copyRegions.map(
      (_, r) => firstImage + copies.reduce((sum, c) => sum + (c[r] ?? 0), 0) / Math.max(1, imageCopies),
    ),
  );
  // The last CreateSnapshots can go out only after the source bucket let the others through;
  // the last CopyImage likewise in its Region, and then that copy still takes its time.
  const lastSnapshotStart = throughBucket(targets.length, CREATE_SNAPSHOTS) * 1000;
  const shortestCopy = Math.min(...copies.flat());
  const rateBound = Math.max(
    lastSnapshotStart + Math.min(...chains),
    copyRegions.length === 0
      ? 0
      : firstImage + throughBucket(targets.length, COPY_IMAGE) * 1000 + shortestCopy,
  );
  const minutes = Math.max(chain, copyBound, rateBound) / 60_000;
  const bindingConstraint =
    minutes * 60_000 === chain
      ? 'chain'
      : minutes * 60_000 === copyBound
        ? 'copy concurrency'
        : 'request rate';
  return {
    minutes,
    bindingConstraint,
    chainMinutes: chain / 60_000,
    copyConcurrencyMinutes: copyBound / 60_000,
    requestRateMinutes: rateBound / 60_000,
  };
}
