/**
 * Wait-state loop intervals. The state machine polls with a `Wait` state whose
 * `SecondsPath` is chosen here: from a snapshot's `Progress` ("42%") and the time spent so
 * far we estimate the time left, clamp it, and give up after bounded attempts or elapsed
 * time. Every poll is a billed state transition, so fewer, better-timed polls matter.
 */
import * as z from 'zod';
import { InvalidBackupInput } from './errors.ts';

export const waitPolicySchema = z
  .object({
    /** First interval when nothing better is known. */
    initialSeconds: z.number().int().positive(),
    minSeconds: z.number().int().positive(),
    maxSeconds: z.number().int().positive(),
    /** Growth of the interval per attempt when there is no progress to go by. */
    backoffFactor: z.number().min(1),
    maxAttempts: z.number().int().positive(),
    maxElapsedSeconds: z.number().int().positive(),
  })
  .strict()
  .refine((p) => p.minSeconds <= p.maxSeconds, { message: 'minSeconds must not exceed maxSeconds' });

export type WaitPolicy = z.infer<typeof waitPolicySchema>;

/** Snapshots: minutes for incremental ones, hours for a first full snapshot. */
export const SNAPSHOT_WAIT: WaitPolicy = {
  initialSeconds: 30,
  minSeconds: 15,
  maxSeconds: 600,
  backoffFactor: 2,
  maxAttempts: 200,
  maxElapsedSeconds: 12 * 3600,
};

/**
 * A registered AMI becomes `available` quickly (its snapshots are already complete), but a
 * CreateImage AMI takes its own snapshots: the loop backs off to 10 minutes and gives up only
 * after 12 hours (at 100× the usual durations a target still ends, with ~120 polls at most).
 */
export const IMAGE_WAIT: WaitPolicy = {
  initialSeconds: 15,
  minSeconds: 10,
  maxSeconds: 600,
  backoffFactor: 1.5,
  maxAttempts: 120,
  maxElapsedSeconds: 12 * 3600,
};

/** Cross-region copies copy every backing snapshot: tens of minutes to hours. */
export const COPY_WAIT: WaitPolicy = {
  initialSeconds: 60,
  minSeconds: 30,
  maxSeconds: 600,
  backoffFactor: 1.5,
  maxAttempts: 200,
  maxElapsedSeconds: 12 * 3600,
};

/** Where a wait loop stands. */
export interface WaitClock {
  attempt: number;
  elapsedSeconds: number;
}

export type WaitDecision =
  | { kind: 'wait'; seconds: number; estimatedRemainingSeconds?: number }
  | { kind: 'exhausted'; reason: string };

/**
 * Parses EC2's `Progress` ("42%", "100%", "") into a number 0–100, or `undefined`.
 *
 * @example
 * parseProgress('42%'); // 42
 * parseProgress('');    // undefined
 */
export function parseProgress(progress: string | undefined): number | undefined {
  if (progress === undefined) return undefined;
  const match = /^\s*(\d{1,3}(?:\.\d+)?)\s*%?\s*$/.exec(progress);
  if (match?.[1] === undefined) return undefined;
  const value = Number(match[1]);
  return value >= 0 && value <= 100 ? value : undefined;
}

/**
 * Seconds between two ISO instants (never negative).
 *
 * @example
 * elapsedSecondsBetween('2026-01-01T00:00:00Z', '2026-01-01T00:01:30Z'); // 90
 */
export function elapsedSecondsBetween(startedAt: string, now: string): number {
  const start = Date.parse(startedAt);
  const end = Date.parse(now);
  if (Number.isNaN(start) || Number.isNaN(end)) {
    throw new InvalidBackupInput(`invalid instant: ${Number.isNaN(start) ? startedAt : now}`);
  }
  return Math.max(0, Math.floor((end - start) / 1000));
}

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/**
 * The next `Wait` interval (whole seconds). With a progress between 0 and 100 (exclusive)
 * the remaining time is extrapolated linearly (`elapsed × (100 − p) / p`); at 100% the
 * state flip is imminent (`minSeconds`); without progress, exponential backoff from
 * `initialSeconds`. Always clamped to [minSeconds, maxSeconds] and never past the
 * elapsed-time budget; `exhausted` once attempts or elapsed time are used up.
 *
 * @example
 * nextWait({ attempt: 3, elapsedSeconds: 120 }, SNAPSHOT_WAIT, 40);
 * // { kind: 'wait', seconds: 180, estimatedRemainingSeconds: 180 }
 * nextWait({ attempt: 0, elapsedSeconds: 0 }, IMAGE_WAIT); // { kind: 'wait', seconds: 15 }
 */
