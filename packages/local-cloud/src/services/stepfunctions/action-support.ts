import type { z } from 'zod';
import type { LocalCloud } from '../../cloud.ts';
import { validationError } from './errors.ts';

interface StatesCall {
  cloud: LocalCloud;
  region: string;
  input: unknown;
}

export type StatesAction = (call: StatesCall) => unknown;

export const seconds = (ms: number) => ms / 1000;

export const parse = <T>(schema: z.ZodType<T>, input: unknown): T => {
  const result = schema.safeParse(input);
  if (!result.success)
    throw validationError(
      result.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '),
    );
  return result.data;
};

export const pageSize = (max: number | undefined) => {
  if (max === undefined || max === 0) return 100;
  if (!Number.isInteger(max) || max < 0 || max > 1000)
    throw validationError('maxResults must be between 0 and 1000');
  return max;
};
