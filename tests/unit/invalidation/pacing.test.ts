import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  billingMonth,
  clippedDemand,
  deployAllowance,
  marginalCostUsd,
  monthCostUsd,
  PRICE_GRID,
  previousMonths,
  sumDemand,
  usualDeployRate,
} from '../../../shared/invalidation/index.ts';

/** A demand curve on PRICE_GRID: `exact` paths up to `at`, then `collapsed` (a step, like a real deploy). */
const step = (exact: number, at: number, collapsed = 1) =>
  PRICE_GRID.map((price) => (price < at ? exact : collapsed));

const base = {
  siteBudget: 100,
  siteSpent: 0,
  accountCap: 1000,
  accountSpent: 0,
  elapsed: 0.5,
  deploysThisMonth: 0,
  deploysPerMonth: 10,
  demand: step(10, 5),
  pastDemand: { deploys: 4, paths: step(40, 5, 4) },
  needlessWeight: 0.02,
};

describe('pricing (https://aws.amazon.com/cloudfront/pricing/: 1,000 free paths a month, then $0.005)', () => {
  it('groups by UTC calendar month and applies the free tier per month', () => {
    expect(billingMonth(Date.parse('2027-01-01T00:30:00+01:00'))).toBe('2026-12');
    expect(billingMonth(Date.parse('2027-01-01T00:00:00Z'))).toBe('2027-01');
    expect(monthCostUsd(1000)).toBe(0);
    expect(monthCostUsd(1200)).toBe(1);
    expect(marginalCostUsd(990, 20)).toBe(0.05);
    expect(previousMonths('2027-02', 3)).toEqual(['2027-01', '2026-12', '2026-11']);
  });
});

