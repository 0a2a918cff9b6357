/**
 * The copy queue (rules in shared/backup/copy-queue.ts). CopyImage joins it when EC2 refuses
 * for want of a slot, or when others already wait for one in the region (they go first, and
 * no request is spent learning the region is full); its Task keeps waiting on its token. Each
 * `EC2 AMI State Change` in a region (a copy ended: a slot is free) drains the region's queue,
 * one drain at a time per region (its lease, see drainCopyQueue): it starts the head's copies
 * until EC2 refuses, parks each token under its copy, and
 * heartbeats the entries whose Tasks would otherwise reach their HeartbeatSeconds. A token
 * whose Task no longer waits (its execution stopped) is dropped before anything is started
 * for it, so the queue never starts a copy nobody waits for.
 */

import { COPY_QUEUE, copyQueueKey } from '../backup/copy-queue.ts';
import { BackupError, isTransientBackupError, WaitAttemptsExhausted } from '../backup/errors.ts';
import { isLimitError, pastTargetDeadline, targetDeadline } from '../backup/target-deadline.ts';
import { type CopyStarter, type CopyTask, parkCopy } from './copy-image.ts';
import type { BackupDeps } from './deps.ts';
import { requireWaits } from './event-waits.ts';
import type { QueuedCopy, QueueEntryRef } from './ports/copy-queue.ts';
import { copyTaskSchema } from './state.ts';
import { parseRunTask } from './task-input.ts';

const keyOf = ({ run, target, source }: CopyTask) =>
  copyQueueKey(run.startedAt, source.sizeGiB ?? 0, run.runId, target.id);

/** What CopyImage did with its attempt. */
export type CopyAttempt = { kind: 'started' } | { kind: 'queued'; key: string };

/**
 * CopyImage's attempt with its task token: starts the copy and parks the token under it, or
 * queues it. A refusal other than for a slot (a terminal error, throttling with nobody queued)
 * is thrown, for the step's Retry/Catch.
 */
export async function startOrQueueCopy(
  deps: BackupDeps,
  token: string,
  task: CopyTask,
  start: CopyStarter,
): Promise<CopyAttempt> {
  const { queue } = requireWaits(deps);
  const region = task.copy.region;
  const key = keyOf(task);
  const [head] = await queue.list(region, 1);
  const enqueue = async (): Promise<CopyAttempt> => {
    await queue.put(region, key, { token, input: task, queuedAt: deps.now().toISOString() });
    deps.logger.info('copy queued for a slot', { target: task.target.id, region, key });
    return { kind: 'queued', key };
  };
  const mine = head?.key === key;
  // A head nobody wrote for a whole round is not being served (no copy ended in the region
  // since, or its Task is gone): ask EC2 instead of waiting behind it.
  const served =
    head !== undefined && deps.now().getTime() - head.touchedAt < COPY_QUEUE.heartbeatSeconds * 1000;
  if (head !== undefined && !mine && served) return enqueue();
  let started: Awaited<ReturnType<CopyStarter>>;
  try {
    started = await start(task);
  } catch (error) {
    const slot = error instanceof Error && error.name === 'Ec2LimitExceeded';
    // Throttled with nobody queued: a short Retry; throttled at the head of the queue: stay there.
    if (slot || (mine && isLimitError(error))) return enqueue();
    throw error;
  }
  await parkCopy(deps, token, task, started);
  if (mine) await queue.delete(region, key);
  return { kind: 'started' };
}

/** What one drain did. */
export interface DrainReport {
  started: number;
  /** Entries whose Task no longer waited: removed, nothing started. */
  dropped: number;
  /** Listed entries gone when read (started or dropped by another drain since the listing). */
  vanished: number;
  /** Entries failed through their token (past the deadline, a terminal error). */
  failed: number;
  heartbeats: number;
  /** Whether this drain read the whole queue for its heartbeats. */
  swept: boolean;
  /** Rounds under the region's lease: 0 when another drain held it (that one drains). */
  rounds: number;
  /** The error that stopped the starts (EC2's slot limit or throttling), if one did. */
  refusedBy?: string;
}

