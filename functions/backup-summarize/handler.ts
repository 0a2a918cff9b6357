/**
 * Summarize: folds every target's outcome into the run summary (per target and region:
 * AMI and snapshot ids, durations, what rotation deleted and kept, failures with reasons),
 * logs it, and tells the closing Choice whether to fail the execution so alarms fire.
 * A dry run's results are plans (PlanTarget): its summary says so and lists the plan.
 * The outcomes come from the Distributed Map's exported results in S3 (map-results.ts); the
 * whole summary is written back to the results bucket and the output keeps the targets that
 * fit SUMMARY_TARGET_BYTES_IN_STATE (failed ones first): the parent's state stays bounded.
 */
import * as z from 'zod';
import { buildDryRunSummary } from '../../shared/backup/dry-run-summary.ts';
import { RunFileUnreadable } from '../../shared/backup/errors.ts';
import { buildRunSummary, failureFromCatch, type RunSummary } from '../../shared/backup/summary.ts';
import { withVerificationStatus } from '../../shared/backup/summary-verification.ts';
import { targetSelectionSchema } from '../../shared/backup/target-cap.ts';
import { type BackupDeps, BackupMetric, tagRunLogs } from '../../shared/backup-service/deps.ts';
import { mapRunOutputSchema, readMapResults } from '../../shared/backup-service/map-results.ts';
import { targetResult } from '../../shared/backup-service/outcome.ts';
import { runFileKeys } from '../../shared/backup-service/run-files.ts';
import { type BackupState, type Run, runSchema } from '../../shared/backup-service/state.ts';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import { backupDeps, backupRunsResultsEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const inputSchema = z
  .object({
    run: runSchema,
    files: z.object({ bucket: z.string(), itemsKey: z.string(), resultsPrefix: z.string() }).strict(),
    targetCount: z.number().int().min(0),
    selection: targetSelectionSchema.optional(),
    results: mapRunOutputSchema,
  })
  .strict();

/**
 * Bytes of target lines the output (the parent's state) may carry: Step Functions caps a
 * state at 256 KiB; the summary in S3 lists every target.
 */
const SUMMARY_TARGET_BYTES_IN_STATE = 24 * 1024;

/**
 * The summary as the state carries it: the targets that fit SUMMARY_TARGET_BYTES_IN_STATE,
 * failed ones first, listed in run order; `targetsOmitted` counts the rest.
 */
function bounded(summary: RunSummary, document: { bucket: string; key: string }): RunSummary {
  const kept = new Set<string>();
  let bytes = 0;
  const byFailure = [...summary.targets].sort(
    (a, b) => Number(b.status === 'failed') - Number(a.status === 'failed'),
  );
  for (const target of byFailure) {
    bytes += Buffer.byteLength(JSON.stringify(target));
    if (bytes > SUMMARY_TARGET_BYTES_IN_STATE) break;
    kept.add(target.target);
  }
  const omitted = summary.targets.length - kept.size;
  if (omitted === 0) return { ...summary, document };
  const plan = summary.plan && {
    ...summary.plan,
    targets: summary.plan.targets.filter((t) => kept.has(t.target)),
  };
  return {
    ...summary,
    targets: summary.targets.filter((t) => kept.has(t.target)),
    ...(plan === undefined ? {} : { plan }),
    targetsOmitted: omitted,
    document,
  };
}

/** Fail-state causes are capped by Step Functions (32,768 chars); keep the headline short. */
const MAX_MESSAGE = 4_000;

export interface SummarizeOutput {
  summary: RunSummary;
  failed: boolean;
  message: string;
}

type SummarizeInput = z.infer<typeof inputSchema>;

function dryRunSummary(input: SummarizeInput, results: BackupState[], finishedAt: string): SummarizeOutput {
  const { run, selection } = input;
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

/** Each target's restore-test status in the policy's verify regions (read from Shipyard's store). */
async function withRestoreTests(deps: BackupDeps, run: Run, out: SummarizeOutput): Promise<SummarizeOutput> {
  const regions = run.policy.verify?.regions.map((r) => r.region) ?? [];
  if (deps.verifications === undefined || regions.length === 0) return out;
  const records = await deps.verifications.results();
  return { ...out, summary: withVerificationStatus(out.summary, records, regions) };
}

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<SummarizeOutput> => {
    tagRunLogs(deps.logger, event);
    const input = parseTaskInput('summarize', inputSchema, event);
    const { run } = input;
    const results = await readMapResults(deps.runFiles, input.results);
    if (results.length !== input.targetCount)
      throw new RunFileUnreadable(
        `summarize: the Map's results hold ${results.length} targets, the run has ${input.targetCount} (s3://${input.results.ResultWriterDetails.Bucket}/${input.results.ResultWriterDetails.Key})`,
      );
    // A schedule's `now` may be slightly ahead of this clock: never end before the start.
    const finishedAt = new Date(Math.max(deps.now().getTime(), Date.parse(run.startedAt))).toISOString();
    const full = run.dryRun
      ? dryRunSummary(input, results, finishedAt)
      : await withRestoreTests(deps, run, backupSummary(run, results, finishedAt));
    const document = await deps.runFiles.putJson(
      runFileKeys.summary(run.policy.name, run.runId),
      full.summary,
    );
    const output = { ...full, summary: bounded(full.summary, document) };
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
  env: backupRunsResultsEnv,
  deps: backupDeps,
  handler: makeHandler,
});
