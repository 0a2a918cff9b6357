import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import type { ScheduleExpression } from './expressions.ts';

interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
}

export interface ScheduleRecord {
  arn: string;
  name: string;
  group: string;
  region: string;
  expressionText: string;
  expression: ScheduleExpression;
  timeZone: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  startDate?: number;
  endDate?: number;
  target: ScheduleTarget;
  flexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  actionAfterCompletion: 'NONE' | 'DELETE';
  creationDate: number;
  lastModificationDate: number;
  /** Occurrences up to this simulated instant have been considered. */
  evaluatedUntil: number;
}

/** One delivery to a target: what started, or why nothing could. */
export interface Firing {
  schedule: string;
  group: string;
  region: string;
  scheduledTime: string;
  target: string;
  executionArn?: string;
  requestId?: string;
  error?: string;
}

export interface SchedulerStore {
  schedules: Map<string, ScheduleRecord>;
  firings: Firing[];
}

export const schedulerStore = (cloud: LocalCloud): SchedulerStore =>
  cloud.store('scheduler', () => ({ schedules: new Map(), firings: [] }));

export const scheduleKey = (region: string, group: string, name: string) => `${region}/${group}/${name}`;

export const scheduleArn = (cloud: LocalCloud, region: string, group: string, name: string) =>
  `arn:aws:scheduler:${region}:${cloud.accountId}:schedule/${group}/${name}`;

export const scheduleNotFound = (name: string) =>
  new AwsError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);

export const findSchedule = (
  cloud: LocalCloud,
  region: string,
  group: string,
  name: string,
): ScheduleRecord => {
  const schedule = schedulerStore(cloud).schedules.get(scheduleKey(region, group, name));
  if (!schedule) throw scheduleNotFound(name);
  return schedule;
};
