/**
 * EventBridge Scheduler cron expressions: six fields
 * `minutes hours day-of-month month day-of-week year`, written bare (`0 2 * * ? *`) or
 * wrapped (`cron(0 2 * * ? *)`). One of day-of-month / day-of-week must be `?`.
 */

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  question?: boolean;
  extra?: RegExp;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  // L, LW, 15W, L-3
  {
    name: 'day-of-month',
    min: 1,
    max: 31,
    question: true,
    extra: /^(?:L|LW|L-(?:[1-9]|[12]\d|30)|(?:[1-9]|[12]\d|3[01])W)$/,
  },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  // L, 6L, 2#3, FRI#1
  {
    name: 'day-of-week',
    min: 1,
    max: 7,
    names: DAYS,
    question: true,
    extra: /^(?:L|(?:[1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)L|(?:[1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)#[1-5])$/,
  },
  { name: 'year', min: 1970, max: 2199 },
];

function valueOk(token: string, spec: FieldSpec): boolean {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n >= spec.min && n <= spec.max;
  }
  return spec.names?.includes(token.toUpperCase()) ?? false;
}

function partOk(part: string, spec: FieldSpec): boolean {
  if (spec.extra?.test(part.toUpperCase())) return true;
  const [range, step, ...rest] = part.split('/');
  if (range === undefined || rest.length > 0) return false;
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return false;
  if (range === '*') return true;
  const bounds = range.split('-');
  if (bounds.length === 1) return valueOk(range, spec);
  const [from, to] = bounds;
  return (
    bounds.length === 2 && from !== undefined && to !== undefined && valueOk(from, spec) && valueOk(to, spec)
  );
}

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
 * Problems of a Scheduler cron expression (empty: valid).
 *
 * @example
 * cronProblems('0 2 * * ? *'); // []
 * cronProblems('0 2 * * *');   // ['expected 6 fields (minutes hours day-of-month month day-of-week year), got 5']
 */
export function cronProblems(expression: string): string[] {
  const fields = cronBody(expression).split(' ');
  if (fields.length !== 6) {
    return [`expected 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`];
  }
  const problems: string[] = [];
  fields.forEach((field, index) => {
    const spec = FIELDS[index];
    if (spec === undefined) return;
    if (field === '?') {
      if (!spec.question) problems.push(`${spec.name}: '?' is only allowed in day-of-month or day-of-week`);
      return;
    }
    if (!field.split(',').every((part) => partOk(part, spec))) {
      problems.push(`${spec.name}: invalid value '${field}'`);
    }
  });
  const [dom, dow] = [fields[2], fields[4]];
  if ((dom === '?') === (dow === '?')) {
    problems.push('exactly one of day-of-month and day-of-week must be ?');
  }
  return problems;
}
