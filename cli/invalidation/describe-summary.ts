/** The human text of an invalidation plan or submission: batches, why wildcards, the month's bill. */
import type { DeploySummary, DistributionSummary } from '../../shared/invalidation-service/deploy-summary.ts';

/** Paths listed per batch; the rest is counted. */
const PATHS_SHOWN = 20;

const distributionLines = (d: DistributionSummary): string[] => {
  const lines = [`  ${d.id}:`];
  for (const b of d.batches) {
    lines.push(
      `    batch ${b.batchIndex} [${b.status}${b.invalidationId ? ` ${b.invalidationId}` : ''}] ${b.paths.length} path(s)`,
    );
    for (const p of b.paths.slice(0, PATHS_SHOWN)) lines.push(`      ${p}`);
    if (b.paths.length > PATHS_SHOWN) lines.push(`      … ${b.paths.length - PATHS_SHOWN} more`);
  }
  for (const reason of d.wildcardReasons) lines.push(`    why: ${reason}`);
  return lines;
};

const budgetLine = (budget: NonNullable<DeploySummary['budget']>): string => {
  const known = (n: number | null, unit = '') => (n === null ? 'unknown (no ledger)' : `${n}${unit}`);
  return `  ${budget.month}: this deploy bills ${budget.pathsThisDeploy} path(s); month to date ${known(budget.monthToDatePaths)}; free tier left ${known(budget.freeTierLeft)}; cost at list price $${budget.dollars === null ? '? (no ledger)' : budget.dollars.toFixed(3)}`;
};

/** `verb` is `Plan` (what would be billed: every batch not deferred) or `Submitted`. */
export const describeSummary = (summary: DeploySummary, verb: 'Plan' | 'Submitted'): string => {
  const lines = [
    `${verb} for ${summary.site} (deploy ${summary.deployId}):`,
    ...summary.distributions.flatMap(distributionLines),
  ];
  const planned = summary.distributions.flatMap((d) => d.batches).filter((b) => b.status !== 'deferred');
  lines.push(
    `  billed paths: ${verb === 'Plan' ? planned.reduce((n, b) => n + b.paths.length, 0) : summary.pathsBilled}`,
  );
  if (summary.budget) lines.push(budgetLine(summary.budget));
  for (const { key, reason } of summary.ignoredKeys) lines.push(`  not invalidated: ${key} (${reason})`);
  const deferred = summary.distributions.reduce((n, d) => n + d.deferrals, 0);
  if (deferred > 0)
    lines.push(
      `  ${deferred} batch(es) do not fit next to the invalidations in flight: run again later with --deploy-id ${summary.deployId} (what was submitted is not billed again)`,
    );
  return lines.join('\n');
};
