/** Commander argument parsers: a bad value is a usage error (exit 2) naming the option. */
import { InvalidArgumentError } from 'commander';

export const wholeNumber =
  (min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };

export const seconds =
  (max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > max)
      throw new InvalidArgumentError(`expected a number above 0 and at most ${max}`);
    return n;
  };

export const isoInstant = (value: string): string => {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(Date.parse(value))
  )
    throw new InvalidArgumentError('expected an ISO 8601 instant such as 2026-11-20T02:00:00Z');
  return new Date(value).toISOString();
};
