/**
 * The benchmark's targets, printed per dataset (bench/RESULTS.md restates them):
 * - the 8-path mode (`shipyard`) is Pareto no worse than s3deploy-forms: billed ≤ and needless ≤;
 * - every budget row `shipyard-budget-<B>` misses 0 URLs, bills at most B paths in every month, and
 *   invalidates at most a fraction of s3deploy-forms' needless objects (0.25 at 1,000, 0.8 at 100).
 */
interface TargetRow {
  readonly strategy: string;
  readonly billedPaths: number;
  readonly needlessObjects: number;
  readonly missedUrls: number;
  readonly maxMonthPaths: number;
}

/** Needless objects allowed, as a fraction of s3deploy-forms', per monthly budget. */
const NEEDLESS_RATIO_TARGET: Readonly<Record<number, number>> = { 1000: 0.25, 100: 0.8 };

const verdict = (ok: boolean) => (ok ? 'yes' : 'NO');
const ratio = (a: number, b: number) => (a / Math.max(1, b)).toFixed(3);

const row = (rows: readonly TargetRow[], strategy: string): TargetRow => {
  const found = rows.find((r) => r.strategy === strategy);
  if (!found) throw new Error(`no ${strategy} row`);
  return found;
};

export function paretoTargets(rows: readonly TargetRow[]): string {
  const ship = row(rows, 'shipyard');
  const forms = row(rows, 's3deploy-forms');
  return (
    `targets (shipyard, 8-path mode, Pareto no worse than s3deploy-forms): misses 0 URLs: ${verdict(ship.missedUrls === 0)}; ` +
    `billed ≤ (${ship.billedPaths} ≤ ${forms.billedPaths}): ${verdict(ship.billedPaths <= forms.billedPaths)}; ` +
    `needless ≤ (${ship.needlessObjects} ≤ ${forms.needlessObjects}): ${verdict(ship.needlessObjects <= forms.needlessObjects)} ` +
    `[ratio ${ratio(ship.needlessObjects, forms.needlessObjects)}]`
  );
}

export function budgetTargets(rows: readonly TargetRow[], budgets: readonly number[]): string[] {
  const forms = row(rows, 's3deploy-forms');
  return budgets.map((budget) => {
    const paced = row(rows, `shipyard-budget-${budget}`);
    const target = NEEDLESS_RATIO_TARGET[budget] ?? 1;
    return (
      `targets (shipyard-budget-${budget}): misses 0 URLs: ${verdict(paced.missedUrls === 0)}; ` +
      `max paths/month ≤ ${budget} (${paced.maxMonthPaths}): ${verdict(paced.maxMonthPaths <= budget)}; ` +
      `needless ≤ ${target} × s3deploy-forms (${paced.needlessObjects} ≤ ${Math.floor(target * forms.needlessObjects)}): ` +
      `${verdict(paced.needlessObjects <= target * forms.needlessObjects)} [ratio ${ratio(paced.needlessObjects, forms.needlessObjects)}]`
    );
  });
}
