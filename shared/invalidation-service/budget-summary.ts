import type { Site } from '../config/sites.ts';
import { billingMonth, FREE_PATHS_PER_MONTH, marginalCostUsd } from '../invalidation/index.ts';
import type { PathBudgetPorts } from './budget-plan.ts';
import type { BudgetSummary } from './deploy-summary.ts';
import { accountPaths, sitePaths } from './path-ledger.ts';

/**
 * The month's bill after this deploy: paths it bills, month to date on the account, free tier left,
 * its dollars at list price. Without a ledger only the deploy's own paths are known.
 */
export const budgetSummary = async (
  budget: PathBudgetPorts | undefined,
  site: Site,
  pathsThisDeploy: number,
  now: () => number = Date.now,
): Promise<BudgetSummary> => {
  const month = billingMonth((budget?.now ?? now)());
  if (!budget) return { month, pathsThisDeploy, monthToDatePaths: null, freeTierLeft: null, dollars: null };
  const { ledger } = await budget.ledger.read(month);
  const monthToDatePaths = accountPaths(ledger);
  return {
    month,
    pathsThisDeploy,
    monthToDatePaths,
    freeTierLeft: Math.max(0, FREE_PATHS_PER_MONTH - monthToDatePaths),
    dollars: marginalCostUsd(Math.max(0, monthToDatePaths - pathsThisDeploy), pathsThisDeploy),
    site: {
      budget: site.invalidation.monthlyPathBudget ?? budget.accountCap,
      monthToDatePaths: sitePaths(ledger, site.name),
    },
    accountCap: budget.accountCap,
  };
};
