/** The policy and targets a backup command works on, validated as the workflow will. */
import { type BackupPolicy, instanceIdSchema, volumeIdSchema } from '../../shared/config/policies.ts';
import type { ShipyardConfig } from '../../shared/config/schema.ts';
import { UserError } from '../errors.ts';

export function findPolicy(config: ShipyardConfig, name: string): BackupPolicy {
  const policy = config.backupPolicies.find((p) => p.name === name);
  if (policy !== undefined) return policy;
  const known = config.backupPolicies.map((p) => p.name);
  throw new UserError(
    `--policy: no backup policy "${name}" in the config file (${known.length > 0 ? `known: ${known.join(', ')}` : 'it has none'})`,
  );
}

/**
 * `--target` values: instance or volume ids, duplicates dropped.
 *
 * @example
 * parseTargets(['i-0123456789abcdef0', 'vol-0123abcd']); // ['i-0123456789abcdef0', 'vol-0123abcd']
 */
export function parseTargets(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  for (const value of values) {
    const ok = value.startsWith('vol-')
      ? volumeIdSchema.safeParse(value).success
      : instanceIdSchema.safeParse(value).success;
    if (!ok) throw new UserError(`--target: "${value}" is not an instance id (i-…) or volume id (vol-…)`);
  }
  return [...new Set(values)];
}
