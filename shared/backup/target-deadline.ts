/**
 * AWS limits are waits, never failures: a target that meets `ResourceLimitExceeded` (300
 * concurrent AMI copies per destination region), `ConcurrentSnapshotLimitExceeded` or
 * throttling keeps retrying (Retry with backoff and full jitter in the ASL) until its
 * deadline — the run's instant plus the policy's `targetDeadlineHours` — and only then fails,
 * named. The deadline is what bounds the wait; the Retry's MaxAttempts is a backstop.
 */
import { InvalidBackupInput } from './errors.ts';

/** Error names that mean "AWS says not now" (the limit and throttling families). */
const LIMIT_ERROR_NAMES = ['Ec2LimitExceeded', 'Ec2Throttled'] as const;

/**
 * The instant a target stops waiting out limits.
 *
 * @example
 * targetDeadline('2026-02-01T00:30:00.000Z', 20); // '2026-02-01T20:30:00.000Z'
 */
export function targetDeadline(runStartedAt: string, deadlineHours: number): string {
  const start = Date.parse(runStartedAt);
  if (Number.isNaN(start)) throw new InvalidBackupInput(`invalid run start instant: ${runStartedAt}`);
  return new Date(start + deadlineHours * 3_600_000).toISOString();
}

/**
 * True when `now` is at or past the target's deadline.
 *
 * @example
 * pastTargetDeadline('2026-02-01T00:30:00.000Z', 1, new Date('2026-02-01T01:30:00.000Z')); // true
 */
export function pastTargetDeadline(runStartedAt: string, deadlineHours: number, now: Date): boolean {
  return now.getTime() >= Date.parse(targetDeadline(runStartedAt, deadlineHours));
}

/** True for an error of the limit or throttling family. */
export const isLimitError = (error: unknown): error is Error =>
  error instanceof Error && (LIMIT_ERROR_NAMES as readonly string[]).includes(error.name);
