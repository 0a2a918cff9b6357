import { describe, expect, it } from 'vitest';
import { diffReleases, docsRelease } from '../../../cli/rehearsal/site-content.ts';
import { deployAllowance, monthElapsed, PRICE_GRID, sumDemand } from '../../../shared/invalidation/index.ts';
import type { ChangeSet } from '../../../shared/invalidation-service/change-set.ts';
import { demandCurve, planBatches } from '../../../shared/invalidation-service/plan-batches.ts';
import { site } from './fixtures.ts';

/**
 * The rehearsal's docs release (`npm start`): a regenerated API reference (60 pages under
 * api/v1/type-*), a few guide edits, additions and removals: 68 changed URLs, 53 unchanged objects.
 * Its site prices a needless object at 0.25 of a path (config/shipyard.dev.yml).
 */
const docs = site({ name: 'docs', invalidation: { needlessWeight: 0.25, monthlyPathBudget: 500 } });
const { upload, remove } = diffReleases(docsRelease(1), docsRelease(2));
const changeSet: ChangeSet = {
  site: 'docs',
  deployId: 'docs-v2',
  source: 'cli',
  changes: [
    ...Object.keys(upload).map((key) => ({
      key,
      change: key in docsRelease(1) ? ('modified' as const) : ('added' as const),
    })),
    ...remove.map((key) => ({ key, change: 'deleted' as const })),
  ],
  paths: [],
};
const inventory = Object.keys(docsRelease(2));
type PacingInput = Parameters<typeof deployAllowance>[0];

const NOTHING_IN_FLIGHT = { files: 0, wildcards: 0 };
const demand = demandCurve(changeSet, docs, NOTHING_IN_FLIGHT, inventory);

/** The first deploy of a month on a fresh ledger, three days in, 500 paths to spend. */
const firstDeploy: PacingInput = {
  siteBudget: 500,
  siteSpent: 0,
  accountCap: 1000,
  accountSpent: 0,
  elapsed: monthElapsed(Date.parse('2026-12-03T05:32:54Z')),
  deploysThisMonth: 0,
  deploysPerMonth: null,
  demand,
  pastDemand: null,
  needlessWeight: docs.invalidation.needlessWeight,
};

const planAt = (input: PacingInput) => {
  const allowance = deployAllowance(input);
  return { allowance, planned: planBatches(changeSet, docs, NOTHING_IN_FLIGHT, inventory, allowance) };
};

describe('budget pacing of a site without a deploy rate (the rehearsal docs deploy)', () => {
  it('does not collapse to /* while most of the budget is left: one narrow wildcard and exact paths', () => {
    const { allowance, planned } = planAt(firstDeploy);
    const paths = planned.batches.flat();
    expect(paths).toContain('/api/v1/type-*');
    expect(paths).not.toContain('/*');
    expect(paths).toHaveLength(9);
    expect(planned.needlessObjects).toBe(0);
    // The site's own price (1 / 0.25 = 4 objects a path) bounds the guess-based paced one.
    expect(allowance.price).toBe(4);
    expect(allowance.reason).toMatch(/needlessWeight/);
  });

  it("is what the paced price alone gave: the no-history guess priced a path above the site's own", () => {
    // Weight 0: the site sets no price, pacing's stands. Its forecast (40 deploys a month × 1.5, each
    // as large as this one) leaves 500 / 57 ≈ 8.8 paths per deploy: 9 do not fit, and `/*` wins.
    const { allowance, planned } = planAt({ ...firstDeploy, needlessWeight: 0 });
    expect(allowance.price!).toBeGreaterThan(4);
    expect(planned.batches.flat()).toEqual(['/*']);
  });

  it('with a deploy rate of its own, prices by pacing alone: a quiet month gets the lowest price', () => {
    // Two deploys a month, the previous month's one like this one: even exact paths fit.
    const { allowance, planned } = planAt({
      ...firstDeploy,
      deploysPerMonth: 2,
      pastDemand: sumDemand([{ deploys: 1, paths: demand }]),
    });
    expect(allowance.price).toBe(PRICE_GRID[0]);
    // `/api/v1/type-*` hits no unchanged object, so it is the plan at any price below the collapse.
    expect(planned.batches.flat()).toContain('/api/v1/type-*');
    expect(planned.batches.flat()).toHaveLength(9);
    expect(planned.needlessObjects).toBe(0);
  });

  it('with a deploy rate of its own and a busy past, pacing may price a path above the site', () => {
    const { allowance, planned } = planAt({
      ...firstDeploy,
      deploysPerMonth: 80,
      pastDemand: sumDemand([{ deploys: 1, paths: demand }]),
    });
    expect(allowance.price!).toBeGreaterThan(4);
    expect(planned.batches.flat()).toEqual(['/*']);
  });
});
