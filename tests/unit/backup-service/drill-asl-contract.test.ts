/**
 * The error names are the contract between the drill functions and statemachines/drill.asl.yaml:
 * every name in an ErrorEquals is one our code throws (or a Lambda.* / States.* name), every
 * Task retries Lambda's own service errors with backoff and full jitter, and once the lock is
 * taken every path — success, alarm, timeout, any error — goes through Revert.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type AslState, errorEqualsNames } from '../../helpers/backup-asl.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const LAMBDA_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

const definition = parse(readFileSync(join(ROOT, 'statemachines/drill.asl.yaml'), 'utf8')) as {
  StartAt: string;
  States: Record<string, AslState>;
};
const states = definition.States;
type Rule = {
  ErrorEquals: string[];
  Next?: string;
  BackoffRate?: number;
  JitterStrategy?: string;
  MaxAttempts?: number;
};
const retries = (s: AslState | undefined) => (s?.Retry as Rule[] | undefined) ?? [];
const catches = (s: AslState | undefined) => (s?.Catch as Rule[] | undefined) ?? [];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Error names our code gives its errors (`this.name = '…'`, a literal: a minifier renames classes). */
const definedNames = new Set(
  [...sourceFiles(join(ROOT, 'shared')), ...sourceFiles(join(ROOT, 'functions'))].flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/this\.name = '([A-Za-z]+)'/g)].map((m) => m[1] ?? ''),
  ),
);

/** The states reachable from `from` (Next, Choices, Default, Catch). */
function reachable(from: string): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const s = states[name];
    const choices = (s?.Choices as { Next: string }[] | undefined) ?? [];
    for (const next of [s?.Next, s?.Default, ...choices.map((c) => c.Next), ...catches(s).map((c) => c.Next)])
      if (typeof next === 'string') visit(next);
  };
  visit(from);
  return seen;
}

describe('drill ASL error contract', () => {
  it('names in ErrorEquals are thrown by our code, or are Lambda.* / States.* errors', () => {
    const unknown = [...errorEqualsNames(definition)].filter(
      (name) => !name.startsWith('States.') && !LAMBDA_ERRORS.includes(name) && !definedNames.has(name),
    );
    expect(definedNames.has('DrillRevertFailed')).toBe(true);
    expect(unknown).toEqual([]);
  });

  it.each(Object.entries(states).filter(([, s]) => s.Type === 'Task'))(
    'Task %s retries Lambda service errors with backoff and full jitter',
    (_name, state) => {
      const retried = retries(state).flatMap((r) => r.ErrorEquals);
      for (const name of LAMBDA_ERRORS)
        expect(retried.includes(name) || retried.includes('States.ALL')).toBe(true);
      for (const rule of retries(state).filter((r) => (r.MaxAttempts ?? 3) > 0)) {
        expect(rule.BackoffRate).toBeGreaterThan(1);
        expect(rule.JitterStrategy).toBe('FULL');
      }
    },
  );

  it('a refused or locked Start ends the execution before anything changed: no Catch, no Revert', () => {
    expect(definition.StartAt).toBe('Start');
    expect(catches(states.Start)).toEqual([]);
  });

  it('after Start every path goes through Revert, which never retries its own refusal', () => {
    for (const name of ['Template', 'Dial'])
      expect(catches(states[name]), name).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Revert' },
      ]);
    // Only Revert's verdict leads out: Done (restored), Aborted (restored after an error) or RevertFailed.
    const ends = [...reachable('Template')].filter((n) =>
      ['Succeed', 'Fail'].includes(states[n]?.Type ?? ''),
    );
    expect(ends.sort()).toEqual(['Aborted', 'Done', 'RevertFailed']);
    expect([...reachable('Dial')].includes('Done')).toBe(true);
    const beforeRevert = (n: string) => !reachable('Revert').has(n) || n === 'Revert';
    expect(['Template', 'Dial', 'Bake', 'Dialled?'].every(beforeRevert)).toBe(true);
    expect(retries(states.Revert)[0]).toEqual({
      ErrorEquals: ['DrillRevertFailed', 'InvalidBackupInput'],
      MaxAttempts: 0,
    });
    expect(catches(states.Revert).map((c) => c.Next)).toEqual(['RevertFailed']);
  });
});
