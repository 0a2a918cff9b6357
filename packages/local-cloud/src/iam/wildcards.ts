/**
 * IAM's wildcards: `*` matches any run of characters (none included), `?` any one character
 * (IAM User Guide, "IAM JSON policy elements: Resource" and "…: Action"). Action names are
 * case-insensitive, resource ARNs case-sensitive.
 */
const escapeRegex = (text: string): string => text.replace(/[.+^${}()|[\]\\]/g, '\\$&');

const cache = new Map<string, RegExp>();

const patternOf = (pattern: string, ignoreCase: boolean): RegExp => {
  const key = `${ignoreCase ? 'i' : 's'}:${pattern}`;
  let regex = cache.get(key);
  if (!regex) {
    regex = new RegExp(
      `^${escapeRegex(pattern).replace(/\*/g, '.*').replace(/\?/g, '.')}$`,
      ignoreCase ? 'is' : 's',
    );
    cache.set(key, regex);
  }
  return regex;
};

export const globMatch = (pattern: string, value: string, ignoreCase = false): boolean =>
  patternOf(pattern, ignoreCase).test(value);
