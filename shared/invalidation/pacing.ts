/**
 * Budget pacing: the price of a billed path for one deploy (in needless objects a path is worth) and
 * the most paths it may bill, so that a site's month stays within its budget and the account within
 * its cap, using only what is known when the deploy happens: the month so far and the site's past
 * deploys, never later ones.
 *
 * The price is the lowest one of PRICE_GRID at which this deploy's demand for paths plus the demand
 * expected from the month's remaining deploys fits in what is left. The expected demand is the
 * site's mean demand per deploy (its deploys of this month so far and of the previous RATE_MONTHS
 * months, summed in the ledger as one curve per month) times the deploys still expected (its usual
 * rate, or this month's when busier, for the part of the month still to come; or, when more, what
 * the month's latest run of deploys forecasts (burstForecast); × a margin). One price
 * for the whole month is what an offline optimum would use (bench/RESULTS.md, "hindsight"): a deploy
 * does not spend early what a later one would use better, and a quiet month still gets exact paths.
 * The cap keeps one path for every deploy still expected (each can fall back to `/*`, never a miss);
 * when nothing is left the cap is 1: `/*` always fits. The price is then composed with the site's
 * own needlessWeight (composePrice).
 *
 * The slack (slackAllowance): a deploy whose plan at that price is already its fewest-path plan (a
 * regeneration of the whole site: thousands of exact paths below ~1 object a path, `/*` above) would
 * leave unused whatever the forecast does not need. It gets, instead, the allowance at the lowest
 * lower price where the forecast for the later deploys (in paths, at that price) still leaves it more
 * than that one plan: the cap is what is left minus that reserve, and the planner fills it with a
 * mixed plan (plan.ts: part exact, part wildcard). The reserve is never below one path per expected
 * deploy, so the month keeps its budget exactly as before. The ledger records each deploy's demand
 * clipped at the month's budget (clippedDemand): the forecast never expects a later deploy to bill
 * more than the budget.
 */
import * as z from 'zod';
import { MAX_WILDCARDS_IN_FLIGHT } from './schemas.ts';

/** Deploys a month assumed for a site without history: the busiest month of the real histories (41). */
const DEFAULT_DEPLOYS_PER_MONTH = 40;
/** Deploys expected = this × the usual rate: a busier month than usual must still find its reserve. */
const EXPECTED_DEPLOYS_MARGIN = 1.5;
/**
 * This month's own rate counts once this much of the month has passed; before, a few deploys on the
 * first day would extrapolate to hundreds.
 */
const MIN_ELAPSED_FOR_RATE = 0.25;

/**
 * The prices pacing chooses from, in needless objects per billed path: geometric from 0.1 (a path is
 * spent to save a tenth of an object: exact paths) to ~10⁵ (above any site's object count: the fewest
 * paths). A ledger stores demand curves on this grid, so changing it makes past curves unusable (they
 * are then ignored, as if the site had no history).
 */
export const PRICE_GRID: readonly number[] = Array.from({ length: 53 }, (_, i) => 0.1 * 1.3 ** i);

const count = z.number().int().min(0);
const curve = z.array(count).length(PRICE_GRID.length);

const PacingInputSchema = z
  .object({
    /** The site's monthly budget of billed paths. */
    siteBudget: count,
    /** Paths the site was billed this month so far (its own submissions). */
    siteSpent: count,
    /** The account-wide cap for the month, every site and every tool included. */
    accountCap: count,
    /** Paths billed on the account this month so far (ledger, reconciled with CloudFront). */
    accountSpent: count,
    /** Fraction of the UTC month elapsed at the deploy (see monthElapsed). */
    elapsed: z.number().min(0).max(1),
    /** The site's deploys earlier this month. */
    deploysThisMonth: count,
    /** When the site's earlier deploys of this month happened (fractions of the month, as known). */
    earlierDeploys: z.array(z.number().min(0).max(1)).default([]),
    /** The site's usual deploys per month (its past months); null without history. */
    deploysPerMonth: z.number().min(0).nullable(),
    /** This deploy's paths at each PRICE_GRID price (pathDemand). */
    demand: curve,
    /** The site's past deploys (this month and the previous ones): how many, and their summed demand. */
    pastDemand: z.object({ deploys: count, paths: curve }).strict().nullable(),
    /** The site's cost of a needless object in billed paths (config `needlessWeight`; see composePrice). */
    needlessWeight: z.number().finite().min(0),
  })
  .strict();
