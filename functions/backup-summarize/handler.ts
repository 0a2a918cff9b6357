/**
 * Summarize: folds every target's outcome into the run summary (per target and region:
 * AMI and snapshot ids, durations, what rotation deleted and kept, failures with reasons),
 * logs it, and tells the closing Choice whether to fail the execution so alarms fire.
 */
import { z } from 'zod';
import { buildRunSummary, type RunSummary } from '../../shared/backup/summary.ts';
import {
  type BackupDeps,
  BackupMetric,
  defaultBackupDeps,
  tagRunLogs,
} from '../../shared/backup-workflow/deps.ts';
import { targetResult } from '../../shared/backup-workflow/outcome.ts';
import { backupStateSchema, runSchema, targetSchema } from '../../shared/backup-workflow/state.ts';
import { parseTaskInput } from '../../shared/backup-workflow/task-input.ts';

const inputSchema = z
  .object({ run: runSchema, targets: z.array(targetSchema), results: z.array(backupStateSchema) })
  .strict();

/** Fail-state causes are capped by Step Functions (32,768 chars); keep the headline short. */
const MAX_MESSAGE = 4_000;

export interface SummarizeOutput {
  summary: RunSummary;
  failed: boolean;
  message: string;
}

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<SummarizeOutput> => {
    tagRunLogs(deps.logger, event);
    const { run, results } = parseTaskInput('summarize', inputSchema, event);
    // A schedule's `now` may be slightly ahead of this clock: never end before the start.
    const finishedAt = new Date(Math.max(deps.now().getTime(), Date.parse(run.startedAt))).toISOString();
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
    (failed ? deps.logger.error : deps.logger.info).call(deps.logger, 'backup run summary', { summary });
    if (deps.metrics) {
      const dimensions = { policy: run.policy.name };
      deps.metrics.count(BackupMetric.Succeeded, totals.succeeded, dimensions);
      deps.metrics.count(BackupMetric.Failed, totals.failed, dimensions);
      deps.metrics.flush();
    }
    return { summary, failed, message };
  };
}

export const handler = makeHandler(defaultBackupDeps('backup-summarize'));
