/**
 * What the copy queue did during a bench run: ResumeWait's drain reports summed, and every
 * CopyImage call per destination region and 30-minute window by outcome (a started or replayed
 * copy, no slot, throttled). Both feed the `--json` line next to the copy-slot trace.
 */
import type { DrainReport } from '../../shared/backup-service/copy-queue.ts';
import type { BackupDeps } from '../../shared/backup-service/deps.ts';

/** ResumeWait's drain reports summed over a run, with how often each error stopped a drain. */
export interface DrainTally {
  drains: number;
  /** Drains that found the region's lease held (they asked the holder to drain again). */
  leaseHeld: number;
  /** Rounds the lease holders ran. */
  rounds: number;
  started: number;
  dropped: number;
  vanished: number;
  failed: number;
  heartbeats: number;
  refusedBy: Record<string, number>;
}

/** A tally, and `add` for a ResumeWait output (its `queues`: one drain report per region). */
export function drainTally(): { tally: DrainTally; add: (output: unknown) => void } {
  const tally: DrainTally = {
    drains: 0,
    leaseHeld: 0,
    rounds: 0,
    started: 0,
    dropped: 0,
    vanished: 0,
    failed: 0,
    heartbeats: 0,
    refusedBy: {},
  };
  const add = (output: unknown) => {
    const queues = (output as { queues?: Record<string, DrainReport> } | undefined)?.queues ?? {};
    for (const report of Object.values(queues)) {
      tally.drains += 1;
      if (report.rounds === 0) tally.leaseHeld += 1;
      tally.rounds += report.rounds;
      tally.started += report.started;
      tally.dropped += report.dropped;
      tally.vanished += report.vanished;
      tally.failed += report.failed;
      tally.heartbeats += report.heartbeats;
      if (report.refusedBy) tally.refusedBy[report.refusedBy] = (tally.refusedBy[report.refusedBy] ?? 0) + 1;
    }
  };
  return { tally, add };
}

type CopyOutcome = 'ok' | 'limit' | 'throttled' | 'other';
const WINDOW_MS = 30 * 60_000;

const outcomeOf = (error: unknown): CopyOutcome => {
  const name = error instanceof Error ? error.name : '';
  return name === 'Ec2LimitExceeded' ? 'limit' : name === 'Ec2Throttled' ? 'throttled' : 'other';
};

/**
 * Counts CopyImage calls on the simulated clock `now`, from `begin()` on: `decorate` wraps the
 * deps' EC2 ports, `summary` gives per region one line per window.
 */
export function copyCallTally(now: () => number) {
  const byRegion = new Map<string, Map<number, Record<CopyOutcome, number>>>();
  let startedAt = 0;
  const record = (region: string, outcome: CopyOutcome) => {
    const windows = byRegion.get(region) ?? new Map<number, Record<CopyOutcome, number>>();
    byRegion.set(region, windows);
    const window = Math.floor((now() - startedAt) / WINDOW_MS);
    const counts = windows.get(window) ?? { ok: 0, limit: 0, throttled: 0, other: 0 };
    counts[outcome] += 1;
    windows.set(window, counts);
  };
  return {
    begin: () => {
      startedAt = now();
    },
    decorate: (deps: BackupDeps): BackupDeps => ({
      ...deps,
      ec2: (region) => {
        const port = deps.ec2(region);
        return {
          ...port,
          copyImage: async (input) => {
            try {
              const result = await port.copyImage(input);
              record(region, 'ok');
              return result;
            } catch (error) {
              record(region, outcomeOf(error));
              throw error;
            }
          },
        };
      },
    }),
    summary: (): Record<string, string[]> =>
      Object.fromEntries(
        [...byRegion].map(([region, windows]) => [
          region,
          [...windows]
            .sort(([a], [b]) => a - b)
            .map(
              ([w, c]) =>
                `${(w * WINDOW_MS) / 60_000}m ok ${c.ok} limit ${c.limit} throttled ${c.throttled} other ${c.other}`,
            ),
        ]),
      ),
  };
}
