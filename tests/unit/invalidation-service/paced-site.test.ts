/**
 * pacedSite: a paced site's demand curve and plan use more than one wildcard round only where the
 * month's budget (the site's, or the account cap when lower) is at least 40 deploys × 15 wildcards.
 */
import { describe, expect, it } from 'vitest';
import { SiteSchema } from '../../../shared/config/sites.ts';
import { pacedSite } from '../../../shared/invalidation-service/budget-plan.ts';

const site = (invalidation: Record<string, unknown>) =>
  SiteSchema.parse({ name: 'web', bucket: 'web-bucket', distributionIds: ['E2QWRUHAPOMQZL'], invalidation });

describe('pacedSite', () => {
  it.each([
    ['a lone site at 1,000 paths', { monthlyPathBudget: 1000 }, 1000, 4],
    ['a site at 100 paths', { monthlyPathBudget: 100 }, 1000, 1],
    ['no budget of its own: the account cap', {}, 1000, 4],
    ['its budget above a lower account cap', { monthlyPathBudget: 1000 }, 500, 1],
    ['its own rounds, kept', { monthlyPathBudget: 1000, wildcardRounds: 2 }, 1000, 2],
  ])('%s', (_what, invalidation, accountCap, rounds) => {
    // Prepare
    const configured = site(invalidation);
    // Act
    const paced = pacedSite(configured, accountCap);
    // Assess: only the rounds change
    expect(paced.invalidation.wildcardRounds).toBe(rounds);
    expect({ ...paced, invalidation: { ...paced.invalidation, wildcardRounds: 0 } }).toEqual({
      ...configured,
      invalidation: { ...configured.invalidation, wildcardRounds: 0 },
    });
  });
});
