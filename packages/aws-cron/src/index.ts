/**
 * EventBridge Scheduler cron expressions, the one implementation used by config validation,
 * packaging and the local cloud's Scheduler. Six fields
 * `minutes hours day-of-month month day-of-week year`, written bare (`0 2 * * ? *`) or
 * wrapped (`cron(0 2 * * ? *)`), as the EventBridge "Cron expressions reference" and the
 * Scheduler guide's "Schedule types on EventBridge Scheduler" define them:
 *
 * | field        | values          | wildcards       |
 * |--------------|-----------------|-----------------|
 * | minutes      | 0-59            | , - * /         |
 * | hours        | 0-23            | , - * /         |
 * | day-of-month | 1-31            | , - * ? / L W   |
 * | month        | 1-12 or JAN-DEC | , - * /         |
 * | day-of-week  | 1-7 or SUN-SAT  | , - * ? L #     |
 * | year         | 1970-2199       | , - * /         |
 *
 * Exactly one of day-of-month and day-of-week is `?`. `L`, `LW`, `nW`, `nL` and `n#k` stand
 * alone in their field (no lists or ranges with them). Fire times are evaluated in an IANA
 * time zone with Scheduler's daylight-saving rule: a local time that does not exist on the
 * spring-forward day is skipped that day; a time repeated on the fall-back day runs once.
 */
import { DateTime } from 'luxon';

/** How a cron selects days: by day of month, or by day of week (1 = SUN … 7 = SAT). */
export type CronDayRule =
  | { kind: 'days-of-month'; days: ReadonlySet<number> }
  | { kind: 'last-day-of-month' }
  | { kind: 'last-weekday-of-month' }
  | { kind: 'nearest-weekday'; day: number }
  | { kind: 'days-of-week'; days: ReadonlySet<number> }
  | { kind: 'last-day-of-week-in-month'; dayOfWeek: number }
  | { kind: 'nth-day-of-week'; dayOfWeek: number; n: number };

export interface SchedulerCron {
  /** The six fields, normalised (single spaces, no `cron(…)`). */
  body: string;
  minutes: readonly number[];
  hours: readonly number[];
  months: ReadonlySet<number>;
  years: ReadonlySet<number> | 'any';
  day: CronDayRule;
}

export type CronParseResult = { ok: true; cron: SchedulerCron } | { ok: false; problems: string[] };

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
export const FIRST_YEAR = 1970;
export const LAST_YEAR = 2199;

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  step: boolean;
}

const FIELD = {
  minutes: { name: 'minutes', min: 0, max: 59, step: true },
  hours: { name: 'hours', min: 0, max: 23, step: true },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31, step: true },
  month: { name: 'month', min: 1, max: 12, names: MONTHS, step: true },
  // The reference lists no `/` for day-of-week.
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: DAYS, step: false },
  year: { name: 'year', min: FIRST_YEAR, max: LAST_YEAR, step: true },
} as const satisfies Record<string, FieldSpec>;

const expected = (spec: FieldSpec): string =>
  `expected ${spec.min}-${spec.max}${spec.names ? ` or ${spec.names[0]}-${spec.names.at(-1)}` : ''}` +
  `, * , -${spec.step ? ' /' : ''}`;

class FieldProblem extends Error {}

const fieldValue = (token: string, spec: FieldSpec): number => {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  const n = named >= 0 ? named + 1 : /^\d+$/.test(token) ? Number(token) : Number.NaN;
  if (!(n >= spec.min && n <= spec.max)) throw new FieldProblem();
  return n;
};

