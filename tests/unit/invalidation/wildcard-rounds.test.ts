/**
 * Wildcard rounds. CloudFront's wildcard limit is on the paths *in progress at one time* per
 * distribution, not on a deploy: "If you're using the * wildcard, you can have requests for up to 15
 * invalidation paths in progress at one time"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html).
 * So a plan may use `wildcardRounds` × 15 wildcards (less those in flight), in batches of at most 15
 * each; what does not fit next to what is in flight is deferred, never merged into one batch.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WILDCARD_ROUNDS,
  LimitsSchema,
  MAX_WILDCARDS_IN_FLIGHT,
  type PlanInput,
  pacedWildcardRounds,
  pathDemand,
  planInvalidation,
} from '../../../shared/invalidation/index.ts';
import { missedUrls } from './helpers.ts';

const modified = (...keys: string[]) => keys.map((key) => ({ key, change: 'modified' as const }));
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

describe('planInvalidation: wildcard rounds', () => {
  // 20 directories of 40 changed images and nothing else, next to 30,000 unchanged objects: each
  // directory's wildcard hits no unchanged object and replaces 40 paths, while `/*` would hit 30,000.
  // With 20 wildcards allowed, 20 paths; with 15, the other 5 directories go exact (15 + 200 paths).
  const letters = 'abcdefghijlmnopqrstu';
  const changed = range(20, (d) => range(40, (i) => `${letters[d]}${d}/${i}.png`)).flat();
  const base: PlanInput = {
    changes: modified(...changed),
    inventory: [...changed, ...range(30_000, (i) => `keep/${i}`)],
  };
  const withLimits = (limits: PlanInput['limits']): PlanInput => ({ ...base, limits });

  it('defaults to DEFAULT_WILDCARD_ROUNDS rounds of the in-flight limit', () => {
    // Act
    const limits = LimitsSchema.parse({});
    // Assess
    expect(limits).toMatchObject({
      maxWildcardsInFlight: MAX_WILDCARDS_IN_FLIGHT,
      wildcardRounds: DEFAULT_WILDCARD_ROUNDS,
    });
    expect(DEFAULT_WILDCARD_ROUNDS).toBeGreaterThanOrEqual(2);
    expect(() => LimitsSchema.parse({ wildcardRounds: 0 })).toThrow();
  });

  it('plans more than 15 wildcards with two rounds and at most 15 with one', () => {
    // Act
    const one = planInvalidation(withLimits({ wildcardRounds: 1 }));
    const two = planInvalidation(withLimits({ wildcardRounds: 2 }));
    // Assess
    expect(one.wildcards).toHaveLength(15);
    expect(one).toMatchObject({ billedPaths: 15 + 5 * 40, needlessObjects: 0 });
    expect(two.wildcards).toHaveLength(20);
    expect(two).toMatchObject({ billedPaths: 20, needlessObjects: 0 });
    for (const plan of [one, two]) expect(missedUrls(withLimits({}), plan)).toEqual([]);
  });

  it('splits the wildcards into batches of at most 15 and defers the rounds that do not fit yet', () => {
    // Act: nothing in flight, then a full round (15 wildcards) of another deploy in flight.
    const idle = planInvalidation(withLimits({ wildcardRounds: 2 }));
    const busy = planInvalidation(withLimits({ wildcardRounds: 3, inFlight: { files: 0, wildcards: 15 } }));
    // Assess: the first round goes now, the second waits for it; with 15 in flight, every round waits.
    expect(idle.batches.map((b) => [b.wildcards, b.deferred])).toEqual([
      [15, false],
      [5, true],
    ]);
    expect(busy.wildcards).toHaveLength(20);
    expect(busy.batches.map((b) => [b.wildcards, b.deferred])).toEqual([
      [15, true],
      [5, true],
    ]);
    for (const plan of [idle, busy]) {
      expect(plan.batches.every((b) => b.wildcards <= MAX_WILDCARDS_IN_FLIGHT)).toBe(true);
      expect(plan.batches.flatMap((b) => b.paths).sort()).toEqual([...plan.paths].sort());
    }
  });

  it('counts the wildcards in flight against the rounds (rounds × 15 − in flight)', () => {
    // Act: 2 rounds (30) less 12 in flight leave 18 wildcards; 2 rounds less 15 leave one round.
    const eighteen = planInvalidation(
      withLimits({ wildcardRounds: 2, inFlight: { files: 0, wildcards: 12 } }),
    );
    const fifteen = planInvalidation(
      withLimits({ wildcardRounds: 2, inFlight: { files: 0, wildcards: 15 } }),
    );
    // Assess
    expect(eighteen.wildcards).toHaveLength(18);
    expect(eighteen.billedPaths).toBe(18 + 2 * 40);
    expect(fifteen.wildcards).toHaveLength(15);
  });

  it('plans the demand curve with the same wildcard cap as the plan', () => {
    // Prepare: at 100 objects a path, a directory wildcard (0 needless) beats its 40 exact paths and
    // `/*` (1 + 30,000 / 100 = 301) loses to 215 paths.
    const price = 100;
    for (const [wildcardRounds, inFlight, paths] of [
      [1, 0, 215],
      [2, 0, 20],
      [2, 12, 98],
      [3, 15, 20],
    ] as const) {
      const input = withLimits({ wildcardRounds, inFlight: { files: 0, wildcards: inFlight } });
      // Act
      const [demand] = pathDemand(input, [price]);
      const plan = planInvalidation({ ...input, cost: { needlessWeight: 1 / price } });
      // Assess
      expect(demand).toBe(paths);
      expect(plan.billedPaths).toBe(paths);
    }
  });
});

describe('pacedWildcardRounds', () => {
  it.each([
    [4, 1000, 4],
    [4, 600, 4],
    [4, 599, 1],
    [4, 100, 1],
    [1, 1000, 1],
    [10, 5000, 10],
  ])('rounds %i at a month of %i paths: %i', (rounds, monthBudget, expected) => {
    // Act / Assess: extra rounds only where 40 deploys a month could each spend a full round (600).
    expect(pacedWildcardRounds(rounds, monthBudget)).toBe(expected);
  });
});
