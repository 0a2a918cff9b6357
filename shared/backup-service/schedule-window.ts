/**
 * How far a schedule's `scheduledTime` may be from the service clock when backupStart runs.
 * It only names the execution (`<policy>-<local date>`), so a caller cannot pick an old or a
 * future date to mint run ids: Scheduler delivers an invocation at most
 * MaximumEventAgeInSeconds after the scheduled time (its RetryPolicy,
 * serverless/backup-resources.cjs), and never before it.
 */
import { InvalidBackupInput } from '../backup/errors.ts';

/** The schedules' RetryPolicy.MaximumEventAgeInSeconds (serverless/backup-resources.cjs keeps the same value). */
const SCHEDULE_MAX_EVENT_AGE_SECONDS = 3600;
/** Delivery and cold-start latency on top of the event age [unconfirmed: no AWS figure; a margin]. */
const SCHEDULE_PAST_SLACK_SECONDS = 600;
/** Clock skew between Scheduler and Lambda we accept [unconfirmed: no AWS figure; a margin]. */
const SCHEDULE_FUTURE_SLACK_SECONDS = 300;

/**
 * @throws InvalidBackupInput when `scheduledTime` is further in the past than a scheduled
 * delivery can be, or in the future.
 */
export function checkScheduledTime(step: string, scheduledTime: string, now: Date): void {
  const ageSeconds = (now.getTime() - Date.parse(scheduledTime)) / 1000;
  const maxAge = SCHEDULE_MAX_EVENT_AGE_SECONDS + SCHEDULE_PAST_SLACK_SECONDS;
  if (ageSeconds > maxAge)
    throw new InvalidBackupInput(
      `${step}: invalid input: scheduledTime: ${scheduledTime} is ${Math.round(ageSeconds)} s before the service clock (${now.toISOString()}); a schedule delivers within ${maxAge} s`,
    );
  if (-ageSeconds > SCHEDULE_FUTURE_SLACK_SECONDS)
    throw new InvalidBackupInput(
      `${step}: invalid input: scheduledTime: ${scheduledTime} is ${Math.round(-ageSeconds)} s after the service clock (${now.toISOString()}); a schedule never fires early`,
    );
}
