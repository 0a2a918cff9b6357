/**
 * Budget-paced Shipyard strategies: each keeps its own month-to-date spend, deploy counts and demand
 * curves (what the ledger keeps) while the history is replayed in order, so a deploy's plan only uses
 * the month so far and the site's past. Planning goes through the use case's own `planBatches` and
 * `demandCurve` with a site as shipped (`inventory: auto`, its budget set: a paced deploy lists the
 * inventory, see wantsInventory; its wildcard rounds as `pacedSite` allows), like submit.ts.
 */

import { SiteSchema } from '../../shared/config/sites.ts';
import {
  billingMonth,
  clippedDemand,
  decodePath,
  deployAllowance,
  monthElapsed,
  PRICE_GRID,
  previousMonths,
  RATE_MONTHS,
  sumDemand,
  usualDeployRate,
} from '../../shared/invalidation/index.ts';
import { pacedSite } from '../../shared/invalidation-service/budget-plan.ts';
import type { ChangeSet } from '../../shared/invalidation-service/change-set.ts';
import { wantsInventory } from '../../shared/invalidation-service/inventory.ts';
import { demandCurve, planBatches } from '../../shared/invalidation-service/plan-batches.ts';
import { type DeployInput, KIND, type Strategy } from './strategies.ts';

const NOTHING_IN_FLIGHT = { files: 0, wildcards: 0 };

const benchSite = (monthlyPathBudget?: number) =>
  SiteSchema.parse({
    name: 'bench',
    bucket: 'bench-site',
    distributionIds: ['EBENCH0000000'],
    ...(monthlyPathBudget === undefined ? {} : { invalidation: { monthlyPathBudget } }),
  });

const changeSetOf = (deploy: DeployInput): ChangeSet => ({
  site: 'bench',
  deployId: 'bench',
  source: 'cli',
  changes: deploy.changes.map((c) => ({ key: c.path, change: KIND[c.status] })),
  paths: [],
});

/** `shipyard-budget-<budget>`: a site whose monthly budget is `budget` paths (its account's cap alike). */
export function shipyardBudget(budget: number): Strategy {
  // The account is the site alone: its cap is the site's budget (pacedSite: the rounds it plans with).
  const site = pacedSite(benchSite(budget), budget);
  const months = new Map<string, { spent: number; deploys: number; paths: number[]; at: number[] }>();
  return {
    name: `shipyard-budget-${budget}`,
    plan(deploy: DeployInput) {
      const month = billingMonth(deploy.time);
      const current = months.get(month) ?? { spent: 0, deploys: 0, paths: PRICE_GRID.map(() => 0), at: [] };
      const changeSet = changeSetOf(deploy);
      const inventory = wantsInventory(changeSet, site, true) ? [...deploy.inventoryAfter] : undefined;
      const demand = demandCurve(changeSet, site, NOTHING_IN_FLIGHT, inventory);
      const previous = previousMonths(month, RATE_MONTHS).map((m) => months.get(m));
      const allowance = deployAllowance({
        siteBudget: budget,
        siteSpent: current.spent,
        accountCap: budget,
        accountSpent: current.spent,
        elapsed: monthElapsed(deploy.time),
        deploysThisMonth: current.deploys,
        earlierDeploys: current.at,
        deploysPerMonth: usualDeployRate(previous.map((m) => m?.deploys)),
        demand,
        pastDemand: sumDemand([current, ...previous]),
        needlessWeight: site.invalidation.needlessWeight,
      });
      const planned = planBatches(changeSet, site, NOTHING_IN_FLIGHT, inventory, allowance);
      const paths = planned.batches.flat();
      if (deploy.changes.length > 0) {
        const recorded = clippedDemand(demand, budget);
        months.set(month, {
          spent: current.spent + paths.length,
          deploys: current.deploys + 1,
          paths: current.paths.map((n, i) => n + recorded[i]!),
          at: [...current.at, monthElapsed(deploy.time)],
        });
      }
      return {
        paths: paths.map(decodePath),
        batches: planned.batches.length,
        ...(planned.needlessObjects === null ? {} : { reportedNeedless: planned.needlessObjects }),
      };
    },
  };
}

const SHIPPED_SITE = benchSite();

/**
 * `shipyard-shipped`: what a site gets with every default, through the same use-case code the
 * functions run: the site's needless weight, and the inventory listed only when `inventory: auto`
 * says so (change sets of at least `inventoryMinUrls` URLs); smaller ones plan with the estimate.
 */
export const shipyardShipped: Strategy = {
  name: 'shipyard-shipped',
  plan(deploy: DeployInput) {
    const changeSet = changeSetOf(deploy);
    const inventory = wantsInventory(changeSet, SHIPPED_SITE) ? [...deploy.inventoryAfter] : undefined;
    const planned = planBatches(changeSet, SHIPPED_SITE, NOTHING_IN_FLIGHT, inventory);
    return {
      paths: planned.batches.flat().map(decodePath),
      batches: planned.batches.length,
      ...(planned.needlessObjects === null ? {} : { reportedNeedless: planned.needlessObjects }),
    };
  },
};
