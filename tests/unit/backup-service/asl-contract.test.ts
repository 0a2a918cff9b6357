/**
 * The error names are the contract between the handlers and the state machine: every name
 * in an ErrorEquals is thrown by our code (or is a Lambda.* / States.* name), every
 * transient error we throw is retried, every terminal one is caught.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKUP_ERRORS, TERMINAL_ERROR_NAMES, TRANSIENT_ERROR_NAMES } from '../../../shared/backup/errors.ts';
import {
  type AslState,
  allStates,
  errorEqualsNames,
  fallbackRoundError,
  fallbackRoundSeconds,
  isWaitForToken,
  loadBackupDefinition,
} from '../../helpers/backup-asl.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const LAMBDA_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Error names our code throws: a backup error class used as a value (`new X(…)` or passed
 * as the fallback class to the adapter) anywhere in shared/ or functions/ except the file
 * that defines them. Import lines and comments do not count.
 */
function thrownNames(): Set<string> {
  const code = [...sourceFiles(join(ROOT, 'shared')), ...sourceFiles(join(ROOT, 'functions'))]
    .filter((f) => !f.endsWith(join('shared', 'backup', 'errors.ts')))
    .map((f) =>
      readFileSync(f, 'utf8')
        .replace(/^import[\s\S]*?from\s+'[^']+';$/gm, '')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, ''),
    )
    .join('\n');
  return new Set(Object.keys(BACKUP_ERRORS).filter((name) => new RegExp(`\\b${name}\\b`).test(code)));
}

const definition = loadBackupDefinition();
const states = allStates(definition);
const tasks = [...states].filter(([, s]) => s.Type === 'Task');
type Rule = {
  ErrorEquals: string[];
  Next?: string;
  BackoffRate?: number;
  JitterStrategy?: string;
  MaxAttempts?: number;
};
const retries = (s: AslState) => (s.Retry as Rule[] | undefined) ?? [];
const catches = (s: AslState) => (s.Catch as Rule[] | undefined) ?? [];