/** `*`, `a`, `a-b`, `a/n`, `a-b/n`, `* /n` and lists of them. */
const expand = (field: string, spec: FieldSpec): number[] => {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [range = '', stepText, ...rest] = part.split('/');
    if (rest.length > 0 || (stepText !== undefined && (!spec.step || !/^[1-9]\d*$/.test(stepText))))
      throw new FieldProblem();
    const step = stepText === undefined ? 1 : Number(stepText);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [spec.min, spec.max];
    else {
      const bounds = range.split('-');
      if (bounds.length > 2) throw new FieldProblem();
      from = fieldValue(bounds[0] ?? '', spec);
      to = bounds.length === 2 ? fieldValue(bounds[1] ?? '', spec) : stepText === undefined ? from : spec.max;
      if (from > to) throw new FieldProblem();
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
};

const dayOfMonthRule = (field: string): CronDayRule => {
  const upper = field.toUpperCase();
  if (upper === 'L') return { kind: 'last-day-of-month' };
  if (upper === 'LW') return { kind: 'last-weekday-of-month' };
  const nearest = /^(\d{1,2})W$/.exec(upper);
  if (nearest) return { kind: 'nearest-weekday', day: fieldValue(nearest[1] ?? '', FIELD.dayOfMonth) };
  return { kind: 'days-of-month', days: new Set(expand(field, FIELD.dayOfMonth)) };
};

const dayOfWeekRule = (field: string): CronDayRule => {
  const upper = field.toUpperCase();
  // `L` alone is the last day of the week: Saturday.
  if (upper === 'L') return { kind: 'days-of-week', days: new Set([7]) };
  const last = /^(\w+)L$/.exec(upper);
  if (last)
    return { kind: 'last-day-of-week-in-month', dayOfWeek: fieldValue(last[1] ?? '', FIELD.dayOfWeek) };
  const nth = /^(\w+)#(\d)$/.exec(upper);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new FieldProblem();
    return { kind: 'nth-day-of-week', dayOfWeek: fieldValue(nth[1] ?? '', FIELD.dayOfWeek), n };
  }
  return { kind: 'days-of-week', days: new Set(expand(field, FIELD.dayOfWeek)) };
};

const DAY_OF_MONTH_EXTRAS = 'L, LW or nW';
const DAY_OF_WEEK_EXTRAS = 'L, nL or n#k (k 1-5)';

/**
 * The six fields of an EventBridge Scheduler cron expression, without the `cron(…)` wrapper.
 *
 * @example
 * cronBody('cron(0 2 * * ? *)'); // '0 2 * * ? *'
 */
export function cronBody(expression: string): string {
  const trimmed = expression.trim();
  const wrapped = /^cron\((.*)\)$/.exec(trimmed);
  return (wrapped?.[1] ?? trimmed).trim().replace(/\s+/g, ' ');
}

/**
 * Parses a Scheduler cron expression, listing every problem (each names its field and what
 * the field accepts).
 *
 * @example
 * parseSchedulerCron('0 2 LW * ? *'); // { ok: true, cron: { day: { kind: 'last-weekday-of-month' }, … } }
 * parseSchedulerCron('0 2 * * *');    // { ok: false, problems: ['expected 6 fields (…), got 5'] }
 */
