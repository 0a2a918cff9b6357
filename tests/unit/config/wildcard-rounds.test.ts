/**
 * `invalidation.wildcardRounds`: how many rounds of CloudFront's 15 in-flight wildcards one deploy may
 * use (the limit is on wildcard paths in progress at one time:
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html).
 */
import { describe, expect, it } from 'vitest';
import { SiteSchema } from '../../../shared/config/sites.ts';
import { DEFAULT_WILDCARD_ROUNDS, MAX_WILDCARD_ROUNDS } from '../../../shared/invalidation/schemas.ts';

const site = (invalidation?: Record<string, unknown>) => ({
  name: 'web',
  bucket: 'web-bucket',
  distributionIds: ['E2QWRUHAPOMQZL'],
  ...(invalidation === undefined ? {} : { invalidation }),
});

describe('site config: invalidation.wildcardRounds', () => {
  it('defaults to DEFAULT_WILDCARD_ROUNDS, with or without an invalidation block', () => {
    // Act / Assess
    expect(SiteSchema.parse(site()).invalidation.wildcardRounds).toBe(DEFAULT_WILDCARD_ROUNDS);
    expect(SiteSchema.parse(site({})).invalidation.wildcardRounds).toBe(DEFAULT_WILDCARD_ROUNDS);
    expect(DEFAULT_WILDCARD_ROUNDS).toBe(4);
  });

  it.each([1, 2, MAX_WILDCARD_ROUNDS])('accepts %i', (rounds) => {
    // Act / Assess
    expect(SiteSchema.parse(site({ wildcardRounds: rounds })).invalidation.wildcardRounds).toBe(rounds);
  });

  it.each([
    [0, 'expected at least 1 round (1: every wildcard of a deploy at once)'],
    [11, 'expected at most 10 rounds: each one waits for the previous invalidations to complete'],
    [2.5, 'expected a whole number of rounds'],
  ])('refuses %s, naming the field', (rounds, message) => {
    // Act
    const parsed = SiteSchema.safeParse(site({ wildcardRounds: rounds }));
    // Assess
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([
      expect.objectContaining({ path: ['invalidation', 'wildcardRounds'], message }),
    ]);
  });
});
