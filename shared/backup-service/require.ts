import { InvalidBackupInput } from '../backup/errors.ts';

/**
 * A record an earlier step must have produced (the ASL guarantees the order; a hand-made
 * or truncated input does not).
 *
 * @example
 * const image = requireStep('check-image', 'backup.image', backup.image);
 */
export function requireStep<T>(step: string, field: string, value: T | undefined): T {
  if (value === undefined)
    throw new InvalidBackupInput(`${step}: invalid input: ${field}: required at this step`);
  return value;
}
