/**
 * The EventBridge Scheduler cron module. Sources:
 * - syntax: EventBridge "Cron expressions reference"
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html): six
 *   fields, the value ranges and wildcards per field (day-of-week has no `/`), `?` in exactly
 *   one of the day fields, L / W / # and day-of-week 1-7 = SUN-SAT;
 * - daylight saving: "Schedule types on EventBridge Scheduler"
 *   (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html, "Time zones on
 *   EventBridge Scheduler"; also AWS re:Post "How can I adjust my Amazon EventBridge schedule
 *   for daylight saving?"): a time that does not exist on the spring-forward day is skipped,
 *   a repeated time on the fall-back day runs once.
 */
import { describe, expect, it } from 'vitest';
import {
  cronProblems,
  firesOnSomeDay,
  firesPerDay,
  fireTimes,
  parseSchedulerCron,
  type SchedulerCron,
  skippedTimes,
} from '../src/index.ts';

const parse = (expression: string): SchedulerCron => {
  const result = parseSchedulerCron(expression);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.cron;
};
const iso = (ms: number[]) => ms.map((t) => new Date(t).toISOString().replace('.000Z', 'Z'));
const next = (expression: string, after: string, max: number, zone = 'UTC') =>
  iso(fireTimes(parse(expression), zone, Date.parse(after), { max }));

describe('Scheduler cron syntax (Cron expressions reference)', () => {
  it.each([
    ['0 2 * * ? *'],
    ['cron(0 2 * * ? *)'],
    ['30 1 ? * MON-FRI *'],
    ['30 1 ? * mon,wed,FRI *'],
    ['0 3 ? * 2-6 *'],
    ['0/15 * * * ? *'],
    ['*/20 9-17 ? * * *'],
    ['0 3 L * ? *'],
    ['0 3 LW * ? *'],
    ['0 3 15W * ? *'],
    ['0 3 1/7 * ? *'],
    ['0 3 ? * 6#3 *'],
    ['0 3 ? * FRI#1 *'],
    ['0 3 ? * 6L *'],
    ['0 3 ? * FRIL *'],
    ['0 3 ? * L *'],
    ['0 0 1 JAN,JUL ? 2026-2030'],
    ['0 0 1 */3 ? 2030/2'],
  ])('accepts %s', (expression) => {
    expect(cronProblems(expression)).toEqual([]);
  });

  it.each([
    ['0 2 * * *', 'expected 6 fields (minutes hours day-of-month month day-of-week year), got 5'],
    ['0 2 * * * *', 'exactly one of day-of-month and day-of-week must be ?'],
    ['0 2 ? * ? *', 'exactly one of day-of-month and day-of-week must be ?'],
    ['60 2 * * ? *', "minutes: invalid value '60' (expected 0-59, * , - /)"],
    ['0 24 * * ? *', "hours: invalid value '24' (expected 0-23, * , - /)"],
    ['0 2 32 * ? *', "day-of-month: invalid value '32' (expected 1-31, * , - /, L, LW or nW)"],
    ['0 2 ? * 8 *', "day-of-week: invalid value '8' (expected 1-7 or SUN-SAT, * , -, L, nL or n#k (k 1-5))"],
    ['0 2 ? * 0 *', "day-of-week: invalid value '0' (expected 1-7 or SUN-SAT, * , -, L, nL or n#k (k 1-5))"],
    // The reference lists no `/` for day-of-week.
    [
      '0 2 ? * 1/2 *',
      "day-of-week: invalid value '1/2' (expected 1-7 or SUN-SAT, * , -, L, nL or n#k (k 1-5))",
    ],
    [
      '0 2 ? * 2#6 *',
      "day-of-week: invalid value '2#6' (expected 1-7 or SUN-SAT, * , -, L, nL or n#k (k 1-5))",
    ],
    [
      '0 2 ? * 2#1,3 *',
      "day-of-week: invalid value '2#1,3' (expected 1-7 or SUN-SAT, * , -, L, nL or n#k (k 1-5))",
    ],
    ['0 2 L,15 * ? *', "day-of-month: invalid value 'L,15' (expected 1-31, * , - /, L, LW or nW)"],
    ['0 2 32W * ? *', "day-of-month: invalid value '32W' (expected 1-31, * , - /, L, LW or nW)"],
    ['0 2 L-3 * ? *', "day-of-month: invalid value 'L-3' (expected 1-31, * , - /, L, LW or nW)"],
    ['0 2 * 13 ? *', "month: invalid value '13' (expected 1-12 or JAN-DEC, * , - /)"],
    ['0 2 * FOO ? *', "month: invalid value 'FOO' (expected 1-12 or JAN-DEC, * , - /)"],
    ['0 2 20-10 * ? *', "day-of-month: invalid value '20-10' (expected 1-31, * , - /, L, LW or nW)"],
    ['? 2 * * ? *', "minutes: '?' is only allowed in day-of-month or day-of-week"],
    ['0 2 * * ? 1969', "year: invalid value '1969' (expected 1970-2199, * , - /)"],
    ['0 2/0 * * ? *', "hours: invalid value '2/0' (expected 0-23, * , - /)"],
  ])('rejects %s, naming the field and what it accepts', (expression, problem) => {
    expect(cronProblems(expression)).toContain(problem);
  });

  it('counts how often a day fires (minutes × hours)', () => {
    expect(firesPerDay(parse('0 2 * * ? *'))).toBe(1);
    expect(firesPerDay(parse('0,30 2 * * ? *'))).toBe(2);
    expect(firesPerDay(parse('0 */6 * * ? *'))).toBe(4);
  });
});

