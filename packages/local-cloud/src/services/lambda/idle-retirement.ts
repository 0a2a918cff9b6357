import type { WorkerPool } from './worker-pool.ts';

/**
 * A function none of whose environments ran in the cloud's last this-many invocations has
 * its environments retired (its thread ends; its next invocation is a cold start). Lambda
 * retires idle environments too, at a time it does not document; here idleness is counted
 * in invocations, not time, so it never depends on the machine's speed or the simulated
 * clock's jumps, and a function used every night of a rehearsal (~70 invocations a night)
 * stays warm. What it frees: a function used once, e.g. the rehearsal's release
 * functions, holds ~10 MB per environment plus ~9 MB for its thread until the run ends.
 */
export const RETIRE_AFTER_INVOCATIONS = 200;

/**
 * Retires every function idle for more than RETIRE_AFTER_INVOCATIONS of the cloud's
 * invocations (`invocations` is its count now). One with an invocation running is never
 * retired. Returns how many environments ended.
 */
export const retireIdleFunctions = (pools: Iterable<WorkerPool>, invocations: number): number => {
  let retired = 0;
  for (const pool of pools) {
    if (pool.busy || pool.environments === 0) continue;
    if (invocations - pool.lastUsed <= RETIRE_AFTER_INVOCATIONS) continue;
    retired += pool.environments;
    pool.close();
  }
  return retired;
};