export function parseSchedulerCron(expression: string): CronParseResult {
  const body = cronBody(expression);
  const fields = body.split(' ');
  if (fields.length !== 6) {
    return {
      ok: false,
      problems: [
        `expected 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
      ],
    };
  }
  const [minutes = '', hours = '', dom = '', month = '', dow = '', year = ''] = fields;
  const problems: string[] = [];
  const attempt = <T>(spec: FieldSpec, field: string, parse: () => T, extras = ''): T | undefined => {
    if (field === '?') {
      if (spec !== FIELD.dayOfMonth && spec !== FIELD.dayOfWeek)
        problems.push(`${spec.name}: '?' is only allowed in day-of-month or day-of-week`);
      return undefined;
    }
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof FieldProblem)) throw error;
      problems.push(
        `${spec.name}: invalid value '${field}' (${expected(spec)}${extras ? `, ${extras}` : ''})`,
      );
      return undefined;
    }
  };
  const parsed = {
    minutes: attempt(FIELD.minutes, minutes, () => expand(minutes, FIELD.minutes)),
    hours: attempt(FIELD.hours, hours, () => expand(hours, FIELD.hours)),
    dom: attempt(FIELD.dayOfMonth, dom, () => dayOfMonthRule(dom), DAY_OF_MONTH_EXTRAS),
    months: attempt(FIELD.month, month, () => expand(month, FIELD.month)),
    dow: attempt(FIELD.dayOfWeek, dow, () => dayOfWeekRule(dow), DAY_OF_WEEK_EXTRAS),
    years: year === '*' ? ('any' as const) : attempt(FIELD.year, year, () => expand(year, FIELD.year)),
  };
  if ((dom === '?') === (dow === '?')) problems.push('exactly one of day-of-month and day-of-week must be ?');
  const day = parsed.dom ?? parsed.dow;
  if (
    problems.length > 0 ||
    !parsed.minutes ||
    !parsed.hours ||
    !parsed.months ||
    !parsed.years ||
    day === undefined
  )
    return { ok: false, problems };
  return {
    ok: true,
    cron: {
      body,
      minutes: parsed.minutes,
      hours: parsed.hours,
      months: new Set(parsed.months),
      years: parsed.years === 'any' ? 'any' : new Set(parsed.years),
      day,
    },
  };
}

/**
 * Problems of a Scheduler cron expression (empty: valid).
 *
 * @example
 * cronProblems('0 2 * * ? *'); // []
 */
export function cronProblems(expression: string): string[] {
  const result = parseSchedulerCron(expression);
  return result.ok ? [] : result.problems;
}

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 = SUN … 7 = SAT, as the day-of-week field counts. */
const dayOfWeek = (year: number, month: number, day: number): number =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
const isWeekday = (dow: number) => dow >= 2 && dow <= 6;

/** The days of a month a day rule selects, ascending. */
export function daysOfMonth(rule: CronDayRule, year: number, month: number): number[] {
  const last = daysInMonth(year, month);
  const all = Array.from({ length: last }, (_, i) => i + 1);
  switch (rule.kind) {
    case 'days-of-month':
      return all.filter((d) => rule.days.has(d));
    case 'last-day-of-month':
      return [last];
    case 'last-weekday-of-month': {
      const dow = dayOfWeek(year, month, last);
      return [dow === 7 ? last - 1 : dow === 1 ? last - 2 : last];
    }
    case 'nearest-weekday': {
      // The weekday nearest to the day, never leaving the month (1W on a Saturday is Monday
      // the 3rd). A month without that day has no such weekday. [unconfirmed]: AWS documents
      // only "the weekday closest to the day"; the month-boundary cases follow Quartz.
      const target = rule.day;
      if (target > last) return [];
      const dow = dayOfWeek(year, month, target);
      if (isWeekday(dow)) return [target];
      if (dow === 7) return [target === 1 ? 3 : target - 1];
      return [target === last ? target - 2 : target + 1];
    }
    case 'days-of-week':
      return all.filter((d) => rule.days.has(dayOfWeek(year, month, d)));
    case 'last-day-of-week-in-month':
      return all.filter((d) => d + 7 > last && dayOfWeek(year, month, d) === rule.dayOfWeek);
    case 'nth-day-of-week':
      return all.filter((d) => Math.ceil(d / 7) === rule.n && dayOfWeek(year, month, d) === rule.dayOfWeek);
  }
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

/**
 * The instant a local wall-clock time designates in `zone`, or undefined when that time does
 * not exist (skipped by a daylight-saving change: Scheduler skips the invocation). A repeated
 * time (clocks going back) designates its first instant, so it runs once.
 *
 * @example
 * localInstant('America/New_York', { year: 2030, month: 3, day: 10, hour: 2, minute: 30 }); // undefined
 */
export function localInstant(zone: string, local: LocalTime): number | undefined {
  const candidate = DateTime.fromObject(local, { zone });
  const same = (d: DateTime) => d.day === local.day && d.hour === local.hour && d.minute === local.minute;
  if (!candidate.isValid || !same(candidate)) return undefined;
  const earlier = candidate.minus({ hours: 1 });
  return same(earlier) ? earlier.toMillis() : candidate.toMillis();
}

/** A scheduled local time that does not exist on a day (clocks spring forward over it). */
export interface SkippedTime {
  date: string;
  time: string;
}

interface Walk {
  /** Called per scheduled local time in order; return false to stop. */
  visit: (local: LocalTime, date: string, at: number | undefined) => boolean;
  /** The walk ends after the local day of this instant. */
  until: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Every scheduled local time from the local day of `from` to the local day of `until`, in order. */
const walk = (cron: SchedulerCron, zone: string, from: number, { visit, until }: Walk): void => {
  const start = DateTime.fromMillis(from, { zone });
  const end = Number.isFinite(until) ? DateTime.fromMillis(until, { zone }) : undefined;
  const lastDate = end?.toISODate() ?? `${LAST_YEAR}-12-31`;
  for (let year = start.year; year <= Math.min(LAST_YEAR, end?.year ?? LAST_YEAR); year += 1) {
    if (cron.years !== 'any' && !cron.years.has(year)) continue;
    for (let month = year === start.year ? start.month : 1; month <= 12; month += 1) {
      if (!cron.months.has(month)) continue;
      for (const day of daysOfMonth(cron.day, year, month)) {
        if (year === start.year && month === start.month && day < start.day) continue;
        const date = `${year}-${pad(month)}-${pad(day)}`;
        if (date > lastDate) return;
        for (const hour of cron.hours)
          for (const minute of cron.minutes) {
            const local = { year, month, day, hour, minute };
            if (!visit(local, date, localInstant(zone, local))) return;
          }
      }
    }
  }
};

/**
 * Fire times strictly after `after` and at most `until`, oldest first, at most `max`; the
 * daylight-saving rule applies (skipped times do not fire, repeated times fire once).
 *
 * @example
 * fireTimes(cron, 'Asia/Kolkata', Date.parse('2026-12-01T00:00:00Z'), { max: 2 });
 * // [2026-12-01T20:30:00Z, 2026-12-02T20:30:00Z] for `0 2 * * ? *`
 */
export function fireTimes(
  cron: SchedulerCron,
  zone: string,
  after: number,
  { max, until = Number.POSITIVE_INFINITY }: { max: number; until?: number },
): number[] {
  const out: number[] = [];
  if (max <= 0) return out;
  walk(cron, zone, after, {
    until,
    visit: (_local, _date, at) => {
      if (at === undefined || at <= after) return true;
      if (at > until) return false;
      out.push(at);
      return out.length < max;
    },
  });
  return out;
}

/**
 * Scheduled local times in [from, until] that do not exist in `zone` (daylight-saving gaps):
 * Scheduler skips those runs.
 */
export function skippedTimes(cron: SchedulerCron, zone: string, from: number, until: number): SkippedTime[] {
  const out: SkippedTime[] = [];
  walk(cron, zone, from, {
    until,
    visit: (local, date, at) => {
      if (at === undefined) out.push({ date, time: `${pad(local.hour)}:${pad(local.minute)}` });
      return true;
    },
  });
  return out;
}

/** True when some date from 1970 to 2199 matches the day, month and year fields. */
export function firesOnSomeDay(cron: SchedulerCron): boolean {
  for (let year = FIRST_YEAR; year <= LAST_YEAR; year += 1) {
    if (cron.years !== 'any' && !cron.years.has(year)) continue;
    for (const month of cron.months) if (daysOfMonth(cron.day, year, month).length > 0) return true;
  }
  return false;
}

/** How many times a day the expression fires on a day it selects. */
export const firesPerDay = (cron: SchedulerCron): number => cron.minutes.length * cron.hours.length;