type Ended = 'started' | 'dropped' | 'vanished' | 'failed' | { refusedBy: string };

/** Fails an entry's Task with `error` (named) and removes the entry. */
async function failEntry(
  deps: BackupDeps,
  region: string,
  key: string,
  entry: QueuedCopy,
  error: BackupError,
) {
  const { queue, callbacks } = requireWaits(deps);
  await callbacks.fail(entry.token, error.name, error.message);
  await queue.delete(region, key);
}

/** Reads an entry's task as the CopyImage step would (the deployed policy decides), or fails it. */
async function entryTask(deps: BackupDeps, region: string, key: string, entry: QueuedCopy) {
  try {
    return parseRunTask('copy-image', copyTaskSchema, entry.input, deps.policies);
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    await failEntry(deps, region, key, entry, error);
    return undefined;
  }
}

/** Tries to start the copy of one entry. `refusedBy`: EC2 has no slot (or no request) to give now. */
async function startEntry(
  deps: BackupDeps,
  region: string,
  ref: QueueEntryRef,
  start: CopyStarter,
): Promise<Ended> {
  const { queue, callbacks } = requireWaits(deps);
  const entry = await queue.get(region, ref.key);
  if (entry === undefined) return 'vanished';
  if ((await callbacks.heartbeat(entry.token)) === 'gone') {
    await queue.delete(region, ref.key);
    return 'dropped';
  }
  const task = await entryTask(deps, region, ref.key, entry);
  if (task === undefined) return 'failed';
  let started: Awaited<ReturnType<CopyStarter>>;
  try {
    started = await start(task);
  } catch (error) {
    if (isLimitError(error) || isTransientBackupError(error)) {
      // Still first in line and alive: its write says the queue is served.
      if (deps.now().getTime() - ref.touchedAt >= COPY_QUEUE.refreshSeconds * 1000)
        await queue.put(region, ref.key, entry);
      return { refusedBy: (error as Error).name };
    }
    if (!(error instanceof BackupError)) throw error;
    await failEntry(deps, region, ref.key, entry, error);
    return 'failed';
  }
  await parkCopy(deps, entry.token, task, started);
  await queue.delete(region, ref.key);
  return 'started';
}

/** Heartbeats one entry (or fails it past its target's deadline) and rewrites it: its new LastModified. */
async function refreshEntry(deps: BackupDeps, region: string, key: string): Promise<boolean> {
  const { queue, callbacks } = requireWaits(deps);
  const entry = await queue.get(region, key);
  if (entry === undefined) return false;
  const task = await entryTask(deps, region, key, entry);
  if (task === undefined) return false;
  const hours = task.run.policy.targetDeadlineHours;
  if (pastTargetDeadline(task.run.startedAt, hours, deps.now())) {
    const deadline = targetDeadline(task.run.startedAt, hours);
    const error = new WaitAttemptsExhausted(
      `${region}: no copy slot before the target's deadline ${deadline} (targetDeadlineHours ${hours} after the run started)`,
    );
    await failEntry(deps, region, key, entry, error);
    return false;
  }
  if ((await callbacks.heartbeat(entry.token)) === 'gone') {
    await queue.delete(region, key);
    return false;
  }
  await queue.put(region, key, entry);
  return true;
}

/** The region's drain lease while held: renewed as the drain goes, so a slow drain keeps it. */
interface HeldLease {
  /** Renews the lease when it is a quarter of its staleness old; false when it was taken over. */
  keep(): Promise<boolean>;
}

/** Starts from the head until EC2 refuses, the queue is empty, the budget is spent or the lease is lost. */
async function startHeads(
  deps: BackupDeps,
  region: string,
  start: CopyStarter,
  report: DrainReport,
  lease: HeldLease,
): Promise<Set<string>> {
  const { queue } = requireWaits(deps);
  const handled = new Set<string>();
  for (;;) {
    const heads = (await queue.list(region, COPY_QUEUE.listedPerStart + handled.size)).filter(
      (ref) => !handled.has(ref.key),
    );
    if (heads.length === 0) return handled;
    for (const ref of heads) {
      if (report.started >= COPY_QUEUE.startsPerDrain || !(await lease.keep())) return handled;
      handled.add(ref.key);
      const ended = await startEntry(deps, region, ref, start);
      if (typeof ended === 'object') {
        report.refusedBy = ended.refusedBy;
        return handled;
      }
      report[ended] += 1;
    }
  }
}

