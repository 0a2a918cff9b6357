/**
 * Invalidation planner benchmark: replays real deploy histories with every strategy and scores the
 * plans as /work/shared/data/deploys/README.md defines; then a synthetic scaling run.
 *
 *   npx tsx bench/invalidation.bench.ts [--data DIR] [--json] [--scale | --no-scale]
 *
 * --scale runs only the scaling run; --no-scale skips it. Prints numbers, asserts nothing on timing.
 */
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { billingMonth, monthCostUsd, planInvalidation } from '../shared/invalidation/index.ts';
import { shipyardBudget, shipyardShipped } from './invalidation/budget-strategies.ts';
import { type Dataset, loadDatasets } from './invalidation/datasets.ts';
import { scorePlan } from './invalidation/scoring.ts';
import { STATELESS_STRATEGIES, type Strategy } from './invalidation/strategies.ts';
import { syntheticChanges, syntheticInventory } from './invalidation/synthetic.ts';
import { budgetTargets, paretoTargets } from './invalidation/targets.ts';

interface Row {
  dataset: string;
  strategy: string;
  billedPaths: number;
  needlessObjects: number;
  missedUrls: number;
  batches: number;
  planMs: number;
  /** The most paths the strategy billed in one UTC calendar month. */
  maxMonthPaths: number;
  /** List price over the whole history, the site alone on its account (free tier per month). */
  dollars: number;
}

/** Budgeted rows: their monthly budget of paths. */
const BUDGETS = [1000, 100] as const;

/** Fresh strategies per dataset: the paced ones keep month-to-date state. */
const strategiesFor = (): Strategy[] => [
  ...STATELESS_STRATEGIES,
  shipyardShipped,
  ...BUDGETS.map((budget) => shipyardBudget(budget)),
];

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const dataFlag = argv.indexOf('--data');
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir =
  dataFlag !== -1 && argv[dataFlag + 1]
    ? resolve(argv[dataFlag + 1]!)
    : resolve(repoRoot, '../shared/data/deploys');
const onlyScale = argv.includes('--scale');
const withScale = !argv.includes('--no-scale');

interface Replay {
  readonly rows: Row[];
  readonly selfCheckMismatches: Map<string, number>;
  /** Deploys where budgeted Shipyard invalidates no more needless objects than s3deploy-forms. */
  readonly dominated: number;
}

function replay(dataset: Dataset): Replay {
  const inventory = new Set(dataset.inventory);
  const strategies = strategiesFor();
  const monthPaths = strategies.map(() => new Map<string, number>());
  const rows: Row[] = strategies.map((strategy) => ({
    dataset: dataset.name,
    strategy: strategy.name,
    billedPaths: 0,
    needlessObjects: 0,
    missedUrls: 0,
    batches: 0,
    planMs: 0,
    maxMonthPaths: 0,
    dollars: 0,
  }));
  const selfCheckMismatches = new Map<string, number>();
  let dominated = 0;
  for (const deploy of dataset.deploys) {
    for (const change of deploy.changes) {
      if (change.status === 'D') inventory.delete(change.path);
      else inventory.add(change.path);
    }
    const changed = new Set(deploy.changes.map((c) => c.path));
    const inventoryAfter = [...inventory];
    const time = Date.parse(deploy.time);
    const month = billingMonth(time);
    const needless = new Map<string, number>();
    strategies.forEach((strategy: Strategy, i) => {
      const row = rows[i]!;
      const started = performance.now();
      const plan = strategy.plan({ changes: deploy.changes, inventoryAfter, time });
      row.planMs += performance.now() - started;
      const score = scorePlan(plan.paths, changed, inventory);
      const months = monthPaths[i]!;
      months.set(month, (months.get(month) ?? 0) + score.billedPaths);
      row.billedPaths += score.billedPaths;
      row.needlessObjects += score.needlessObjects;
      row.missedUrls += score.missedUrls;
      row.batches += plan.batches;
      needless.set(strategy.name, score.needlessObjects);
      if (plan.reportedNeedless !== undefined && plan.reportedNeedless !== score.needlessObjects) {
        selfCheckMismatches.set(strategy.name, (selfCheckMismatches.get(strategy.name) ?? 0) + 1);
      }
    });
    if ((needless.get('shipyard') ?? 0) <= (needless.get('s3deploy-forms') ?? 0)) dominated++;
  }
  rows.forEach((row, i) => {
    row.planMs = Math.round(row.planMs * 10) / 10;
    const months = [...monthPaths[i]!.values()];
    row.maxMonthPaths = Math.max(0, ...months);
    row.dollars = Math.round(months.reduce((sum, paths) => sum + monthCostUsd(paths), 0) * 1000) / 1000;
  });
  return { rows, selfCheckMismatches, dominated };
}

