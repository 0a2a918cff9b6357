/**
 * The summary of a dry run: it says it was one, lists the plan per target, and counts what
 * the real run would create and delete. Its created/deleted totals stay 0 — nothing was.
 * A target whose plan failed is a target the real run would fail, so the dry run fails too
 * (exit 1 on `backup run --dry-run --wait`); a selection over the cap is a warning here,
 * where the real run would stop at DiscoverTargets.
 */
import type { DryRunPlan, TargetPlan } from './plan.ts';
import type { RunSummary, TargetSummary } from './summary.ts';
import type { TargetSelection } from './target-cap.ts';

interface DryRunTarget {
  target: string;
  kind: 'instance' | 'volume';
  form: 'image' | 'snapshots-only';
  plan?: TargetPlan;
  /** `<Error>: <reason>` when the target could not be planned. */
  failure?: string;
}

export interface DryRunSummaryInput {
  policy: string;
  runId: string;
  startedAt: string;
  finishedAt: string;
  selection?: TargetSelection;
  targets: DryRunTarget[];
}

const DRY_RUN_NOTE = 'dry run: nothing was created, copied, shared or deleted';

/**
 * @example
 * buildDryRunSummary({ policy: 'nightly', runId: 'nightly-dry', startedAt, finishedAt, targets: [] });
 * // { dryRun: true, overallStatus: 'succeeded', plan: { targets: [], totals: { … 0 } }, warnings: ['dry run: …', 'no targets discovered'] }
 */
export function buildDryRunSummary(input: DryRunSummaryInput): RunSummary {
  const targets: TargetSummary[] = input.targets.map((t) => ({
    target: t.target,
    kind: t.kind,
    status: t.failure === undefined ? 'succeeded' : 'failed',
    regions: [],
    failures: t.failure === undefined ? [] : [`plan: ${t.failure}`],
  }));
  const plans = input.targets.flatMap((t) => (t.plan === undefined ? [] : [t.plan]));
  const plan: DryRunPlan = {
    ...(input.selection === undefined ? {} : { selection: input.selection }),
    targets: input.targets.map((t) => ({
      target: t.target,
      kind: t.kind,
      form: t.form,
      ...(t.plan === undefined ? {} : { plan: t.plan }),
      ...(t.failure === undefined ? {} : { failure: t.failure }),
    })),
    totals: {
      snapshots: plans.reduce((n, p) => n + p.snapshots.volumes.length, 0),
      totalGiB: plans.reduce((n, p) => n + p.snapshots.totalGiB, 0),
      images: plans.filter((p) => p.image !== undefined).length,
      copies: plans.reduce((n, p) => n + p.copies.length, 0),
      wouldDelete: plans.reduce((n, p) => n + p.rotation.reduce((m, r) => m + r.wouldDelete.length, 0), 0),
    },
  };
  const failed = targets.filter((t) => t.status === 'failed').length;
  const warnings = [DRY_RUN_NOTE];
  if (input.selection?.exceeded) {
    warnings.push(
      `a real run would fail with TooManyTargets: the selection found ${input.selection.found} targets, maxTargetsPerRun is ${input.selection.maxTargetsPerRun}`,
    );
    const skipped = input.selection.notPlanned ?? [];
    if (skipped.length > 0)
      warnings.push(`${skipped.length} target(s) beyond the cap not planned: ${skipped.join(', ')}`);
  }
  if (targets.length === 0) warnings.push('no targets discovered');
  const deferred = plans.reduce(
    (n, p) => n + p.rotation.reduce((m, r) => m + r.report.deferredBackups, 0),
    0,
  );
  if (deferred > 0)
    warnings.push(`${deferred} backup(s) due for deletion would be deferred by maxDeletesPerRun`);
  return {
    policy: input.policy,
    runId: input.runId,
    dryRun: true,
    overallStatus: failed > 0 ? 'failed' : 'succeeded',
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    durationSeconds: Math.max(
      0,
      Math.round((Date.parse(input.finishedAt) - Date.parse(input.startedAt)) / 1000),
    ),
    targets,
    totals: {
      targets: targets.length,
      succeeded: targets.length - failed,
      failed,
      images: 0,
      snapshots: 0,
      deleted: 0,
      rotationFailures: 0,
    },
    warnings,
    plan,
  };
}