export type PacingInput = z.input<typeof PacingInputSchema>;

export interface DeployAllowance {
  /** Billed paths this deploy may spend (≥ 1: `/*` always fits). */
  readonly maxPaths: number;
  /**
   * Needless objects one billed path is worth for this deploy (the planner's 1 / needlessWeight):
   * the paced price composed with the site's own (composePrice); null: no price fits (and the site's
   * weight gives none), so the fewest paths within maxPaths.
   */
  readonly price: number | null;
  /** Paths left this month for the site, after the account cap. */
  readonly left: number;
  /** Deploys still expected this month, this one included. */
  readonly expectedDeploys: number;
  /** What bounds the cap: the site's pace, the account cap, or nothing left (a `/*` only). */
  readonly boundBy: 'pace' | 'account' | 'exhausted';
  /** One line for the deploy summary. */
  readonly reason: string;
}

/**
 * The longest run of deploys (fraction of the month, about two days) that burstForecast extrapolates.
 * Measured on the four histories (bench/RESULTS.md, budget "Against the targets"): one day (0.034) lets
 * hello-algo's end-of-month burst bill past its budget; 0.15 already costs kaitai and wcag needless
 * objects past the 0.8 × s3deploy-forms target at 100 paths a month.
 */
const MAX_BURST_SPAN = 0.07;

/**
 * Deploys expected for the rest of the month from the latest run of deploys: the last k deploys
 * took s (at most MAX_BURST_SPAN); as many again are expected within the next s, pro rata when less
 * of the month is left. The largest over k, so a burst raises the reserve and the price while it
 * happens, whenever in the month; the month's pace from its start sees a late burst too late.
 */
function burstForecast(earlier: readonly number[], elapsed: number): number {
  const left = 1 - elapsed;
  const latestFirst = [...earlier].sort((a, b) => b - a);
  let most = 0;
  latestFirst.forEach((at, i) => {
    const span = Math.max(elapsed - at, Number.EPSILON);
    if (span <= MAX_BURST_SPAN) most = Math.max(most, (i + 1) * Math.min(1, left / span));
  });
  return most;
}

/** The expected demand of one later deploy at grid price i: the site's mean, or this deploy's without history. */
function perDeployDemand(
  demand: readonly number[],
  past: { deploys: number; paths: readonly number[] } | null,
  i: number,
): number {
  return past !== null && past.deploys > 0 ? past.paths[i]! / past.deploys : demand[i]!;
}

/** The index of the lowest grid price at which this deploy's and the expected later demand fit in `left`. */
function pacedPriceIndex(
  demand: readonly number[],
  past: { deploys: number; paths: readonly number[] } | null,
  later: number,
  left: number,
): number | null {
  for (let i = 0; i < PRICE_GRID.length; i++) {
    if (demand[i]! + later * perDeployDemand(demand, past, i) <= left) return i;
  }
  return null;
}

/**
 * The slack of a collapsing deploy (see the module comment): the allowance at the lowest grid price i
 * below the paced one at which the forecast for the later deploys (× their mean demand at i, each
 * clipped at the budget: clippedDemand) leaves this deploy more than it bills at the paced price.
 * Only for a deploy whose plan at the paced price is already its fewest-path plan (a `/*` or a few wide
 * wildcards): its curve jumps from thousands of exact paths to that, and a mixed plan (plan.ts) in
 * between uses the paths the forecast does not need. A deploy with paths of its own at the paced
 * price gets none: hello-algo's end-of-month burst would spend its month in the burst's first deploy
 * (bench/RESULTS.md, "Invalidation budget"). null: no slack.
 */
function slackAllowance(
  demand: readonly number[],
  past: { deploys: number; paths: readonly number[] } | null,
  later: number,
  left: number,
  reserve: number,
  pacedIndex: number | null,
): { maxPaths: number; priceIndex: number; kept: number } | null {
  if (pacedIndex === null || demand[pacedIndex]! > demand[PRICE_GRID.length - 1]!) return null;
  for (let i = 0; i < pacedIndex; i++) {
    const kept = Math.max(reserve, Math.ceil(later * perDeployDemand(demand, past, i)));
    if (left - kept > demand[pacedIndex]!) return { maxPaths: left - kept, priceIndex: i, kept };
  }
  return null;
}