describe('backup ASL error contract', () => {
  const thrown = thrownNames();

  it('names in ErrorEquals are thrown by our code, or are Lambda.* / States.* errors', () => {
    const unknown = [...errorEqualsNames(definition)].filter(
      (name) => !name.startsWith('States.') && !LAMBDA_ERRORS.includes(name) && !thrown.has(name),
    );
    expect(unknown).toEqual([]);
  });

  it('every transient error we throw is retried and never only caught', () => {
    const retried = new Set(tasks.flatMap(([, s]) => retries(s).flatMap((r) => r.ErrorEquals)));
    const thrownTransient = TRANSIENT_ERROR_NAMES.filter((n) => thrown.has(n));
    expect(thrownTransient.length).toBeGreaterThan(0);
    expect(thrownTransient.filter((n) => !retried.has(n))).toEqual([]);
  });

  it('every terminal error we throw is caught explicitly, and never retried', () => {
    const caught = new Set(tasks.flatMap(([, s]) => catches(s).flatMap((c) => c.ErrorEquals)));
    const retried = new Set(tasks.flatMap(([, s]) => retries(s).flatMap((r) => r.ErrorEquals)));
    const thrownTerminal = TERMINAL_ERROR_NAMES.filter((n) => thrown.has(n));
    expect(thrownTerminal.filter((n) => !caught.has(n))).toEqual([]);
    expect(TERMINAL_ERROR_NAMES.filter((n) => retried.has(n))).toEqual([]);
  });

  it.each(tasks)(
    'Task %s retries transient and Lambda service errors with backoff and full jitter',
    (_name, state) => {
      const rules = retries(state);
      const retried = rules.flatMap((r) => r.ErrorEquals);
      for (const name of [...TRANSIENT_ERROR_NAMES.filter((n) => thrown.has(n)), ...LAMBDA_ERRORS]) {
        expect(retried).toContain(name);
      }
      for (const rule of rules) {
        // A token Task's round (TimeoutSeconds, or HeartbeatSeconds for CopyImage) is its
        // polling fallback: rounds of equal length, 12 to 13 hours of them in all.
        const round = fallbackRoundError(state);
        if (isWaitForToken(state) && rule.ErrorEquals.includes(round)) {
          expect(rule).toMatchObject({ ErrorEquals: [round], BackoffRate: 1 });
          const waited = fallbackRoundSeconds(state) * ((rule.MaxAttempts ?? 0) + 1);
          expect(waited).toBeGreaterThanOrEqual(12 * 3600);
          expect(waited).toBeLessThanOrEqual(13 * 3600);
          continue;
        }
        expect(rule.BackoffRate).toBeGreaterThan(1);
        expect(rule.JitterStrategy).toBe('FULL');
        expect(rule.MaxAttempts).toBeGreaterThan(0);
      }
    },
  );

  const perTarget = tasks.filter(([name]) => !['DiscoverTargets', 'Summarize'].includes(name));
  it.each(perTarget)('Task %s catches the terminal errors, then States.ALL last', (_name, state) => {
    const rules = catches(state);
    expect(rules.at(-1)?.ErrorEquals).toEqual(['States.ALL']);
    const explicit = rules.slice(0, -1).flatMap((r) => r.ErrorEquals);
    expect(explicit.length).toBeGreaterThan(0);
    expect(explicit.every((n) => (TERMINAL_ERROR_NAMES as readonly string[]).includes(n))).toBe(true);
  });

  it('a failed copy region is recorded inside the copy iteration, a failed target inside the target iteration', () => {
    expect(catches(states.get('CopyImage') as AslState).map((c) => c.Next)).toEqual([
      'CopyFailed',
      'CopyFailed',
    ]);
    // The dry run's iteration records a target it cannot plan the same way, in its own Pass.
    expect(catches(states.get('PlanTarget') as AslState).map((c) => c.Next)).toEqual([
      'PlanFailed',
      'PlanFailed',
    ]);
    for (const [name] of perTarget.filter(([n]) => !['CopyImage', 'PlanTarget'].includes(n))) {
      expect(catches(states.get(name) as AslState).every((c) => c.Next === 'TargetFailed')).toBe(true);
    }
  });

  it('a selection over maxTargetsPerRun, or a run id already recorded, fails the run at DiscoverTargets, before any target is touched', () => {
    const discover = states.get('DiscoverTargets') as AslState;
    expect(catches(discover)).toEqual([
      { ErrorEquals: ['TooManyTargets'], ResultPath: '$.error', Next: 'TooManyTargets' },
      { ErrorEquals: ['RunAlreadyRecorded'], ResultPath: '$.error', Next: 'RunAlreadyRecorded' },
    ]);
    expect(states.get('RunAlreadyRecorded')).toEqual({
      Type: 'Fail',
      Error: 'RunAlreadyRecorded',
      CausePath: '$.error.Cause',
    });
    expect(states.get('TooManyTargets')).toEqual({
      Type: 'Fail',
      Error: 'TooManyTargets',
      CausePath: '$.error.Cause',
    });
  });

  it('a dry run branches off at the start of each child into the read-only plan and never reaches a create step', () => {
    expect(states.get('DiscoverTargets')?.Next).toBe('BackupTargets');
    const map = states.get('BackupTargets') as AslState & { ItemProcessor: { StartAt: string } };
    expect(map.ItemProcessor.StartAt).toBe('DryRunOrBackup');
    expect(states.get('DryRunOrBackup')).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.run.dryRun', BooleanEquals: true, Next: 'PlanTarget' }],
      Default: 'CreateSnapshots',
    });
    expect(states.get('PlanTarget')).toMatchObject({ End: true });
    expect(states.get('PlanFailed')).toMatchObject({ Type: 'Pass', End: true });
  });

  /**
   * Step Functions Developer Guide: "Using Map state in Distributed mode" (ProcessorConfig
   * Mode DISTRIBUTED, ExecutionType STANDARD, MaxConcurrency(Path), ToleratedFailurePercentage),
   * "ItemReader (Map)" (arn:aws:states:::s3:getObject, ReaderConfig InputType JSON) and
   * "ResultWriter (Map)" (arn:aws:states:::s3:putObject, Bucket + Prefix).
   */
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the ASL's placeholder, not a template
  const resultsBucket = '${backupResultsBucket}';
  it('the targets run on a Distributed Map: one Standard child each, items from S3, results to S3, no failure stops the map', () => {
    expect(states.get('BackupTargets')).toMatchObject({
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { Bucket: resultsBucket, 'Key.$': '$.files.itemsKey' },
      },
      ItemSelector: { 'run.$': '$.run', backup: { 'target.$': '$$.Map.Item.Value' } },
      MaxConcurrencyPath: '$.run.policy.maxConcurrency',
      ToleratedFailurePercentage: 100,
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Bucket: resultsBucket, Prefix: 'results' },
      },
      ResultPath: '$.results',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      Next: 'Summarize',
    });
    // No target list in the parent's state: no ItemsPath, the Map reads the S3 object.
    expect(states.get('BackupTargets')?.ItemsPath).toBeUndefined();
  });

  it('an unreadable item or result file fails the run, named, in a Fail state', () => {
    expect(catches(states.get('BackupTargets') as AslState)).toEqual([
      {
        ErrorEquals: ['States.ItemReaderFailed', 'States.ResultWriterFailed'],
        ResultPath: '$.error',
        Next: 'RunFilesFailed',
      },
    ]);
    expect(states.get('RunFilesFailed')).toEqual({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
    expect(catches(states.get('Summarize') as AslState)).toEqual([
      { ErrorEquals: ['RunFileUnreadable'], ResultPath: '$.error', Next: 'RunFileUnreadable' },
    ]);
  });

  it('a failed target fails its child execution with the target record as the cause (a redrive re-runs it)', () => {
    expect(states.get('TargetFailed')).toEqual({
      Type: 'Pass',
      Parameters: { 'Error.$': '$.backup.error.Error', 'Cause.$': 'States.JsonToString($.backup)' },
      Next: 'TargetFailedEnd',
    });
    expect(states.get('TargetFailedEnd')).toEqual({
      Type: 'Fail',
      ErrorPath: '$.Error',
      CausePath: '$.Cause',
    });
  });

  it('the run fails through a Fail state after the summary when any target failed', () => {
    expect(states.get('Summarize')?.Next).toBe('AnyTargetFailed');
    expect(states.get('RunFailed')).toMatchObject({
      Type: 'Fail',
      Error: 'BackupRunFailed',
      CausePath: '$.message',
    });
  });
});