/** Heartbeats the entries due one (at most once per `sweepSeconds`: a short listing otherwise). */
async function sweep(
  deps: BackupDeps,
  region: string,
  report: DrainReport,
  handled: Set<string>,
  lease: HeldLease,
) {
  const { queue } = requireWaits(deps);
  if (!(await queue.claimSweep(region, deps.now(), COPY_QUEUE.sweepSeconds * 1000))) return;
  report.swept = true;
  const now = deps.now().getTime();
  const stale = (await queue.list(region, COPY_QUEUE.listedPerSweep))
    .filter((r) => !handled.has(r.key) && now - r.touchedAt >= COPY_QUEUE.refreshSeconds * 1000)
    .sort((a, b) => a.touchedAt - b.touchedAt)
    .slice(0, COPY_QUEUE.heartbeatsPerSweep);
  for (let i = 0; i < stale.length && (await lease.keep()); i += COPY_QUEUE.heartbeatConcurrency) {
    const batch = stale.slice(i, i + COPY_QUEUE.heartbeatConcurrency);
    const refreshed = await Promise.all(batch.map((ref) => refreshEntry(deps, region, ref.key)));
    report.heartbeats += refreshed.filter(Boolean).length;
  }
}

/**
 * Drains `region`'s queue after a copy there ended (see the module comment). One drain at a
 * time per region, the holder of its lease: copies ending together would otherwise start the
 * same head copies and leave the slots they freed empty. A drain that finds the lease held asks
 * for a drain and leaves; the holder, once it has let go, drains again when one was asked for
 * during its round, so no freed slot waits for the next event.
 */
export async function drainCopyQueue(
  deps: BackupDeps,
  region: string,
  start: CopyStarter,
): Promise<DrainReport> {
  const { queue } = requireWaits(deps);
  const report: DrainReport = {
    started: 0,
    dropped: 0,
    vanished: 0,
    failed: 0,
    heartbeats: 0,
    swept: false,
    rounds: 0,
  };
  // Nothing queued (most copies never wait): one listing, no lease.
  if ((await queue.list(region, 1)).length === 0) return report;
  const staleMs = COPY_QUEUE.drainLeaseSeconds * 1000;
  const take = () => queue.takeDrainLease(region, deps.now(), staleMs);
  // Asked for before the lease is tried: a holder looks for a request after its release, so
  // either this drain takes the lease or the holder sees the request (its own is cleared as its
  // round begins).
  await queue.requestDrain(region);
  let handle = await take();
  if (handle === undefined) return report;
  let renewedAt = deps.now().getTime();
  const lease: HeldLease = {
    async keep() {
      if (handle === undefined) return false;
      if (deps.now().getTime() - renewedAt < staleMs / 4) return true;
      handle = await queue.renewDrainLease(region, handle);
      renewedAt = deps.now().getTime();
      return handle !== undefined;
    },
  };
  for (;;) {
    report.rounds += 1;
    try {
      // Asked for before this point: served by this round, which reads the queue after it.
      await queue.clearDrainRequest(region);
      delete report.refusedBy;
      const handled = await startHeads(deps, region, start, report, lease);
      await sweep(deps, region, report, handled, lease);
    } finally {
      if (handle !== undefined) await queue.releaseDrainLease(region, handle);
    }
    if (report.rounds >= COPY_QUEUE.drainRounds || report.started >= COPY_QUEUE.startsPerDrain) break;
    if (handle === undefined || !(await queue.drainRequested(region))) break;
    handle = await take();
    if (handle === undefined) break;
    renewedAt = deps.now().getTime();
  }
  return report;
}
