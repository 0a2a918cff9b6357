import { randomUUID } from 'node:crypto';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { invokeAsync } from '../lambda/invoke.ts';
import { findFunction } from '../lambda/store.ts';
import { startExecution } from '../stepfunctions/executions.ts';
import { findStateMachine } from '../stepfunctions/store.ts';
import { occurrencesBetween } from './expressions.ts';
import { type Firing, type ScheduleRecord, scheduleKey, schedulerStore } from './store.ts';

const STATE_MACHINE = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;
const LAMBDA = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[^:]+(:[^:]+)?$/;

/**
 * The context attributes Scheduler substitutes in a target's Input (EventBridge Scheduler
 * user guide, "Adding context attributes"): the scheduled time in ISO 8601 without
 * milliseconds, the schedule ARN, an execution id and the attempt number.
 */
const withContextAttributes = (input: string, schedule: ScheduleRecord, scheduledTime: number): string =>
  input
    .replaceAll(
      '<aws.scheduler.scheduled-time>',
      new Date(scheduledTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    )
    .replaceAll('<aws.scheduler.schedule-arn>', schedule.arn)
    .replaceAll('<aws.scheduler.execution-id>', randomUUID())
    .replaceAll('<aws.scheduler.attempt-number>', '1');

/**
 * Delivers one occurrence: a state machine target gets StartExecution with the target
 * Input, a Lambda target an asynchronous invocation (as the Scheduler does). Any other
 * target is recorded as undeliverable, never called.
 */
const deliver = (cloud: LocalCloud, schedule: ScheduleRecord, scheduledTime: number): Firing => {
  const firing: Firing = {
    schedule: schedule.name,
    group: schedule.group,
    region: schedule.region,
    scheduledTime: new Date(scheduledTime).toISOString(),
    target: schedule.target.Arn,
  };
  const input = withContextAttributes(schedule.target.Input ?? '{}', schedule, scheduledTime);
  try {
    if (STATE_MACHINE.test(schedule.target.Arn)) {
      const machine = findStateMachine(cloud, schedule.target.Arn);
      firing.executionArn = startExecution(cloud, machine, { input }).arn;
    } else if (LAMBDA.test(schedule.target.Arn)) {
      const fn = findFunction(cloud, schedule.region, schedule.target.Arn);
      firing.requestId = invokeAsync(cloud, fn, JSON.parse(input));
    } else {
      firing.error = `Unsupported target for the local cloud: ${schedule.target.Arn}`;
    }
  } catch (error) {
    if (!(error instanceof AwsError) && !(error instanceof SyntaxError)) throw error;
    firing.error =
      error instanceof AwsError ? `${error.code}: ${error.message}` : `Input is not JSON: ${error.message}`;
  }
  schedulerStore(cloud).firings.push(firing);
  cloud.counters.add('scheduler.invocations');
  return firing;
};

const finishIfDone = (cloud: LocalCloud, schedule: ScheduleRecord, now: number): void => {
  const done =
    schedule.expression.kind === 'at' || (schedule.endDate !== undefined && now >= schedule.endDate);
  if (done && schedule.actionAfterCompletion === 'DELETE')
    schedulerStore(cloud).schedules.delete(scheduleKey(schedule.region, schedule.group, schedule.name));
};

/**
 * Fires every occurrence that came due on the simulated clock since the last tick, in
 * time order, honouring each schedule's time zone, StartDate, EndDate and state. A
 * disabled schedule's occurrences pass without delivery (re-enabling does not back-fill).
 */
export const fireDueSchedules = (cloud: LocalCloud): Firing[] => {
  const now = cloud.now();
  const due: { schedule: ScheduleRecord; at: number }[] = [];
  for (const schedule of schedulerStore(cloud).schedules.values()) {
    const from = schedule.evaluatedUntil;
    schedule.evaluatedUntil = now;
    if (schedule.state !== 'ENABLED') continue;
    const anchor = schedule.startDate ?? schedule.creationDate;
    for (const at of occurrencesBetween(schedule.expression, schedule.timeZone, from, now, anchor)) {
      if (schedule.startDate !== undefined && at < schedule.startDate) continue;
      if (schedule.endDate !== undefined && at > schedule.endDate) continue;
      due.push({ schedule, at });
    }
  }
  due.sort((a, b) => a.at - b.at);
  const firings = due.map(({ schedule, at }) => deliver(cloud, schedule, at));
  for (const { schedule } of due) finishIfDone(cloud, schedule, now);
  return firings;
};

/** Fires one schedule now, whatever its expression says (the on-demand rehearsal). */
export const fireSchedule = (cloud: LocalCloud, schedule: ScheduleRecord): Firing =>
  deliver(cloud, schedule, cloud.now());
