import { DateTime, IANAZone } from 'luxon';
import { type CronSpec, CronSyntaxError, parseCron } from './cron.ts';

export type ScheduleExpression =
  | { kind: 'cron'; spec: CronSpec }
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
    try {
      return { kind: 'cron', spec: parseCron(cron[1] ?? '') };
    } catch (error) {
      if (error instanceof CronSyntaxError)
        throw new ScheduleExpressionError(`Invalid Schedule Expression ${text}: ${error.message}`);
      throw error;
    }
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

/**
 * The instant a local wall-clock time designates in `zone`, or undefined when that time
 * does not exist (skipped by a daylight-saving change: EventBridge Scheduler skips the
 * invocation). A repeated time (clocks going back) designates its first instant, so it
 * runs once.
 */
const instantOf = (
  zone: string,
  local: { year: number; month: number; day: number; hour: number; minute: number; second?: number },
): number | undefined => {
  const candidate = DateTime.fromObject(local, { zone });
  const same = (d: DateTime) => d.day === local.day && d.hour === local.hour && d.minute === local.minute;
  if (!candidate.isValid || !same(candidate)) return undefined;
  const earlier = candidate.minus({ hours: 1 });
  return same(earlier) ? earlier.toMillis() : candidate.toMillis();
};

/** Stops runaway catch-ups (a rate(1 minute) schedule after an advance of a year). */
export const MAX_OCCURRENCES_PER_TICK = 10_000;

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
    const at = instantOf(zone, expression.local);
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
  const { spec } = expression;
  let day = DateTime.fromMillis(from, { zone }).startOf('day');
  const lastDay = DateTime.fromMillis(to, { zone }).startOf('day');
  while (day <= lastDay && out.length < MAX_OCCURRENCES_PER_TICK) {
    if (spec.months.has(day.month) && (spec.years === 'any' || spec.years.has(day.year)) && spec.day(day)) {
      for (const hour of spec.hours)
        for (const minute of spec.minutes) {
          const at = instantOf(zone, { year: day.year, month: day.month, day: day.day, hour, minute });
          if (at !== undefined && at > from && at <= to) out.push(at);
        }
    }
    day = day.plus({ days: 1 });
  }
  return out.sort((a, b) => a - b);
};