describe('deployAllowance', () => {
  it('keeps a path for each later expected deploy and gives this one the rest as its cap', () => {
    const a = deployAllowance(base);
    // 10 a month × 1.5 margin, half the month left: 7.5 later deploys, 8 paths kept.
    expect(a).toMatchObject({ maxPaths: 92, left: 100, expectedDeploys: 9, boundBy: 'pace' });
  });

  it('prices a path so that this deploy and the expected later ones fit in what is left', () => {
    // Exact plans (10 paths each, like the past deploys) fit: 10 + 7.5 × 10 = 85 ≤ 100.
    expect(deployAllowance(base).price).toBe(PRICE_GRID[0]);
    // 40 left: 10 + 7.5 × 10 > 40, collapsed plans (1 path) fit: the first price where they collapse.
    const tight = deployAllowance({ ...base, siteSpent: 60 });
    expect(tight.price).toBe(PRICE_GRID.find((price) => price >= 5));
    // Nothing fits (later deploys have needed 2 paths even collapsed): the fewest paths, within the cap.
    const none = deployAllowance({
      ...base,
      siteSpent: 90,
      pastDemand: { deploys: 4, paths: step(40, 5, 8) },
    });
    expect(none).toMatchObject({ price: null, maxPaths: 2 });
  });

  it("prices with the site's past demand, not this deploy's, once it has history", () => {
    const heavyPast = { deploys: 2, paths: step(200, 50, 1) };
    const light = deployAllowance({ ...base, pastDemand: { deploys: 2, paths: step(2, 50, 1) } });
    const heavy = deployAllowance({ ...base, pastDemand: heavyPast });
    expect(light.price).toBe(PRICE_GRID[0]);
    expect(heavy.price).toBe(PRICE_GRID.find((price) => price >= 50));
    // Without history this deploy stands for the later ones: 10 × 8.5 ≤ 100.
    expect(deployAllowance({ ...base, pastDemand: null }).price).toBe(PRICE_GRID[0]);
  });

  it('spends nothing early that a quiet end of month would not need: late in a month the price falls', () => {
    const early = deployAllowance({ ...base, siteSpent: 50, elapsed: 0.05 });
    const late = deployAllowance({ ...base, siteSpent: 50, elapsed: 0.95 });
    expect(early.price!).toBeGreaterThan(late.price!);
    expect(early.maxPaths).toBeLessThan(late.maxPaths);
  });

  it("composes with the site's needlessWeight: bounded by the site's price only without a deploy rate", () => {
    // A deploy of 10 exact paths or 1 wildcard at 5 objects a path; 60 paths left for ~28 later deploys
    // by the default rate: pacing alone collapses it (price 5.x), the site's weight 0.25 prices a path
    // at 4 objects: the exact plan, within the cap.
    const fresh = { ...base, siteSpent: 40, deploysPerMonth: null, elapsed: 0.6, pastDemand: null };
    const paced = deployAllowance({ ...fresh, needlessWeight: 0 });
    expect(paced.price).toBe(PRICE_GRID.find((price) => price >= 5));
    expect(deployAllowance({ ...fresh, needlessWeight: 0.25 }).price).toBe(4);
    // Pacing may still lower it: a weight of 0.001 (1,000 objects a path) gets the paced price.
    expect(deployAllowance({ ...fresh, needlessWeight: 0.001 }).price).toBe(paced.price);
    // With a rate of its own (the site's past), the paced price alone, whatever the weight.
    const known = { ...base, siteSpent: 60 };
    expect(deployAllowance({ ...known, needlessWeight: 0.25 }).price).toBe(
      deployAllowance({ ...known, needlessWeight: 0 }).price,
    );
    expect(deployAllowance({ ...known, needlessWeight: 0.25 }).price!).toBeGreaterThan(4);
  });

  it('is bound by the account cap when other sites spent it', () => {
    expect(deployAllowance({ ...base, accountSpent: 990, elapsed: 0.99 })).toMatchObject({
      left: 10,
      boundBy: 'account',
    });
  });

  it('leaves one path (a wildcard) when nothing is left: a miss is never allowed', () => {
    expect(deployAllowance({ ...base, siteSpent: 100 })).toMatchObject({
      maxPaths: 1,
      price: null,
      boundBy: 'exhausted',
    });
  });

  it('never plans more than is left while more deploys are expected than paths remain', () => {
    const a = deployAllowance({ ...base, siteSpent: 95, deploysPerMonth: 40 });
    expect(a.maxPaths).toBe(1);
  });

  it("uses this month's faster rate once a quarter of the month has passed", () => {
    const quiet = deployAllowance({ ...base, deploysThisMonth: 0 });
    const busy = deployAllowance({ ...base, deploysThisMonth: 30 });
    expect(busy.expectedDeploys).toBeGreaterThan(quiet.expectedDeploys);
    expect(busy.maxPaths).toBeLessThan(quiet.maxPaths);
  });

  it('raises the reserve during a burst at the end of a quiet month: the month stays within its budget', () => {
    // A site deploying ~3 times a month deploys 19 times in the month's last three days (hello-algo's
    // 2026-03), each deploy 30 exact paths or one wildcard at ≥ 50 objects a path (its past deploys: 10 exact).
    const burst = (withTimes: boolean) => {
      let spent = 0;
      const at: number[] = [];
      const past = { deploys: 6, paths: step(60, 50, 6) };
      for (let i = 0; i < 19; i++) {
        const elapsed = 0.9 + i * 0.005;
        const demand = step(30, 50);
        const a = deployAllowance({
          ...base,
          siteSpent: spent,
          accountSpent: spent,
          elapsed,
          deploysThisMonth: i,
          ...(withTimes ? { earlierDeploys: at } : {}),
          deploysPerMonth: 3,
          demand,
          pastDemand: past,
        });
        spent += Math.min(a.maxPaths, a.price === null || a.price >= 50 ? 1 : 30);
        at.push(elapsed);
        past.deploys++;
        past.paths = past.paths.map((n, j) => n + demand[j]!);
      }
      return spent;
    };
    expect(burst(true)).toBeLessThanOrEqual(base.siteBudget);
    // The month's own pace from its start does not see it: the later deploys bill past the budget.
    expect(burst(false)).toBeGreaterThan(base.siteBudget);
  });

  it('extrapolates only a recent run of deploys (about two days): an older cluster is the usual pace', () => {
    const late = { ...base, elapsed: 0.95, deploysPerMonth: 3, deploysThisMonth: 5 };
    const quiet = deployAllowance(late);
    // Five deploys in the last day: as many again expected in the month's last 1.5 days (× 1.5).
    expect(
      deployAllowance({ ...late, earlierDeploys: [0.92, 0.93, 0.93, 0.94, 0.945] }).expectedDeploys,
    ).toBe(9);
    // The same five, a week earlier: no burst forecast, the usual rate alone.
    const older = deployAllowance({ ...late, earlierDeploys: [0.7, 0.71, 0.71, 0.72, 0.725] });
    expect(older.expectedDeploys).toBe(quiet.expectedDeploys);
  });

  it('refuses a demand curve of another length than the price grid, naming the field', () => {
    expect(() => deployAllowance({ ...base, demand: [1, 2, 3] })).toThrow(/demand/);
  });

  it('sums the usable months of past demand and skips curves of another grid', () => {
    const a = { deploys: 2, paths: step(4, 5) };
    const b = { deploys: 3, paths: step(6, 5) };
    expect(sumDemand([a, undefined, b])).toEqual({ deploys: 5, paths: step(10, 5, 2) });
    expect(sumDemand([{ deploys: 1, paths: [1, 2] }, undefined])).toBeNull();
  });

  it('averages the known previous months as the usual rate', () => {
    expect(usualDeployRate([12, 0, 6])).toBe(6);
    expect(usualDeployRate([undefined, 4, undefined])).toBe(4);
    expect(usualDeployRate([undefined, undefined])).toBeNull();
  });
});

