/**
 * What a perfect online scheduler reaches with the same durations and AWS limits: not a bound
 * (lower-bound.ts is), a reference for how far the bound is from any schedule that only knows
 * the copies ready so far. Every target's CreateSnapshots goes out as the source Region's
 * bucket allows (in target order), its AMI is ready after its slowest snapshot and the
 * registration, and each destination Region starts a ready copy the instant a slot frees,
 * the longest ready copy first (longest-processing-time order), with no latency at all.
 */
import type { Durations } from '@shipyard/local-cloud';
import { copyDurationMs, snapshotDurationMs } from '@shipyard/local-cloud';
import { CREATE_SNAPSHOTS } from './lower-bound.ts';

/** The makespan of list scheduling on `slots` with release times, the longest ready job first. */
function listSchedule(ready: readonly number[], durations: readonly number[], slots: number): number {
  const order = ready.map((_, i) => i).sort((a, b) => (ready[a] ?? 0) - (ready[b] ?? 0));
  const free = Array.from({ length: slots }, () => 0);
  const waiting: number[] = [];
  let next = 0;
  let end = 0;
  for (let placed = 0; placed < order.length; placed += 1) {
    const slot = free.indexOf(Math.min(...free));
    let at = free[slot] ?? 0;
    if (waiting.length === 0) at = Math.max(at, ready[order[next] ?? 0] ?? 0);
    while (next < order.length && (ready[order[next] ?? 0] ?? 0) <= at) waiting.push(order[next++] ?? 0);
    let longest = 0;
    for (let w = 1; w < waiting.length; w += 1)
      if ((durations[waiting[w] ?? 0] ?? 0) > (durations[waiting[longest] ?? 0] ?? 0)) longest = w;
    const [job = 0] = waiting.splice(longest, 1);
    free[slot] = at + (durations[job] ?? 0);
    end = Math.max(end, free[slot] ?? 0);
  }
  return end;
}

/** Minutes from the first CreateSnapshots to the last copy's end under that scheduler. */
export function onlineLptMinutes(
  targets: readonly number[][],
  copyRegions: readonly string[],
  source: string,
  d: Durations,
  imageCopies: number,
): number {
  const ready = targets.map(
    (sizes, i) =>
      (Math.max(0, i + 1 - CREATE_SNAPSHOTS.bucket) / CREATE_SNAPSHOTS.refillPerSecond) * 1000 +
      Math.max(...sizes.map((s) => snapshotDurationMs(d, s, false))) +
      d.registerImageMs,
  );
  const totals = targets.map((sizes) => sizes.reduce((a, b) => a + b, 0));
  const ends = copyRegions.map((region) =>
    listSchedule(
      ready,
      totals.map((gib) => copyDurationMs(d, gib, source, region)),
      imageCopies,
    ),
  );
  return Math.max(...ends) / 60_000;
}
