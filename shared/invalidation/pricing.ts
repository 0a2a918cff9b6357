/**
 * What CloudFront bills for invalidation paths (AWS-FACTS "Pricing"; https://aws.amazon.com/cloudfront/pricing/):
 * "No additional charge for the first 1,000 paths requested for invalidation each month. Thereafter,
 * $0.005 per path requested for invalidation." The free paths are per account, shared by every
 * distribution; a wildcard is one path; each path of each CreateInvalidation request is billed.
 */

/** Free invalidation paths per calendar month per account. */
export const FREE_PATHS_PER_MONTH = 1_000;
/** List price of one invalidation path beyond the free tier, in US dollars. */
const USD_PER_PATH = 0.005;

/**
 * The calendar month (UTC) of an instant, as billing groups paths: "2026-12".
 *
 * @example
 * billingMonth(Date.parse('2026-12-31T23:59:59Z')); // '2026-12'
 * billingMonth(Date.parse('2027-01-01T00:30:00+01:00')); // '2026-12' (still December in UTC)
 */
export function billingMonth(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 7);
}

/** Fraction of its UTC calendar month elapsed at an instant, in [0, 1). */
export function monthElapsed(epochMs: number): number {
  const date = new Date(epochMs);
  const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const end = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  return (epochMs - start) / (end - start);
}

/**
 * The dollars a month with this many account-wide paths costs at list price.
 *
 * @example
 * monthCostUsd(1_000); // 0
 * monthCostUsd(1_200); // 1
 */
export function monthCostUsd(accountPaths: number): number {
  return Math.round(Math.max(0, accountPaths - FREE_PATHS_PER_MONTH) * USD_PER_PATH * 1e6) / 1e6;
}

/** Dollars the next `paths` add to a month that already has `accountPaths` (free tier first). */
export function marginalCostUsd(accountPaths: number, paths: number): number {
  return Math.round((monthCostUsd(accountPaths + paths) - monthCostUsd(accountPaths)) * 1e6) / 1e6;
}

/**
 * The `n` calendar months before a month, most recent first.
 *
 * @example
 * previousMonths('2027-02', 3); // ['2027-01', '2026-12', '2026-11']
 */
export function previousMonths(month: string, n: number): string[] {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  return Array.from({ length: n }, (_, i) => billingMonth(Date.UTC(year, monthNumber - 2 - i, 1)));
}
