/**
 * Budget-paced planning of one distribution's batches: the pacing cap comes from the month's ledger
 * (what the account and the site already spent, the site's deploy rate), the plan is made inside it,
 * and the plan's paths are reserved in the ledger with a conditional write. When another deploy wrote
 * first (two sites racing for the last free paths), the ledger is re-read and the plan re-made
 * against what is left, so the account never spends more than its cap (except a `/*` when nothing
 * is left: a miss is never an option).
 */
import type { Site } from '../config/sites.ts';
import {
  billingMonth,
  callerReference,
  clippedDemand,
  type DeployAllowance,
  deployAllowance,
  monthElapsed,
  pacedWildcardRounds,
  previousMonths,
  RATE_MONTHS,
  sumDemand,
  usualDeployRate,
} from '../invalidation/index.ts';
import type { ChangeSet } from './change-set.ts';
import { updateLedger } from './ledger-update.ts';
import { accountPaths, type LedgerMonth, type PathLedgerStore, sitePaths } from './path-ledger.ts';
import type { PacedCost, PlannedBatches } from './plan-batches.ts';
import type { InvalidationHistoryPort } from './reconcile-ledger.ts';

/** What budget pacing needs: the ledger, the account cap and the clock. */
export interface PathBudgetPorts {
  ledger: PathLedgerStore;
  /** The account's monthly cap (config `invalidationAccount.monthlyPathCap`). */
  accountCap: number;
  /** Every configured distribution: reconciliation counts other tools' paths on them. */
  distributionIds: readonly string[];
  /** CloudFront's invalidation history, for reconciliation. */
  history: InvalidationHistoryPort;
  now: () => number;
}

/**
 * The site as a paced deploy plans it: its wildcard rounds as pacedWildcardRounds allows for the
 * month's budget (the site's, or the account cap when lower). Its demand curve and its plan both take
 * this site, so they share one wildcard cap.
 */
export const pacedSite = (site: Site, accountCap: number): Site => {
  const monthBudget = Math.min(site.invalidation.monthlyPathBudget ?? accountCap, accountCap);
  const wildcardRounds = pacedWildcardRounds(site.invalidation.wildcardRounds, monthBudget);
  return wildcardRounds === site.invalidation.wildcardRounds
    ? site
    : { ...site, invalidation: { ...site.invalidation, wildcardRounds } };
};

/** The pacing decision of one distribution's plan, kept in the ledger so a redelivery replans alike. */
const allowanceKey = (site: string, deployId: string, distributionId: string) =>
  `${site}|${deployId}|${distributionId}`;

export interface BudgetedPlan {
  planned: PlannedBatches;
  allowance: DeployAllowance;
  /** Paths this plan adds to the month (0 on a redelivery: its batches were reserved before). */
  reservedPaths: number;
  ledger: LedgerMonth;
}

/** A month's deploys and summed demand of one site, as pacing reads them. */
const siteDemand = (ledger: LedgerMonth, site: string) => {
  const paths = ledger.demand[site];
  return paths === undefined ? undefined : { deploys: ledger.deploys[site] ?? 0, paths };
};

/** The site's past: its usual deploys per month and its demand, from the ledgers of the previous months. */
const sitePast = async (store: PathLedgerStore, month: string, site: string) => {
  const previous = await Promise.all(previousMonths(month, RATE_MONTHS).map((m) => store.read(m)));
  const known = previous.filter((p) => p.version !== null).map((p) => p.ledger);
  return {
    rate: usualDeployRate(
      previous.map((p) => (p.version === null ? undefined : (p.ledger.deploys[site] ?? 0))),
    ),
    demand: known.map((ledger) => siteDemand(ledger, site)),
  };
};

/**
 * When the site's earlier deploys of the month were planned, as fractions of the month: the times of
 * its reservations on its first distribution (a deploy's batches share one time there; a redelivery
 * reserves nothing new).
 */
const earlierDeploys = (ledger: LedgerMonth, site: Site): number[] => {
  const times = new Set<string>();
  for (const entry of Object.values(ledger.entries)) {
    if (entry.site === site.name && entry.distributionId === site.distributionIds[0]) times.add(entry.at);
  }
  return [...times].map((at) => Math.min(1, Math.max(0, monthElapsed(Date.parse(at)))));
};

/** The month's demand curve of a site with one more deploy's curve added. */
const addDemand = (ledger: LedgerMonth, site: string, demand: readonly number[]): number[] => {
  const before = ledger.demand[site];
  return before === undefined || before.length !== demand.length
    ? [...demand]
    : before.map((n, i) => n + demand[i]!);
};

/** How one distribution's deploy is planned: at a paced cap and price, and its demand for paths. */
export interface BudgetPlanner {
  /** The plan at the pacing's cap and price; pure (it may run again). */
  plan: (paced: PacedCost) => PlannedBatches;
  /** The deploy's paths at each PRICE_GRID price (demandCurve). */
  demand: readonly number[];
}

/**
 * Plans one distribution's batches within the paced allowance and reserves their paths (see the
 * module comment).
 */
export const planWithinBudget = async (
  changeSet: ChangeSet,
  site: Site,
  distributionId: string,
  budget: PathBudgetPorts,
  planner: BudgetPlanner,
  isFirstDistribution: boolean,
): Promise<BudgetedPlan> => {
  const now = budget.now();
  const month = billingMonth(now);
  const past = await sitePast(budget.ledger, month, site.name);
  const monthBudget = site.invalidation.monthlyPathBudget ?? budget.accountCap;
  const { ledger, result } = await updateLedger(budget.ledger, month, (current) => {
    const key = allowanceKey(site.name, changeSet.deployId, distributionId);
    const decided = current.allowances[key];
    const allowance =
      decided ??
      deployAllowance({
        siteBudget: monthBudget,
        siteSpent: sitePaths(current, site.name),
        accountCap: budget.accountCap,
        accountSpent: accountPaths(current),
        elapsed: monthElapsed(now),
        deploysThisMonth: current.deploys[site.name] ?? 0,
        earlierDeploys: earlierDeploys(current, site),
        deploysPerMonth: past.rate,
        demand: [...planner.demand],
        pastDemand: sumDemand([siteDemand(current, site.name), ...past.demand]),
        needlessWeight: site.invalidation.needlessWeight,
      });
    const planned = planner.plan(allowance);
    const at = new Date(now).toISOString();
    const entries = { ...current.entries };
    let reservedPaths = 0;
    planned.batches.forEach((paths, batchIndex) => {
      const ref = callerReference({ distributionId, deployId: changeSet.deployId, batchIndex, paths });
      if (entries[ref]) return;
      entries[ref] = { site: site.name, distributionId, paths: paths.length, at };
      reservedPaths += paths.length;
    });
    const result = { planned, allowance, reservedPaths };
    if (decided && reservedPaths === 0) return { ledger: null, result };
    const deploys = { ...current.deploys };
    const demand = { ...current.demand };
    if (!decided && isFirstDistribution) {
      deploys[site.name] = (deploys[site.name] ?? 0) + 1;
      demand[site.name] = addDemand(
        current,
        site.name,
        clippedDemand(planner.demand, Math.min(monthBudget, budget.accountCap)),
      );
    }
    return {
      ledger: {
        ...current,
        entries,
        deploys,
        demand,
        allowances: { ...current.allowances, [key]: allowance },
      },
      result,
    };
  });
  return { ...result, ledger };
};
