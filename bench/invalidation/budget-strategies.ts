/**
 * Budget-paced Shipyard strategies: each keeps its own month-to-date spend and deploy counts while
 * the history is replayed in order, so a deploy's plan only uses the month so far and the site's past.
 */

import { SiteSchema } from '../../shared/config/sites.ts';
import {
  billingMonth,
  DEFAULT_NEEDLESS_WEIGHT,
  decodePath,
  deployAllowance,
  monthElapsed,
  planInvalidation,
  previousMonths,
  RATE_MONTHS,
  usualDeployRate,
} from '../../shared/invalidation/index.ts';
import type { ChangeSet } from '../../shared/invalidation-service/change-set.ts';
import { wantsInventory } from '../../shared/invalidation-service/inventory.ts';
import { planBatches } from '../../shared/invalidation-service/plan-batches.ts';
import { type DeployInput, KIND, type Strategy } from './strategies.ts';

/** `shipyard-budget-<budget>`: a site whose monthly budget is `budget` paths (its account's cap alike). */
export function shipyardBudget(budget: number): Strategy {
  const spentByMonth = new Map<string, number>();
  const deploysByMonth = new Map<string, number>();
  return {
    name: `shipyard-budget-${budget}`,
    plan(deploy: DeployInput) {
      const month = billingMonth(deploy.time);
      const spent = spentByMonth.get(month) ?? 0;
      const allowance = deployAllowance({
        siteBudget: budget,
        siteSpent: spent,
        accountCap: budget,
        accountSpent: spent,
        elapsed: monthElapsed(deploy.time),
        deploysThisMonth: deploysByMonth.get(month) ?? 0,
        deploysPerMonth: usualDeployRate(
          previousMonths(month, RATE_MONTHS).map((m) => deploysByMonth.get(m)),
        ),
      });
      const plan = planInvalidation({
        changes: deploy.changes.map((c) => ({ key: c.path, change: KIND[c.status] })),
        inventory: [...deploy.inventoryAfter],
        cost: { maxPaths: allowance.maxPaths, needlessWeight: DEFAULT_NEEDLESS_WEIGHT },
      });
      if (deploy.changes.length > 0) {
        deploysByMonth.set(month, (deploysByMonth.get(month) ?? 0) + 1);
        spentByMonth.set(month, spent + plan.billedPaths);
      }
      return {
        paths: plan.paths.map(decodePath),
        batches: plan.batches.length,
        reportedNeedless: plan.needlessObjects,
      };
    },
  };
}

const SHIPPED_SITE = SiteSchema.parse({
  name: 'bench',
  bucket: 'bench-site',
  distributionIds: ['EBENCH0000000'],
});

/**
 * `shipyard-shipped`: what a site gets with every default, through the same use-case code the
 * functions run: the site's needless weight, and the inventory listed only when `inventory: auto`
 * says so (change sets of at least `inventoryMinUrls` URLs); smaller ones plan with the estimate.
 */
export const shipyardShipped: Strategy = {
  name: 'shipyard-shipped',
  plan(deploy: DeployInput) {
    const changeSet: ChangeSet = {
      site: SHIPPED_SITE.name,
      deployId: 'bench',
      source: 'cli',
      changes: deploy.changes.map((c) => ({ key: c.path, change: KIND[c.status] })),
      paths: [],
    };
    const inventory = wantsInventory(changeSet, SHIPPED_SITE) ? [...deploy.inventoryAfter] : undefined;
    const planned = planBatches(changeSet, SHIPPED_SITE, { files: 0, wildcards: 0 }, inventory);
    return {
      paths: planned.batches.flat().map(decodePath),
      batches: planned.batches.length,
      ...(planned.needlessObjects === null ? {} : { reportedNeedless: planned.needlessObjects }),
    };
  },
};
