/**
 * EventBridge event patterns, the subset real rules use: exact values (strings, numbers,
 * booleans, null), `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (value, list,
 * `{prefix}`, `{suffix}`), `exists`, `numeric` ranges, `wildcard`, `$or`, nested objects.
 * An event field that is an array matches when any of its elements does.
 */
export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

type Json = unknown;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const wildcardRegex = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );

const numericMatch = (value: Json, spec: unknown[]): boolean => {
  if (typeof value !== 'number') return false;
  for (let i = 0; i + 1 < spec.length; i += 2) {
    const op = spec[i];
    const bound = Number(spec[i + 1]);
    const ok =
      op === '<'
        ? value < bound
        : op === '<='
          ? value <= bound
          : op === '='
            ? value === bound
            : op === '>'
              ? value > bound
              : op === '>='
                ? value >= bound
                : false;
    if (!ok) return false;
  }
  return true;
};

/** One element of a pattern's value list against one event value (never an array). */
const matchesRule = (rule: Json, value: Json, present: boolean): boolean => {
  if (!isObject(rule)) return present && rule === value;
  const [op, arg] = Object.entries(rule)[0] ?? [];
  switch (op) {
    case 'exists':
      return arg === present;
    case 'prefix':
      if (isObject(arg) && typeof arg['equals-ignore-case'] === 'string')
        return (
          present &&
          typeof value === 'string' &&
          value.toLowerCase().startsWith(arg['equals-ignore-case'].toLowerCase())
        );
      return present && typeof value === 'string' && typeof arg === 'string' && value.startsWith(arg);
    case 'suffix':
      return present && typeof value === 'string' && typeof arg === 'string' && value.endsWith(arg);
    case 'equals-ignore-case':
      return (
        present &&
        typeof value === 'string' &&
        typeof arg === 'string' &&
        value.toLowerCase() === arg.toLowerCase()
      );
    case 'wildcard':
      return (
        present && typeof value === 'string' && typeof arg === 'string' && wildcardRegex(arg).test(value)
      );
    case 'numeric':
      return present && Array.isArray(arg) && numericMatch(value, arg);
    case 'anything-but': {
      if (!present) return false;
      if (Array.isArray(arg)) return !arg.includes(value);
      if (isObject(arg)) {
        if (typeof arg.prefix === 'string')
          return !(typeof value === 'string' && value.startsWith(arg.prefix));
        if (typeof arg.suffix === 'string') return !(typeof value === 'string' && value.endsWith(arg.suffix));
        throw new PatternError(`unsupported anything-but ${JSON.stringify(arg)}`);
      }
      return value !== arg;
    }
    case 'cidr':
      throw new PatternError('cidr matching is not supported by the local cloud');
    default:
      throw new PatternError(`unknown pattern operator ${String(op)}`);
  }
};

const matchesField = (rules: unknown, value: Json, present: boolean): boolean => {
  if (!Array.isArray(rules)) throw new PatternError('a pattern leaf must be a list of values');
  const values = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && value.length === 0) return rules.some((r) => matchesRule(r, undefined, false));
  return rules.some((rule) => values.some((v) => matchesRule(rule, v, present)));
};

/** Whether `event` (the full event, with `detail-type`, `source`, `detail`…) matches `pattern`. */
export const matchesPattern = (pattern: Record<string, unknown>, event: Record<string, unknown>): boolean =>
  Object.entries(pattern).every(([key, rules]) => {
    if (key === '$or') {
      if (!Array.isArray(rules)) throw new PatternError('$or needs a list of patterns');
      return rules.some((p) => isObject(p) && matchesPattern(p, event));
    }
    const present = Object.hasOwn(event, key);
    const value = event[key];
    if (isObject(rules)) return isObject(value) && matchesPattern(rules, value);
    return matchesField(rules, value, present);
  });

/** Validates a pattern's shape (PutRule answers InvalidEventPatternException for a bad one). */
export const checkPattern = (pattern: unknown): Record<string, unknown> => {
  if (!isObject(pattern)) throw new PatternError('Event pattern must be a JSON object');
  // Matching against an empty event walks every operator of the pattern once.
  const walk = (p: Record<string, unknown>): void => {
    for (const [key, rules] of Object.entries(p)) {
      if (key === '$or' && Array.isArray(rules)) {
        for (const r of rules) if (isObject(r)) walk(r);
        continue;
      }
      if (isObject(rules)) walk(rules);
      else if (!Array.isArray(rules))
        throw new PatternError(`the value of ${key} must be a list or an object`);
      else for (const rule of rules) matchesRule(rule, 'x', true);
    }
  };
  walk(pattern);
  return pattern;
};
