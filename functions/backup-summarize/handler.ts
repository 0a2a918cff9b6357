/**
 * Summarize: folds every target's outcome into the run summary (per target and region:
 * AMI and snapshot ids, durations, what rotation deleted and kept, failures with reasons),
 * logs it, and tells the closing Choice whether to fail the execution so alarms fire.
 * A dry run's results are plans (PlanTarget): its summary says so and lists the plan.
 */
import * as z from 'zod';
import { buildDryRunSummary } from '../../shared/backup/dry-run-summary.ts';
import { buildRunSummary, failureFromCatch, type RunSummary } from '../../shared/backup/summary.ts';
import { targetSelectionSchema } from '../../shared/backup/target-cap.ts';
import { type BackupDeps, BackupMetric, tagRunLogs } from '../../shared/backup-service/deps.ts';
import { targetResult } from '../../shared/backup-service/outcome.ts';
import {
  type BackupState,
  backupStateSchema,
  type Run,
  runSchema,
  targetSchema,
} from '../../shared/backup-service/state.ts';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import { backupDeps, backupEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const inputSchema = z
  .object({
    run: runSchema,
    targets: z.array(targetSchema),
    selection: targetSelectionSchema.optional(),
    results: z.array(backupStateSchema),
  })
  .strict();

/** Fail-state causes are capped by Step Functions (32,768 chars); keep the headline short. */
const MAX_MESSAGE = 4_000;

export interface SummarizeOutput {
  summary: RunSummary;
  failed: boolean;
  message: string;
}

function dryRunSummary(input: z.infer<typeof inputSchema>, finishedAt: string): SummarizeOutput {
  const { run, results, selection } = input;
  const summary = buildDryRunSummary({
    policy: run.policy.name,
    runId: run.runId,
    startedAt: run.startedAt,
    finishedAt,
    ...(selection === undefined ? {} : { selection }),
    targets: results.map((b) => {
      const failure = b.error === undefined ? undefined : failureFromCatch(b.error);
      return {
        target: b.target.id,
        kind: b.target.kind,
        form: b.target.form,
        ...(b.plan === undefined ? {} : { plan: b.plan }),
        ...(failure === undefined ? {} : { failure: `${failure.error}: ${failure.reason}` }),
      };
    }),
  });
  const failed = summary.overallStatus === 'failed';
  const planned = `${summary.totals.succeeded}/${summary.totals.targets} targets planned`;
  const overCap = selection?.exceeded
    ? `; a real run would fail with TooManyTargets (${selection.found} targets, maxTargetsPerRun ${selection.maxTargetsPerRun})`
    : '';
  const headline = `${run.policy.name} ${run.runId}: dry run, nothing created: ${planned}${overCap}`;
  const failures = summary.targets.flatMap((t) => t.failures.map((f) => `${t.target}: ${f}`));
  const message = (failed ? `${headline}; would fail: ${failures.join(' | ')}` : headline).slice(
    0,
    MAX_MESSAGE,
  );
  return { summary, failed, message };
}

function backupSummary(run: Run, results: BackupState[], finishedAt: string): SummarizeOutput {
  const summary = buildRunSummary({
    policy: run.policy.name,
    runId: run.runId,
    dryRun: run.dryRun,
    startedAt: run.startedAt,
    finishedAt,
    targets: results.map((b) => targetResult(run, b, finishedAt)),
  });
  const failed = summary.overallStatus === 'failed';
  const { totals } = summary;
  const headline = `${run.policy.name} ${run.runId}: ${totals.succeeded}/${totals.targets} targets backed up`;
  const failures = summary.targets.flatMap((t) => t.failures.map((f) => `${t.target}: ${f}`));
  const message = (failed ? `${headline}; failures: ${failures.join(' | ')}` : headline).slice(
    0,
    MAX_MESSAGE,
  );
  return { summary, failed, message };
}

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<SummarizeOutput> => {
    tagRunLogs(deps.logger, event);
    const input = parseTaskInput('summarize', inputSchema, event);
    const { run, results } = input;
    // A schedule's `now` may be slightly ahead of this clock: never end before the start.
    const finishedAt = new Date(Math.max(deps.now().getTime(), Date.parse(run.startedAt))).toISOString();
    const output = run.dryRun ? dryRunSummary(input, finishedAt) : backupSummary(run, results, finishedAt);
    const { summary, failed } = output;
    const { totals } = summary;
    (failed ? deps.logger.error : deps.logger.info).call(deps.logger, 'backup run summary', { summary });
    // Backup metrics count backups: a rehearsal must not move them (nor fire the failure alarm).
    if (deps.metrics && !run.dryRun) {
      const dimensions = { policy: run.policy.name };
      deps.metrics.count(BackupMetric.Succeeded, totals.succeeded, dimensions);
      deps.metrics.count(BackupMetric.Failed, totals.failed, dimensions);
      deps.metrics.flush();
    }
    return output;
  };
}

export const handler = lambdaHandler({
  name: 'backup-summarize',
  env: backupEnv,
  deps: backupDeps,
  handler: makeHandler,
});
