import type { QueryParams } from '../../protocol/query.ts';
import { invalidValue, missingParameter } from './errors.ts';
import type { Tags } from './records.ts';

export interface FilterSpec {
  name: string;
  values: string[];
}

/** `Filter.N.Name` + `Filter.N.Value.M`, as both SDKs serialise EC2 filters. */
export const parseFilters = (params: QueryParams): FilterSpec[] =>
  params.members('Filter').map((member, i) => {
    const name = member.get('Name');
    if (!name) throw missingParameter(`Filter.${i + 1}.Name`);
    const values = member.list('Value');
    if (values.length === 0) throw invalidValue(`The filter '${name}' must have at least one value`);
    return { name, values };
  });

/**
 * EC2 filter values: `*` matches any run of characters, `?` exactly one, and a backslash
 * escapes either of them (or itself).
 */
const wildcardPattern = (value: string): RegExp => {
  let source = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (c === '\\' && i + 1 < value.length) {
      i += 1;
      source += (value[i] ?? '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '*') source += '[\\s\\S]*';
    else if (c === '?') source += '[\\s\\S]';
    else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
};

/** Reads the values a filter name compares against; undefined values never match. */
export type FieldReader<T> = (item: T) => string | number | boolean | undefined | (string | undefined)[];

/**
 * Whether a candidate matches any of a filter's values: a value without wildcards is an
 * exact match (a set lookup, so scanning thousands of resources stays cheap), one with
 * wildcards a pattern.
 */
const matcherOf = (values: string[]): ((candidate: string) => boolean) => {
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const value of values) {
    if (/[*?\\]/.test(value)) patterns.push(wildcardPattern(value));
    else exact.add(value);
  }
  if (patterns.length === 0) return (candidate) => exact.has(candidate);
  return (candidate) => exact.has(candidate) || patterns.some((p) => p.test(candidate));
};

const anyOf = (candidates: Iterable<string>, matches: (candidate: string) => boolean): boolean => {
  for (const candidate of candidates) if (matches(candidate)) return true;
  return false;
};

/**
 * One predicate for all filters: an item matches when every filter matches (AND) and each
 * filter matches when any of its values does (OR). `tag:<key>` and `tag-key` work on every
 * tagged resource; other names must be listed in `fields`, else InvalidParameterValue.
 */
export const compileFilters = <T extends { tags: Tags }>(
  filters: FilterSpec[],
  fields: Record<string, FieldReader<T>>,
): ((item: T) => boolean) => {
  const tests = filters.map(({ name, values }): ((item: T) => boolean) => {
    const matches = matcherOf(values);
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      return (item: T) => {
        const value = item.tags.get(key);
        return value !== undefined && matches(value);
      };
    }
    if (name === 'tag-key') return (item: T) => anyOf(item.tags.keys(), matches);
    if (name === 'tag-value') return (item: T) => anyOf(item.tags.values(), matches);
    const read = fields[name];
    if (!read) throw invalidValue(`The filter '${name}' is invalid`);
    return (item: T) => {
      const raw = read(item);
      if (raw === undefined) return false;
      if (Array.isArray(raw)) return raw.some((v) => v !== undefined && matches(v));
      return matches(String(raw));
    };
  });
  return (item: T) => tests.every((test) => test(item));
};
