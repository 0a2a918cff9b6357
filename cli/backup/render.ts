/** Human text for backup executions and run summaries (the JSON output is the data itself). */
import * as z from 'zod';
import type { ExecutionListItem } from '../../shared/aws/sfn-executions.ts';
import { type ExecutionView, mapLine } from './follow.ts';
import { targetLine } from './progress.ts';
import { dryRunPlanText } from './render-plan.ts';

/** The parts of the run summary (shared/backup/summary.ts RunSummary) the text shows; read leniently. */
const summarySchema = z.object({
  policy: z.string(),
  runId: z.string(),
  dryRun: z.boolean(),
  overallStatus: z.string(),
  durationSeconds: z.number(),
  targets: z.array(
    z.object({
      target: z.string(),
      status: z.string(),
      regions: z.array(
        z.object({
          region: z.string(),
          role: z.string(),
          status: z.string(),
          imageId: z.string().optional(),
          snapshotIds: z.array(z.string()),
          rotation: z
            .object({ deleted: z.array(z.string()), keptBackups: z.number(), notOurs: z.number() })
            .optional(),
          verification: z
            .object({
              status: z.string(),
              at: z.string().optional(),
              secondsToPass: z.number().optional(),
              reason: z.string().optional(),
            })
            .optional(),
        }),
      ),
      failures: z.array(z.string()),
    }),
  ),
  totals: z.object({ targets: z.number(), succeeded: z.number(), failed: z.number(), deleted: z.number() }),
  warnings: z.array(z.string()),
  plan: z.unknown().optional(),
});

/** `; restore test verified 2026-12-02 (95 s)`, the same status as `backup list` shows. */
const restoreTest = (
  v: { status: string; at?: string; secondsToPass?: number; reason?: string } | undefined,
) => {
  if (v === undefined) return '';
  const day = v.at === undefined ? '' : ` ${v.at.slice(0, 10)}`;
  if (v.status === 'verified')
    return `; restore test verified${day}${v.secondsToPass === undefined ? '' : ` (${v.secondsToPass} s)`}`;
  if (v.status === 'failed') return `; restore test FAILED${day}: ${v.reason ?? 'no reason recorded'}`;
  return '; never verified';
};

function summaryText(summary: unknown): string[] {
  const parsed = summarySchema.safeParse(summary);
  if (!parsed.success) return [];
  const s = parsed.data;
  if (s.dryRun) return dryRunText(s);
  const lines = [
    `Summary: ${s.totals.succeeded}/${s.totals.targets} targets backed up, ${s.totals.deleted} old resource(s) rotated out, ${s.durationSeconds} s`,
  ];
  for (const t of s.targets) {
    lines.push(`  ${t.target} ${t.status}`);
    for (const r of t.regions) {
      const made = r.imageId ?? (r.snapshotIds.length > 0 ? r.snapshotIds.join(' ') : '—');
      const rotation = r.rotation
        ? `; rotation deleted ${r.rotation.deleted.length} resource(s), kept ${r.rotation.keptBackups} backup(s)${r.rotation.notOurs > 0 ? `, left alone ${r.rotation.notOurs} not ours` : ''}`
        : '';
      lines.push(`    ${r.region} (${r.role}) ${r.status}: ${made}${rotation}${restoreTest(r.verification)}`);
    }
    for (const f of t.failures) lines.push(`    failure: ${f}`);
  }
  for (const w of s.warnings) lines.push(`  warning: ${w}`);
  return lines;
}

/** A dry run created nothing: its text is the plan, not regions and ids. */
function dryRunText(s: z.infer<typeof summarySchema>): string[] {
  const lines = [
    `Summary (dry run, nothing created, copied, shared or deleted): ${s.totals.succeeded}/${s.totals.targets} targets planned, ${s.durationSeconds} s`,
    ...dryRunPlanText(s.plan),
  ];
  for (const w of s.warnings.filter((w) => !w.startsWith('dry run:'))) lines.push(`  warning: ${w}`);
  return lines;
}

export function executionText(view: ExecutionView): string {
  const { execution, progress } = view;
  const lines = [
    `${execution.name}: ${execution.status}${execution.startDate ? ` (started ${execution.startDate}${execution.stopDate ? `, stopped ${execution.stopDate}` : ''})` : ''}`,
  ];
  if (execution.error)
    lines.push(`  error: ${execution.error}${execution.cause ? `: ${execution.cause}` : ''}`);
  for (const map of view.maps) lines.push(`  ${mapLine(map)}`);
  if (progress.summary === undefined) for (const t of progress.targets) lines.push(`  ${targetLine(t)}`);
  lines.push(...summaryText(progress.summary));
  return lines.join('\n');
}

export function executionListText(items: readonly ExecutionListItem[]): string {
  if (items.length === 0) return 'no executions';
  const width = Math.max(...items.map((i) => i.name.length));
  return items
    .map(
      (i) =>
        `${i.name.padEnd(width)}  ${i.status.padEnd(9)}  ${i.startDate ?? ''}${i.stopDate ? ` → ${i.stopDate}` : ''}`,
    )
    .join('\n');
}
