import { describe, expect, it } from 'vitest';
import {
  billingMonth,
  deployAllowance,
  marginalCostUsd,
  monthCostUsd,
  previousMonths,
  usualDeployRate,
} from '../../../shared/invalidation/index.ts';

const base = {
  siteBudget: 100,
  siteSpent: 0,
  accountCap: 1000,
  accountSpent: 0,
  elapsed: 0.5,
  deploysThisMonth: 0,
  deploysPerMonth: 10,
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
  it('gives a deploy its share of what is left, keeping a path for each later expected deploy', () => {
    const a = deployAllowance(base);
    // 10 a month × 1.5 margin, half the month left: 8 expected; 100 / 8 × 2 = 25.
    expect(a).toMatchObject({ maxPaths: 25, left: 100, expectedDeploys: 8, boundBy: 'pace' });
  });

  it('is bound by the account cap when other sites spent it', () => {
    expect(deployAllowance({ ...base, accountSpent: 990 })).toMatchObject({ left: 10, boundBy: 'account' });
  });

  it('leaves one path (a wildcard) when nothing is left: a miss is never allowed', () => {
    expect(deployAllowance({ ...base, siteSpent: 100 })).toMatchObject({ maxPaths: 1, boundBy: 'exhausted' });
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

  it('averages the known previous months as the usual rate', () => {
    expect(usualDeployRate([12, 0, 6])).toBe(6);
    expect(usualDeployRate([undefined, 4, undefined])).toBe(4);
    expect(usualDeployRate([undefined, undefined])).toBeNull();
  });
});