function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [
    headers,
    ...rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  const line = (r: Array<string | number>) =>
    `| ${r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(headers),
    `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

function runDatasets(): void {
  for (const dataset of loadDatasets(dataDir)) {
    const { rows, selfCheckMismatches, dominated } = replay(dataset);
    for (const [strategy, count] of selfCheckMismatches) {
      console.error(`! ${dataset.name} ${strategy}: reported needless ≠ scored in ${count} deploys`);
    }
    if (json) {
      for (const row of rows) console.log(JSON.stringify(row));
      continue;
    }
    console.log(
      `\n${dataset.name} (${dataset.deploys.length} deploys, inventory ${dataset.inventory.length})\n`,
    );
    console.log(
      table(
        [
          'strategy',
          'billed paths',
          'needless objects',
          'missed URLs',
          'batches',
          'planner ms',
          'max paths/month',
          'dollars',
        ],
        rows.map((r) => [
          r.strategy,
          r.billedPaths,
          r.needlessObjects,
          r.missedUrls,
          r.batches,
          r.planMs,
          r.maxMonthPaths,
          r.dollars.toFixed(3),
        ]),
      ),
    );
    console.log(`\n${paretoTargets(rows)}`);
    for (const line of budgetTargets(rows, BUDGETS)) console.log(line);
    console.log(
      `per deploy: shipyard needless ≤ s3deploy-forms needless in ${dominated}/${dataset.deploys.length} deploys ` +
        "(the 8-path mode trades a few needless objects for fewer paths where a path saves < 7% of the fewest-path plan's)",
    );
  }
}

function runScale(): void {
  const inventory = syntheticInventory();
  const rows: Array<Array<string | number>> = [];
  for (const size of [10_000, 25_000, 50_000, 100_000]) {
    const changes = syntheticChanges(size).map((key) => ({ key, change: 'modified' as const }));
    for (const [label, cost] of [
      ['shipyard-default', {}],
      ['shipyard (8 paths)', { maxPaths: 8 }],
    ] as const) {
      const started = performance.now();
      const plan = planInvalidation({ changes, inventory, cost });
      const ms = performance.now() - started;
      const perK = ms / (size / 1000);
      if (json) {
        console.log(
          JSON.stringify({
            dataset: `synthetic-${size}`,
            strategy: label,
            billedPaths: plan.billedPaths,
            needlessObjects: plan.needlessObjects,
            missedUrls: 0,
            batches: plan.batches.length,
            planMs: Math.round(ms),
            msPer1kChanges: Math.round(perK * 10) / 10,
          }),
        );
      }
      rows.push([
        label,
        size,
        1_000_000,
        Math.round(ms),
        Math.round(perK * 10) / 10,
        plan.billedPaths,
        plan.needlessObjects ?? 'n/a',
      ]);
    }
  }
  if (!json) {
    console.log('\nscaling (synthetic, 1,000,000-key inventory)\n');
    console.log(
      table(
        [
          'strategy',
          'changed keys',
          'inventory',
          'planner ms',
          'ms per 1k changes',
          'billed paths',
          'needless',
        ],
        rows,
      ),
    );
  }
}

if (!onlyScale) runDatasets();
if (withScale || onlyScale) runScale();
