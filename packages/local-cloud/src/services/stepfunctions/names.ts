import { invalidName } from './errors.ts';

// Characters AWS refuses in state machine and execution names: whitespace, brackets,
// wildcards and special characters; control characters are checked by code point.
const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const MAX_NAME_LENGTH = 80;

const isControl = (code: number) => code <= 0x1f || (code >= 0x7f && code <= 0x9f);

export const validateName = (name: unknown): string => {
  if (
    typeof name !== 'string' ||
    name.length < 1 ||
    name.length > MAX_NAME_LENGTH ||
    FORBIDDEN.test(name) ||
    [...name].some((c) => isControl(c.codePointAt(0) ?? 0))
  )
    throw invalidName(String(name));
  return name;
};
