import type { DateTime } from 'luxon';

/**
 * AWS cron expressions: `cron(minutes hours day-of-month month day-of-week year)`, with
 * `*` `,` `-` `/`, month and weekday names, `?` (one of the two day fields), `L`, `W` and
 * `#`. Day-of-week counts 1 = SUN … 7 = SAT.
 */
export interface CronSpec {
  minutes: number[];
  hours: number[];
  months: Set<number>;
  years: Set<number> | 'any';
  day: (date: DateTime) => boolean;
}

export class CronSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CronSyntaxError';
  }
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const value = (token: string, names: string[], offset: number): number => {
  const named = names.indexOf(token.toUpperCase());
  if (named >= 0) return named + offset;
  if (!/^\d+$/.test(token)) throw new CronSyntaxError(`not a number: ${token}`);
  return Number(token);
};

/** `*`, `a`, `a-b`, `a/n`, `a-b/n`, `* /n` and lists of them, within [min, max]. */
const expand = (field: string, min: number, max: number, names: string[] = [], offset = 0): number[] => {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronSyntaxError(`bad step in ${part}`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [min, max];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [from, to] = [value(a, names, offset), value(b, names, offset)];
    } else {
      from = value(range, names, offset);
      to = stepText === undefined ? from : max;
    }
    if (from < min || to > max || from > to) throw new CronSyntaxError(`${part} is outside ${min}-${max}`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
};

/** Luxon weekday (1 = Monday … 7 = Sunday) to AWS day-of-week (1 = Sunday … 7 = Saturday). */
const awsWeekday = (date: DateTime) => (date.weekday % 7) + 1;

const dayOfMonth = (field: string): ((date: DateTime) => boolean) => {
  if (field === 'L') return (d) => d.day === d.daysInMonth;
  const weekday = /^(\d+)W$/.exec(field);
  if (weekday) {
    const target = Number(weekday[1]);
    // The weekday nearest to `target` without leaving the month.
    return (d) => {
      const last = d.daysInMonth ?? 31;
      const day = Math.min(target, last);
      const base = d.set({ day });
      let nearest = day;
      if (base.weekday === 6) nearest = day === 1 ? 3 : day - 1;
      else if (base.weekday === 7) nearest = day === last ? day - 2 : day + 1;
      return d.day === nearest;
    };
  }
  const days = new Set(expand(field, 1, 31));
  return (d) => days.has(d.day);
};

const dayOfWeek = (field: string): ((date: DateTime) => boolean) => {
  const last = /^(\w+)L$/.exec(field);
  if (last) {
    const wanted = value(last[1] ?? '', DAYS, 1);
    return (d) => awsWeekday(d) === wanted && d.day + 7 > (d.daysInMonth ?? 31);
  }
  const nth = /^(\w+)#([1-5])$/.exec(field);
  if (nth) {
    const wanted = value(nth[1] ?? '', DAYS, 1);
    const n = Number(nth[2]);
    return (d) => awsWeekday(d) === wanted && Math.ceil(d.day / 7) === n;
  }
  const days = new Set(expand(field, 1, 7, DAYS, 1));
  return (d) => days.has(awsWeekday(d));
};

export const parseCron = (body: string): CronSpec => {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) throw new CronSyntaxError('a cron expression has 6 fields');
  const [minutes = '', hours = '', dom = '', month = '', dow = '', year = ''] = fields;
  if ((dom === '?') === (dow === '?'))
    throw new CronSyntaxError('exactly one of day-of-month and day-of-week must be ?');
  const day = dom === '?' ? dayOfWeek(dow) : dayOfMonth(dom);
  return {
    minutes: expand(minutes, 0, 59),
    hours: expand(hours, 0, 23),
    months: new Set(expand(month, 1, 12, MONTHS, 1)),
    years: year === '*' ? 'any' : new Set(expand(year, 1970, 2199)),
    day,
  };
};