describe('Scheduler cron day rules', () => {
  it.each([
    // January 2026 ends on a Saturday, February on a Saturday, May on a Sunday, December on a Thursday.
    [
      'LW: last weekday of the month',
      '0 12 LW * ? 2026',
      '2026-01-01T00:00:00Z',
      2,
      ['2026-01-30T12:00:00Z', '2026-02-27T12:00:00Z'],
    ],
    [
      'LW when the month ends on a Sunday',
      '0 12 LW MAY ? 2026',
      '2026-01-01T00:00:00Z',
      1,
      ['2026-05-29T12:00:00Z'],
    ],
    [
      'LW when the month ends on a weekday',
      '0 12 LW DEC ? 2026',
      '2026-01-01T00:00:00Z',
      1,
      ['2026-12-31T12:00:00Z'],
    ],
    [
      'L: last day of the month, leap year',
      '0 12 L 2 ? 2028',
      '2026-01-01T00:00:00Z',
      1,
      ['2028-02-29T12:00:00Z'],
    ],
    // 1 August 2026 is a Saturday: the nearest weekday in the month is Monday the 3rd.
    [
      '1W on a Saturday stays in the month',
      '0 12 1W 8 ? 2026',
      '2026-01-01T00:00:00Z',
      1,
      ['2026-08-03T12:00:00Z'],
    ],
    [
      '15W on a Saturday is the Friday before',
      '0 12 15W 8 ? 2026',
      '2026-01-01T00:00:00Z',
      1,
      ['2026-08-14T12:00:00Z'],
    ],
    [
      '15W on a Sunday is the Monday after',
      '0 12 15W 11 ? 2026',
      '2026-01-01T00:00:00Z',
      1,
      ['2026-11-16T12:00:00Z'],
    ],
    [
      '31W on the last day, a Sunday, is the Friday before',
      '0 12 31W 5 ? 2026',
      '2026-01-01T00:00:00Z',
      1,
      ['2026-05-29T12:00:00Z'],
    ],
    ['nL: last Friday of the month', '0 12 ? 1 6L 2026', '2026-01-01T00:00:00Z', 1, ['2026-01-30T12:00:00Z']],
    [
      'n#k: first Monday (1 January 2026 is a Thursday)',
      '0 12 ? 1 MON#1 2026',
      '2026-01-01T00:00:00Z',
      1,
      ['2026-01-05T12:00:00Z'],
    ],
    [
      'n#k: fifth Friday skips months without one',
      '0 12 ? * 6#5 2026',
      '2026-02-01T00:00:00Z',
      1,
      ['2026-05-29T12:00:00Z'],
    ],
    [
      'L in day-of-week: Saturday',
      '0 12 ? 1 L 2026',
      '2026-01-01T00:00:00Z',
      2,
      ['2026-01-03T12:00:00Z', '2026-01-10T12:00:00Z'],
    ],
    ['day-of-week 1 is Sunday', '0 12 ? 1 1 2026', '2026-01-01T00:00:00Z', 1, ['2026-01-04T12:00:00Z']],
    [
      'steps in minutes',
      '10/20 9 1 1 ? 2026',
      '2026-01-01T00:00:00Z',
      3,
      ['2026-01-01T09:10:00Z', '2026-01-01T09:30:00Z', '2026-01-01T09:50:00Z'],
    ],
  ])('%s', (_what, expression, after, max, expected) => {
    expect(next(expression, after, max)).toEqual(expected);
  });

  it('finds crons whose day fields never match a date', () => {
    expect(firesOnSomeDay(parse('0 2 30 2 ? *'))).toBe(false);
    expect(firesOnSomeDay(parse('0 2 31 4,6,9,11 ? *'))).toBe(false);
    expect(firesOnSomeDay(parse('0 2 29 2 ? 2027'))).toBe(false);
    expect(firesOnSomeDay(parse('0 2 29 2 ? *'))).toBe(true);
    expect(firesOnSomeDay(parse('0 2 LW * ? *'))).toBe(true);
  });

  it('fires nothing after its last year', () => {
    expect(next('0 2 * * ? 2025', '2026-01-01T00:00:00Z', 1)).toEqual([]);
  });
});