export function nextWait(clock: WaitClock, policy: WaitPolicy, progressPercent?: number): WaitDecision {
  if (clock.attempt >= policy.maxAttempts) {
    return {
      kind: 'exhausted',
      reason: `gave up after ${clock.attempt} attempts (max ${policy.maxAttempts})`,
    };
  }
  const budget = policy.maxElapsedSeconds - clock.elapsedSeconds;
  if (budget <= 0) {
    return {
      kind: 'exhausted',
      reason: `gave up after ${clock.elapsedSeconds}s (max ${policy.maxElapsedSeconds}s)`,
    };
  }
  let seconds: number;
  let estimate: number | undefined;
  if (
    progressPercent !== undefined &&
    progressPercent > 0 &&
    progressPercent < 100 &&
    clock.elapsedSeconds > 0
  ) {
    estimate = Math.ceil((clock.elapsedSeconds * (100 - progressPercent)) / progressPercent);
    seconds = estimate;
  } else if (progressPercent !== undefined && progressPercent >= 100) {
    seconds = policy.minSeconds;
  } else {
    seconds = policy.initialSeconds * policy.backoffFactor ** clock.attempt;
  }
  seconds = Math.min(Math.ceil(clamp(seconds, policy.minSeconds, policy.maxSeconds)), Math.ceil(budget));
  return estimate === undefined
    ? { kind: 'wait', seconds }
    : { kind: 'wait', seconds, estimatedRemainingSeconds: estimate };
}

/** A snapshot as `DescribeSnapshots` reports it. */
export interface SnapshotStatus {
  snapshotId: string;
  state: string;
  progress?: string;
  stateMessage?: string;
}

/** Outcome of one poll. */
export type PollDecision =
  | { status: 'ready' }
  | { status: 'failed'; reason: string }
  | { status: 'wait'; waitSeconds: number; progressPercent?: number }
  | { status: 'exhausted'; reason: string };

function fromWait(decision: WaitDecision, progressPercent?: number): PollDecision {
  if (decision.kind === 'exhausted') return { status: 'exhausted', reason: decision.reason };
  return progressPercent === undefined
    ? { status: 'wait', waitSeconds: decision.seconds }
    : { status: 'wait', waitSeconds: decision.seconds, progressPercent };
}

/**
 * Polls a snapshot set (one `CreateSnapshots` call, or a single `CreateSnapshot`): failed
 * if any is `error` (with its `StateMessage`), ready when all are `completed`, otherwise
 * wait, paced by the slowest snapshot's progress.
 *
 * @example
 * evaluateSnapshots([{ snapshotId: 'snap-1', state: 'pending', progress: '50%' }],
 *   { attempt: 1, elapsedSeconds: 60 }); // { status: 'wait', waitSeconds: 60, progressPercent: 50 }
 */
export function evaluateSnapshots(
  snapshots: readonly SnapshotStatus[],
  clock: WaitClock,
  policy: WaitPolicy = SNAPSHOT_WAIT,
): PollDecision {
  if (snapshots.length === 0) throw new InvalidBackupInput('no snapshots to wait for');
  const failed = snapshots.filter((s) => s.state === 'error');
  if (failed.length > 0) {
    const reasons = failed.map((s) => `${s.snapshotId}: ${s.stateMessage ?? 'snapshot failed'}`);
    return { status: 'failed', reason: reasons.join('; ') };
  }
  const unexpected = snapshots.find((s) => s.state !== 'pending' && s.state !== 'completed');
  if (unexpected !== undefined) {
    return { status: 'failed', reason: `${unexpected.snapshotId}: unexpected state ${unexpected.state}` };
  }
  const pending = snapshots.filter((s) => s.state === 'pending');
  if (pending.length === 0) return { status: 'ready' };
  const progresses = pending.map((s) => parseProgress(s.progress));
  const progress = progresses.every((p) => p !== undefined) ? Math.min(...progresses) : undefined;
  return fromWait(nextWait(clock, policy, progress), progress);
}

/** An AMI as `DescribeImages` reports it (`undefined` when not visible yet). */
export interface ImageStatus {
  imageId: string;
  state: string;
  stateReason?: { code?: string; message?: string };
}

/**
 * Polls an AMI (registered or copied): ready when `available`; failed when `failed`,
 * `error`, `invalid`, `deregistered` or `disabled` (with `StateReason`); waits while
 * `pending`/`transient` or not visible yet (eventual consistency). For copies, pass the
 * progress of its destination snapshots if known.
 *
 * @example
 * evaluateImage({ imageId: 'ami-1', state: 'failed', stateReason: { code: 'Client.InvalidKMSKey', message: 'bad key' } },
 *   { attempt: 2, elapsedSeconds: 40 }, COPY_WAIT); // { status: 'failed', reason: 'ami-1: Client.InvalidKMSKey: bad key' }
 */
export function evaluateImage(
  image: ImageStatus | undefined,
  clock: WaitClock,
  policy: WaitPolicy = IMAGE_WAIT,
  progressPercent?: number,
): PollDecision {
  if (image === undefined || image.state === 'pending' || image.state === 'transient') {
    return fromWait(nextWait(clock, policy, progressPercent), progressPercent);
  }
  if (image.state === 'available') return { status: 'ready' };
  const why = [image.stateReason?.code, image.stateReason?.message].filter(
    (s) => s !== undefined && s !== '',
  );
  return {
    status: 'failed',
    reason: `${image.imageId}: ${why.length > 0 ? why.join(': ') : `state ${image.state}`}`,
  };
}
