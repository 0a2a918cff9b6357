import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { emptyTimeline, setFrom, type Timeline, valueAt } from '../../timeline.ts';

/**
 * CloudWatch metric alarms and their state on the simulated clock. The local cloud keeps no
 * metrics: what an alarm's metric says is set through the control API (or the seed) as a
 * state from an instant on — its "actual state". SetAlarmState overrides it only for a while:
 * "Metric alarms returns to their actual state quickly, often within seconds" (SetAlarmState API
 * reference), here after durations.alarmSetStateHoldMs [unconfirmed: "often within seconds"].
 */

type StateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

interface AlarmState {
  value: StateValue;
  reason: string;
  reasonData?: string;
}

export interface AlarmRecord {
  name: string;
  region: string;
  /** PutMetricAlarm's configuration as sent (JSON member names), overwritten by each update. */
  config: Record<string, unknown>;
  configUpdatedAt: number;
  actual: Timeline<AlarmState>;
  /** The last SetAlarmState, holding until `until`. */
  set?: { at: number; until: number; state: AlarmState };
}

interface CloudWatchStore {
  /** region → alarm name → alarm */
  regions: Map<string, Map<string, AlarmRecord>>;
}

const store = (cloud: LocalCloud): CloudWatchStore =>
  cloud.store('cloudwatch', () => ({ regions: new Map() }));

export const alarmsByRegion = (cloud: LocalCloud): ReadonlyMap<string, Map<string, AlarmRecord>> =>
  store(cloud).regions;

export const regionAlarms = (cloud: LocalCloud, region: string): Map<string, AlarmRecord> => {
  const regions = store(cloud).regions;
  let alarms = regions.get(region);
  if (!alarms) {
    alarms = new Map();
    regions.set(region, alarms);
  }
  return alarms;
};

/** "When this operation creates an alarm, the alarm state is immediately set to INSUFFICIENT_DATA" (PutMetricAlarm). */
const INITIAL_STATE: AlarmState = { value: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation' };

/** Creates or overwrites an alarm; "When you update an existing alarm, its state is left unchanged". */
export const putAlarm = (
  cloud: LocalCloud,
  region: string,
  name: string,
  config: Record<string, unknown>,
) => {
  const alarms = regionAlarms(cloud, region);
  const now = cloud.now();
  const existing = alarms.get(name);
  if (existing) {
    existing.config = config;
    existing.configUpdatedAt = now;
    return existing;
  }
  const alarm: AlarmRecord = { name, region, config, configUpdatedAt: now, actual: emptyTimeline() };
  setFrom(alarm.actual, now, INITIAL_STATE);
  alarms.set(name, alarm);
  return alarm;
};

export const findAlarm = (cloud: LocalCloud, region: string, name: string): AlarmRecord => {
  const alarm = regionAlarms(cloud, region).get(name);
  // [unconfirmed wording]
  if (!alarm) throw new AwsError('ResourceNotFound', `Alarm ${name} not found`, 404);
  return alarm;
};

export const setActualState = (alarm: AlarmRecord, at: number, state: AlarmState): void =>
  setFrom(alarm.actual, at, state);

export const setAlarmState = (cloud: LocalCloud, alarm: AlarmRecord, state: AlarmState): void => {
  const now = cloud.now();
  alarm.set = { at: now, until: now + cloud.durations.alarmSetStateHoldMs, state };
};

/** The state DescribeAlarms reports at `now`, with when it was entered. */
export const stateAt = (alarm: AlarmRecord, now: number): AlarmState & { since: number } => {
  const actual = valueAt(alarm.actual, now) ?? { at: alarm.configUpdatedAt, value: INITIAL_STATE };
  const set = alarm.set;
  if (set && set.at <= now && now < set.until && set.at >= actual.at) return { ...set.state, since: set.at };
  const since = set && now >= set.until && set.until > actual.at ? set.until : actual.at;
  return { ...actual.value, since };
};
