import { invalidName } from './errors.ts';

// Characters AWS refuses in state machine and execution names: whitespace, brackets,
// wildcards, special characters and control characters.
const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;
export const MAX_NAME_LENGTH = 80;

export const validateName = (name: unknown): string => {
  if (typeof name !== 'string' || name.length < 1 || name.length > MAX_NAME_LENGTH || FORBIDDEN.test(name))
    throw invalidName(String(name));
  return name;
};
