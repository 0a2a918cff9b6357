/**
 * Budget pacing: how many billed paths one deploy may spend so that a site's month stays within its
 * budget of paths and the account within its cap, using only what is known when the deploy happens
 * (the month so far and the site's past deploy rate), never later deploys.
 *
 * The deploy's cap is its share of what is left: the paths left divided by the deploys still expected
 * this month (the site's usual rate, or this month's rate so far when it is busier), times a burst
 * factor so that a large deploy may take several shares (small deploys take only what they need: the
 * planner spends paths only where they save needless objects). A path per later expected deploy is
 * kept in reserve, since each of them can always fall back to `/*` (1 path, never a miss). The planner
 * then finds, inside the cap, the plan with the fewest needless objects; the price per billed path it
 * settles on is the pacing price: low in a quiet month (exact paths), high in a busy one (wildcards).
 * When nothing is left the cap is 1: `/*` always fits, and a miss is never an option.
 */
import * as z from 'zod';

/** Deploys a month assumed for a site without history: the busiest month of the real histories (41). */
const DEFAULT_DEPLOYS_PER_MONTH = 40;
/** A large deploy may take this many fair shares of what is left (bench/RESULTS.md, "Budget"). */
const PACING_BURST = 2;
/** Deploys expected = this × the usual rate: a busier month than usual must still find its reserve. */
const EXPECTED_DEPLOYS_MARGIN = 1.5;
/**
 * This month's own rate counts once this much of the month has passed; before, a few deploys on the
 * first day would extrapolate to hundreds.
 */
const MIN_ELAPSED_FOR_RATE = 0.25;

const count = z.number().int().min(0);

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
    /** The site's usual deploys per month (its past months); null without history. */
    deploysPerMonth: z.number().min(0).nullable(),
  })
  .strict();
export type PacingInput = z.input<typeof PacingInputSchema>;

export interface DeployAllowance {
  /** Billed paths this deploy may spend (≥ 1: `/*` always fits). */
  readonly maxPaths: number;
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
 * The pacing cap of one deploy (see the module comment).
 *
 * @example
 * deployAllowance({ siteBudget: 100, siteSpent: 40, accountCap: 1000, accountSpent: 500,
 *   elapsed: 0.5, deploysThisMonth: 10, deploysPerMonth: 20 }).maxPaths; // 8: 60 left, 15 expected (20 a month × 1.5, half a month to go)
 */
export function deployAllowance(input: PacingInput): DeployAllowance {
  const p = PacingInputSchema.parse(input);
  const siteLeft = Math.max(0, p.siteBudget - p.siteSpent);
  const accountLeft = Math.max(0, p.accountCap - p.accountSpent);
  const left = Math.min(siteLeft, accountLeft);
  const usual = p.deploysPerMonth ?? DEFAULT_DEPLOYS_PER_MONTH;
  const observed = p.elapsed >= MIN_ELAPSED_FOR_RATE ? p.deploysThisMonth / p.elapsed : 0;
  const expectedDeploys = Math.max(
    1,
    Math.ceil(Math.max(usual, observed) * EXPECTED_DEPLOYS_MARGIN * (1 - p.elapsed)),
  );
  const reserve = expectedDeploys - 1;
  const share = left / expectedDeploys;
  const paced = Math.floor(Math.min(left - reserve, share * PACING_BURST));
  if (left === 0 || paced < 1) {
    return {
      maxPaths: 1,
      left,
      expectedDeploys,
      boundBy: 'exhausted',
      reason: `${left} path(s) left this month for ${expectedDeploys} expected deploy(s): one wildcard path at most`,
    };
  }
  const boundBy = accountLeft < siteLeft ? 'account' : 'pace';
  return {
    maxPaths: paced,
    left,
    expectedDeploys,
    boundBy,
    reason: `${left} path(s) left this month (${boundBy === 'account' ? 'account cap' : 'site budget'}) for ${expectedDeploys} expected deploy(s): at most ${paced} for this one`,
  };
}

/** Months of history the usual deploy rate averages. */
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