/**
 * How the paced price and the site's `needlessWeight` compose. The weight prices a path at
 * 1 / needlessWeight needless objects (the site's own cost model; weight 0: no needless object
 * costs anything, so no path is worth spending). The paced price is the budget's shadow price in the
 * same unit, fitted to a forecast of the month's later deploys. Which one the plan uses:
 * - while the site has no deploy rate of its own (no earlier month in the ledger), the lower of the
 *   two. That forecast assumes DEFAULT_DEPLOYS_PER_MONTH × EXPECTED_DEPLOYS_MARGIN later deploys
 *   (the busiest month seen, plus a margin), each as large as this one: a guess that prices a path
 *   high for any large first deploy. Pacing may lower the site's price (a quiet month spends its free
 *   paths on exact paths) but not raise it on that guess alone: the rehearsal's first docs deploy
 *   (68 changed URLs, 500 paths left, weight 0.25 = 4 objects a path) was priced at 6.65 objects by
 *   the guess and collapsed to `/*` (53 needless objects) instead of 9 paths with none;
 * - with a rate, the paced price alone: the forecast is then the site's own past (its rate and its
 *   mean demand per deploy), and inside a hard budget a path is worth what the month's later deploys
 *   would save with it, whatever the list price the weight was set against. Capping it at the
 *   site's price there too lowers needless objects on the benchmark but lets end-of-month bursts
 *   run past the budget (bench/RESULTS.md, "How the price composes").
 * The budget itself is kept by the cap (maxPaths) in both cases, never by the price.
 */
function composePrice(paced: number | null, needlessWeight: number, hasRate: boolean): number | null {
  if (hasRate || needlessWeight === 0) return paced;
  const site = 1 / needlessWeight;
  return paced === null ? site : Math.min(paced, site);
}

/**
 * The pacing of one deploy (see the module comment).
 *
 * @example
 * deployAllowance({ siteBudget: 100, siteSpent: 40, accountCap: 1000, accountSpent: 500,
 *   elapsed: 0.5, deploysThisMonth: 10, deploysPerMonth: 20, demand, pastDemand }).maxPaths;
 * // 45: 60 left, 15 later deploys expected (20 a month × 1.5, half a month to go) keep a path each
 */
export function deployAllowance(input: PacingInput): DeployAllowance {
  const p = PacingInputSchema.parse(input);
  const siteLeft = Math.max(0, p.siteBudget - p.siteSpent);
  const accountLeft = Math.max(0, p.accountCap - p.accountSpent);
  const left = Math.min(siteLeft, accountLeft);
  const usual = p.deploysPerMonth ?? DEFAULT_DEPLOYS_PER_MONTH;
  const observed = p.elapsed >= MIN_ELAPSED_FOR_RATE ? p.deploysThisMonth / p.elapsed : 0;
  const later =
    Math.max(Math.max(usual, observed) * (1 - p.elapsed), burstForecast(p.earlierDeploys, p.elapsed)) *
    EXPECTED_DEPLOYS_MARGIN;
  const reserve = Math.ceil(later);
  const expectedDeploys = reserve + 1;
  const cap = left - reserve;
  if (cap < 1) {
    return {
      maxPaths: 1,
      price: null,
      left,
      expectedDeploys,
      boundBy: 'exhausted',
      reason: `${left} path(s) left this month for ${expectedDeploys} expected deploy(s): one wildcard path at most`,
    };
  }
  const pacedIndex = pacedPriceIndex(p.demand, p.pastDemand, later, left);
  const paced = pacedIndex === null ? null : PRICE_GRID[pacedIndex]!;
  const hasRate = p.deploysPerMonth !== null;
  const boundBy = accountLeft < siteLeft ? 'account' : 'pace';
  const budgetLine = `${left} path(s) left this month (${boundBy === 'account' ? 'account cap' : 'site budget'}) for ${expectedDeploys} expected deploy(s)`;
  const slack = slackAllowance(p.demand, p.pastDemand, later, left, reserve, pacedIndex);
  if (slack !== null) {
    const slackPrice = PRICE_GRID[slack.priceIndex]!;
    return {
      maxPaths: slack.maxPaths,
      price: composePrice(slackPrice, p.needlessWeight, hasRate),
      left,
      expectedDeploys,
      boundBy,
      reason: `${budgetLine}: at most ${slack.maxPaths} for this one, a path where it saves ≥ ${Number(slackPrice.toPrecision(3))} needless objects (at ${Number(paced!.toPrecision(3))} it would bill its fewest paths; the later ones are forecast ${slack.kept} at the lower price)`,
    };
  }
  const price = composePrice(paced, p.needlessWeight, hasRate);
  const priced =
    price === null
      ? 'the fewest paths'
      : `a path where it saves ≥ ${Number(price.toPrecision(3))} needless objects${price === paced ? '' : " (the site's needlessWeight: no deploy rate of its own yet)"}`;
  return {
    maxPaths: cap,
    price,
    left,
    expectedDeploys,
    boundBy,
    reason: `${budgetLine}: at most ${cap} for this one, ${priced}`,
  };
}