describe('Scheduler cron in a time zone, with the daylight-saving rule (Schedule types on EventBridge Scheduler)', () => {
  it('evaluates the expression in the IANA zone', () => {
    // Asia/Kolkata is UTC+05:30 all year.
    expect(next('0 2 * * ? *', '2026-12-01T00:00:00Z', 2, 'Asia/Kolkata')).toEqual([
      '2026-12-01T20:30:00Z',
      '2026-12-02T20:30:00Z',
    ]);
  });

  it('skips a time that does not exist on the spring-forward day (New York, 10 March 2030)', () => {
    expect(next('30 2 * * ? *', '2030-03-08T12:00:00Z', 2, 'America/New_York')).toEqual([
      '2030-03-09T07:30:00Z',
      '2030-03-11T06:30:00Z',
    ]);
    expect(
      skippedTimes(
        parse('30 2 * * ? *'),
        'America/New_York',
        Date.parse('2030-01-01T00:00:00Z'),
        Date.parse('2031-12-31T00:00:00Z'),
      ),
    ).toEqual([
      { date: '2030-03-10', time: '02:30' },
      { date: '2031-03-09', time: '02:30' },
    ]);
  });

  it('runs a repeated time once, at its first instant, on the fall-back day (New York, 3 November 2030)', () => {
    expect(next('30 1 * * ? *', '2030-11-02T12:00:00Z', 2, 'America/New_York')).toEqual([
      '2030-11-03T05:30:00Z',
      '2030-11-04T06:30:00Z',
    ]);
  });

  it('skips the gap in Europe/Berlin (last Sunday of March) and nothing in a zone without DST', () => {
    const cron = parse('30 2 ? * SUN *');
    expect(
      skippedTimes(
        cron,
        'Europe/Berlin',
        Date.parse('2027-01-01T00:00:00Z'),
        Date.parse('2027-12-31T00:00:00Z'),
      ),
    ).toEqual([{ date: '2027-03-28', time: '02:30' }]);
    expect(
      skippedTimes(
        cron,
        'Asia/Kolkata',
        Date.parse('2027-01-01T00:00:00Z'),
        Date.parse('2027-12-31T00:00:00Z'),
      ),
    ).toEqual([]);
  });
});
