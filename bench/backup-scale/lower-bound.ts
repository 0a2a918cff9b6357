/**
 * The makespan no schedule can beat, given the durations and the limits:
 * - chain: a target's snapshots (the slowest volume of its crash-consistent set), then its
 *   registration, then its slowest copy (copies to different regions run in parallel);
 * - copy concurrency: each destination region holds at most `imageCopies` AMI copies in
 *   flight, so its total copy time divided by that limit, after the earliest AMI exists;
 * - inline Map: Step Functions runs at most 40 iterations of an inline Map at once, and a
 *   target holds its iteration for its whole chain, so the total chain time divided by 40.
 * Share and rotate (seconds) and Lambda/API latency are left out: the bound stays a bound.
 */
import type { Durations } from '@shipyard/local-cloud';
import { copyDurationMs, snapshotDurationMs } from '@shipyard/local-cloud';

/** Inline Map concurrency ceiling (AWS Step Functions quotas). */
const INLINE_MAP_MAX_CONCURRENCY = 40;

export interface LowerBound {
  minutes: number;
  /** Which constraint sets it. */
  bindingConstraint: 'chain' | 'copy concurrency' | 'inline Map concurrency';
  chainMinutes: number;
  copyConcurrencyMinutes: number;
  mapConcurrencyMinutes: number;
}

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
  const mapBound = chains.reduce((a, b) => a + b, 0) / INLINE_MAP_MAX_CONCURRENCY;
  const minutes = Math.max(chain, copyBound, mapBound) / 60_000;
  const bindingConstraint =
    minutes * 60_000 === chain
      ? 'chain'
      : minutes * 60_000 === copyBound
        ? 'copy concurrency'
        : 'inline Map concurrency';
  return {
    minutes,
    bindingConstraint,
    chainMinutes: chain / 60_000,
    copyConcurrencyMinutes: copyBound / 60_000,
    mapConcurrencyMinutes: mapBound / 60_000,
  };
}