describe('deployAllowance: the slack of a collapsing deploy', () => {
  // A lone regeneration early in a month: 3,000 exact paths below 1 object a path, one path (`/*`)
  // above; the site's past deploys needed 10 paths each (below 50 objects a path), 1 above.
  const big = {
    ...base,
    siteBudget: 1000,
    accountCap: 1000,
    elapsed: 0.1,
    deploysPerMonth: 2,
    demand: step(3000, 1),
    pastDemand: { deploys: 6, paths: step(60, 50, 6) },
  };

  it('lets it spend the budget down to what the forecast keeps for the later deploys at a lower price', () => {
    // Act
    const a = deployAllowance(big);
    // Assess: 2 a month × 1.5, 0.9 of the month to go: 2.7 later deploys × 10 paths = 27 kept; the
    // rest is this deploy's, at the lowest price (a mixed plan fills it: plan.ts).
    expect(a).toMatchObject({ maxPaths: 973, price: PRICE_GRID[0], left: 1000, boundBy: 'pace' });
    expect(a.reason).toContain('at most 973 for this one');
    // The paced price itself is the first ≥ 1 (where it bills one path), as for a curve that does not
    // end there (2 paths up to 1,000 objects a path: no slack).
    const notFewest = PRICE_GRID.map((price) => (price < 1 ? 3000 : price < 1000 ? 2 : 1));
    expect(deployAllowance({ ...big, demand: notFewest }).price).toBe(PRICE_GRID.find((p) => p >= 1));
  });

  it('keeps the month within its budget when the later deploys come after all', () => {
    // Prepare: the big deploy bills its whole slack, then ten ordinary deploys (10 exact paths).
    let spent = 0;
    const earlier: number[] = [];
    const past = { deploys: 6, paths: step(60, 50, 6) };
    const bills: number[] = [];
    // Act
    for (let i = 0; i < 11; i++) {
      const elapsed = 0.1 + i * 0.05;
      const demand = i === 0 ? step(3000, 1) : step(10, 50);
      const a = deployAllowance({
        ...big,
        siteSpent: spent,
        accountSpent: spent,
        elapsed,
        deploysThisMonth: i,
        earlierDeploys: earlier,
        demand,
        pastDemand: past,
      });
      // A plan within the cap: the slack filled, or the deploy's demand at the price.
      const atPrice = a.price === null ? 1 : demand[PRICE_GRID.indexOf(a.price)]!;
      const bill = i === 0 ? a.maxPaths : Math.min(a.maxPaths, atPrice);
      bills.push(bill);
      spent += bill;
      earlier.push(elapsed);
      past.deploys++;
      past.paths = past.paths.map((n, j) => n + demand[j]!);
    }
    // Assess
    expect(bills[0]).toBe(973);
    expect(bills.every((b) => b >= 1)).toBe(true);
    expect(spent).toBeLessThanOrEqual(1000);
  });

  it('gives none to a deploy with paths of its own at the paced price (the first deploy of a burst)', () => {
    // Prepare: 200 paths between 1 and 100 objects a path: not its fewest-path plan.
    const demand = PRICE_GRID.map((price) => (price < 1 ? 3000 : price < 100 ? 200 : 1));
    // Act
    const a = deployAllowance({ ...big, demand });
    // Assess: the usual cap (one path kept per later deploy) at the paced price.
    expect(a).toMatchObject({ maxPaths: 997, price: PRICE_GRID.find((p) => p >= 1) });
  });

  it('gives none when the forecast at every lower price needs what is left', () => {
    // Act: 900 already spent; 2.7 later deploys × 10 paths leave 73, but the past needed 40 a deploy.
    const a = deployAllowance({
      ...big,
      siteSpent: 900,
      accountSpent: 900,
      pastDemand: { deploys: 6, paths: step(240, 50, 6) },
    });
    // Assess
    expect(a.price).toBeGreaterThanOrEqual(1);
    expect(a.maxPaths).toBe(97);
  });

  it('records a deploy at most at the budget in the ledger demand', () => {
    expect(clippedDemand([2863, 40, 1], 1000)).toEqual([1000, 40, 1]);
  });
});

