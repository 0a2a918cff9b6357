/**
 * Input validation at the handler boundary: a bad task input is a terminal
 * `InvalidBackupInput` that names every offending field, so the Catch records a reason an
 * operator can act on (instead of a TypeError three calls later).
 */
import type * as z from 'zod';
import { InvalidBackupInput } from '../backup/errors.ts';
import { checkRunPolicy, type DeployedPolicies } from './deployed-policies.ts';
import type { Run } from './state.ts';

const fieldOf = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (out, key) =>
      typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`,
    '',
  ) || '(input)';

/**
 * Parses `event` with `schema` or throws `InvalidBackupInput("<step>: <field>: <problem>; …")`.
 *
 * @example
 * parseTaskInput('check-image', targetTaskSchema, {}); // throws InvalidBackupInput: check-image: run: …
 */
export function parseTaskInput<S extends z.ZodType>(step: string, schema: S, event: unknown): z.output<S> {
  const result = schema.safeParse(event);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return `${fieldOf(issue.path)}: ${issue.message}${keys}`;
  });
  throw new InvalidBackupInput(`${step}: invalid input: ${problems.join('; ')}`);
}

/**
 * Parses a run-bearing task input and refuses it unless `run.policy` is the deployed policy
 * of that name (same version): the one place every step that acts on the policy checks it.
 *
 * @throws InvalidBackupInput for a malformed input.
 * @throws RunPolicyMismatch when `run.policy` or `run.policyVersion` is not the deployed policy's.
 */
export function parseRunTask<S extends z.ZodType<{ run: Run }>>(
  step: string,
  schema: S,
  event: unknown,
  policies: DeployedPolicies,
): z.output<S> {
  const input = parseTaskInput(step, schema, event);
  checkRunPolicy(step, input.run, policies);
  return input;
}
