import type { LocalCloud } from '../../cloud.ts';
import type { CloudFrontStore } from './store.ts';

/** AWS-FACTS "Pricing": the first 1,000 paths a month per account are free. */
const FREE_PATHS_PER_MONTH = 1_000;
/** AWS-FACTS "Pricing": then $0.005 per path (a wildcard is one path). */
const USD_PER_PATH = 0.005;

const monthOf = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 7);

/** Bills the paths of a newly created batch (never a batch returned by CallerReference). */
export const billPaths = (cloud: LocalCloud, store: CloudFrontStore, paths: number): void => {
  cloud.counters.add('cloudfront.pathsBilled', paths);
  const month = monthOf(cloud.now());
  store.billedPathsByMonth.set(month, (store.billedPathsByMonth.get(month) ?? 0) + paths);
};

const usd = (amount: number): number => Math.round(amount * 1_000_000) / 1_000_000;

export interface BillingSummary {
  pathsBilled: number;
  months: { month: string; paths: number; chargedPaths: number; costUsd: number }[];
  estimatedCostUsd: number;
}

export const billingSummary = (store: CloudFrontStore): BillingSummary => {
  const months = [...store.billedPathsByMonth.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, paths]) => {
      const chargedPaths = Math.max(0, paths - FREE_PATHS_PER_MONTH);
      return { month, paths, chargedPaths, costUsd: usd(chargedPaths * USD_PER_PATH) };
    });
  return {
    pathsBilled: months.reduce((sum, m) => sum + m.paths, 0),
    months,
    estimatedCostUsd: usd(months.reduce((sum, m) => sum + m.costUsd, 0)),
  };
};
