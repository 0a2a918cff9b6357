/**
 * ASL Reference Paths (`$.a.b[0]['c']`): the subset Wait states' SecondsPath and
 * TimestampPath may use. Returns undefined when the path does not resolve.
 */
export const readReferencePath = (input: unknown, path: string): unknown => {
  if (!path.startsWith('$') || path.startsWith('$$')) return undefined;
  const tokens = path.slice(1).match(/\.[^.[\]]+|\[\d+\]|\['[^']*'\]|\["[^"]*"\]/g) ?? [];
  if (tokens.join('') !== path.slice(1)) return undefined;
  let value: unknown = input;
  for (const token of tokens) {
    if (value === null || typeof value !== 'object') return undefined;
    const key = token.startsWith('.') ? token.slice(1) : token.slice(1, -1).replace(/^['"]|['"]$/g, '');
    if (Array.isArray(value)) {
      if (!/^\d+$/.test(key)) return undefined;
      value = value[Number(key)];
    } else {
      value = (value as Record<string, unknown>)[key];
    }
  }
  return value;
};
