import { fireTimes, localInstant, parseSchedulerCron, type SchedulerCron } from '@shipyard/aws-cron';
import { IANAZone } from 'luxon';

/** Scheduler's expressions: cron (the product's own parser, shared with config validation), rate and at. */
export type ScheduleExpression =
  | { kind: 'cron'; spec: SchedulerCron }
  | { kind: 'rate'; periodMs: number }
  | {
      kind: 'at';
      local: { year: number; month: number; day: number; hour: number; minute: number; second: number };
    };

export class ScheduleExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleExpressionError';
  }
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export const parseScheduleExpression = (text: string): ScheduleExpression => {
  const cron = /^cron\((.*)\)$/.exec(text);
  if (cron) {
    const parsed = parseSchedulerCron(cron[1] ?? '');
    if (!parsed.ok)
      throw new ScheduleExpressionError(`Invalid Schedule Expression ${text}: ${parsed.problems.join('; ')}`);
    return { kind: 'cron', spec: parsed.cron };
  }
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(text);
  if (rate) {
    const n = Number(rate[1]);
    const unit = (rate[2] ?? '').replace(/s$/, '');
    if (n < 1) throw new ScheduleExpressionError(`Invalid Schedule Expression ${text}.`);
    return { kind: 'rate', periodMs: n * (UNIT_MS[unit] ?? 0) };
  }
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(text);
  if (at) {
    const [, year, month, day, hour, minute, second] = at.map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return { kind: 'at', local: { year, month, day, hour, minute, second } };
  }
  throw new ScheduleExpressionError(`Invalid Schedule Expression ${text}.`);
};

export const isValidTimeZone = (zone: string): boolean => IANAZone.isValidZone(zone);

/** Stops runaway catch-ups (a rate(1 minute) schedule after an advance of a year). */
const MAX_OCCURRENCES_PER_TICK = 10_000;

/** Occurrences in (from, to], oldest first. `anchor` is where a rate schedule starts counting. */
export const occurrencesBetween = (
  expression: ScheduleExpression,
  zone: string,
  from: number,
  to: number,
  anchor: number,
): number[] => {
  const out: number[] = [];
  if (to <= from) return out;
  if (expression.kind === 'at') {
    const at = localInstant(zone, expression.local);
    return at !== undefined && at > from && at <= to ? [at] : [];
  }
  if (expression.kind === 'rate') {
    const first = Math.max(0, Math.floor((from - anchor) / expression.periodMs) + 1);
    for (let k = first; out.length < MAX_OCCURRENCES_PER_TICK; k++) {
      const at = anchor + k * expression.periodMs;
      if (at > to) break;
      if (at > from) out.push(at);
    }
    return out;
  }
  return fireTimes(expression.spec, zone, from, { max: MAX_OCCURRENCES_PER_TICK, until: to });
};