describe('deployAllowance over a month (property)', () => {
  it('never spends beyond the budget except one wildcard path per deploy once nothing is left', () => {
    const deploy = fc.record({
      gap: fc.double({ min: 0, max: 0.2, noNaN: true }),
      exact: fc.integer({ min: 1, max: 400 }),
      at: fc.constantFrom(0.5, 5, 50, 500),
    });
    const month = fc.record({
      budget: fc.integer({ min: 1, max: 300 }),
      usual: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
      needlessWeight: fc.constantFrom(0, 0.02, 0.25, 5),
      deploys: fc.array(deploy, { maxLength: 60 }),
    });
    fc.assert(
      fc.property(month, ({ budget, usual, needlessWeight, deploys }) => {
        let spent = 0;
        let elapsed = 0;
        let floor = 0;
        const times: number[] = [];
        const past = { deploys: 0, paths: PRICE_GRID.map(() => 0) };
        deploys.forEach((d, i) => {
          elapsed = Math.min(0.999, elapsed + d.gap);
          const demand = step(d.exact, d.at);
          const a = deployAllowance({
            siteBudget: budget,
            siteSpent: spent,
            accountCap: budget,
            accountSpent: spent,
            elapsed,
            deploysThisMonth: i,
            earlierDeploys: times,
            deploysPerMonth: usual,
            demand,
            pastDemand: past.deploys === 0 ? null : past,
            needlessWeight,
          });
          // What a plan at this cap and price bills: its demand at the price (a step), within the cap.
          const atPrice = a.price === null || a.price >= d.at ? 1 : d.exact;
          const bills = Math.min(a.maxPaths, atPrice);
          expect(bills).toBeGreaterThanOrEqual(1);
          if (budget - spent >= 1) expect(a.maxPaths).toBeLessThanOrEqual(budget - spent);
          else {
            expect(a).toMatchObject({ maxPaths: 1, boundBy: 'exhausted' });
            floor++;
          }
          spent += bills;
          times.push(elapsed);
          past.deploys++;
          past.paths = past.paths.map((n, j) => n + demand[j]!);
        });
        expect(spent).toBeLessThanOrEqual(budget + floor);
      }),
      { numRuns: 200 },
    );
  });
});