/** Months of history the usual deploy rate and the past demand average. */
export const RATE_MONTHS = 3;

/**
 * A site's usual deploys per month from its deploy counts of the previous months (most recent first,
 * undefined for a month before the site had a ledger entry): their mean, or null without history.
 *
 * @example
 * usualDeployRate([12, 0, 6]); // 6
 * usualDeployRate([undefined, undefined, undefined]); // null
 */
export function usualDeployRate(previous: readonly (number | undefined)[]): number | null {
  const known = previous.filter((n): n is number => n !== undefined);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
}

/**
 * The wildcard rounds a paced site plans with (its demand curves and its plans alike): its own
 * `wildcardRounds` when the month's budget gives each deploy of a busy month (DEFAULT_DEPLOYS_PER_MONTH)
 * a full round of in-flight wildcards, otherwise one. Below that a deploy rarely has the paths for more
 * than one round, while the extra wildcards still enter its demand curve: at a middle price a plan of
 * many directory wildcards replaces one wide one, the site's mean demand there rises, and the paced
 * price with it, for every later deploy. Measured (bench/RESULTS.md, "Wildcard rounds"): at 100 paths
 * a month, 4 rounds cost hello-algo 0.786 → 0.801 and kaitai 0.774 → 0.790 (needless, × s3deploy-forms)
 * through higher prices, not through their few multi-round plans; at 1,000 they take kaitai from
 * 0.284 to 0.244.
 *
 * @example
 * pacedWildcardRounds(4, 1000); // 4: 1,000 ≥ 40 deploys × 15 wildcards
 * pacedWildcardRounds(4, 100);  // 1
 */
export function pacedWildcardRounds(
  rounds: number,
  monthBudget: number,
  maxWildcardsInFlight: number = MAX_WILDCARDS_IN_FLIGHT,
): number {
  return monthBudget >= DEFAULT_DEPLOYS_PER_MONTH * maxWildcardsInFlight ? rounds : 1;
}

/**
 * A deploy's demand curve as the ledger records it for the site's forecast: each price's paths at
 * most the month's budget (the site's, or the account cap when lower). No deploy bills more than
 * that, so a later one is never forecast to need more; unclipped, one regeneration of a whole site
 * (kaitai: 2,500+ exact paths below ~1 object a path) outweighed a month of ordinary deploys in the
 * mean and held back the slack (see slackAllowance) in months where no such deploy followed.
 *
 * @example
 * clippedDemand([2863, 40, 1], 1000); // [1000, 40, 1]
 */
export function clippedDemand(demand: readonly number[], budget: number): number[] {
  return demand.map((paths) => Math.min(paths, budget));
}

/**
 * The summed demand of several months (ledger curves; a curve of another grid length is skipped),
 * with the deploys it covers, or null when none is usable.
 *
 * @example
 * sumDemand([{ deploys: 2, paths: a }, { deploys: 3, paths: b }]); // { deploys: 5, paths: a + b }
 */
export function sumDemand(
  months: readonly ({ deploys: number; paths: readonly number[] } | undefined)[],
): { deploys: number; paths: number[] } | null {
  const usable = months.filter(
    (m): m is { deploys: number; paths: readonly number[] } =>
      m !== undefined && m.deploys > 0 && m.paths.length === PRICE_GRID.length,
  );
  if (usable.length === 0) return null;
  return {
    deploys: usable.reduce((n, m) => n + m.deploys, 0),
    paths: PRICE_GRID.map((_, i) => usable.reduce((n, m) => n + m.paths[i]!, 0)),
  };
}
