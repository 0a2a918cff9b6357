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

const asStrings = (raw: ReturnType<FieldReader<unknown>>): string[] => {
  if (raw === undefined) return [];
  if (Array.isArray(raw)) return raw.filter((v): v is string => v !== undefined);
  return [String(raw)];
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
  const tests = filters.map(({ name, values }) => {
    const patterns = values.map(wildcardPattern);
    const any = (candidates: string[]) => candidates.some((c) => patterns.some((p) => p.test(c)));
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      return (item: T) => {
        const value = item.tags.get(key);
        return value !== undefined && any([value]);
      };
    }
    if (name === 'tag-key') return (item: T) => any([...item.tags.keys()]);
    if (name === 'tag-value') return (item: T) => any([...item.tags.values()]);
    const read = fields[name];
    if (!read) throw invalidValue(`The filter '${name}' is invalid`);
    return (item: T) => any(asStrings(read(item)));
  });
  return (item: T) => tests.every((test) => test(item));
};
