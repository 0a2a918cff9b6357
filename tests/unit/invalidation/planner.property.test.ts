import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodePath,
  type PlanInput,
  pathDemand,
  planInvalidation,
} from '../../../shared/invalidation/index.ts';
import { bruteNeedless, changedUrls, missedUrls } from './helpers.ts';

const segment = fc.constantFrom(
  'a',
  'ab',
  'b',
  'a b',
  'é',
  '数',
  'index.html',
  'x.png',
  'docs',
  'docs-old',
  'D',
);
const key = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
const prefixed = fc.oneof(
  key,
  key.map((k) => `site/${k}`),
);
const kind = fc.constantFrom('added' as const, 'modified' as const, 'deleted' as const);

const scenario = fc.record({
  changes: fc.uniqueArray(fc.record({ key: prefixed, change: kind }), {
    selector: (c) => c.key,
    maxLength: 12,
  }),
  others: fc.uniqueArray(prefixed, { maxLength: 25 }),
  withInventory: fc.boolean(),
  keyPrefix: fc.constantFrom('', 'site/'),
  maxFilePathsInFlight: fc.integer({ min: 1, max: 6 }),
  maxWildcardsInFlight: fc.integer({ min: 0, max: 4 }),
  inFlightFiles: fc.integer({ min: 0, max: 6 }),
  inFlightWildcards: fc.integer({ min: 0, max: 4 }),
  wildcardRounds: fc.integer({ min: 1, max: 3 }),
  needlessWeight: fc.constantFrom(0, 0.01, 0.3, 2),
  maxPaths: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  withinBudget: fc.constantFrom('balanced' as const, 'fewest-needless' as const, 'cheapest' as const),
});

function build(s: {
  changes: Array<{ key: string; change: 'added' | 'modified' | 'deleted' }>;
  others: string[];
  withInventory: boolean;
  keyPrefix: string;
  maxFilePathsInFlight: number;
  maxWildcardsInFlight: number;
  inFlightFiles: number;
  inFlightWildcards: number;
  wildcardRounds: number;
  needlessWeight: number;
  maxPaths: number | undefined;
  withinBudget: 'balanced' | 'fewest-needless' | 'cheapest';
}): PlanInput {
  const deleted = new Set(s.changes.filter((c) => c.change === 'deleted').map((c) => c.key));
  const inventory = [...new Set([...s.others, ...s.changes.map((c) => c.key)])].filter(
    (k) => !deleted.has(k),
  );
  return {
    changes: s.changes,
    site: { keyPrefix: s.keyPrefix },
    ...(s.withInventory ? { inventory } : {}),
    limits: {
      maxFilePathsInFlight: s.maxFilePathsInFlight,
      maxWildcardsInFlight: s.maxWildcardsInFlight,
      wildcardRounds: s.wildcardRounds,
      inFlight: {
        files: Math.min(s.inFlightFiles, s.maxFilePathsInFlight),
        wildcards: Math.min(s.inFlightWildcards, s.maxWildcardsInFlight),
      },
    },
    cost: {
      needlessWeight: s.needlessWeight,
      withinBudget: s.withinBudget,
      ...(s.maxPaths ? { maxPaths: s.maxPaths } : {}),
    },
  };
}

describe('planInvalidation properties', () => {
  it('never misses a URL, respects the limits and recounts needless objects exactly', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        // Prepare
        const input = build(s);
        // Act
        const plan = planInvalidation(input);
        // Assess
        expect(missedUrls(input, plan)).toEqual([]);
        // Rounds of the in-flight limit, less what is in flight (the limit is on wildcards in progress).
        const wildcardsLeft = Math.max(
          0,
          s.wildcardRounds * s.maxWildcardsInFlight - Math.min(s.inFlightWildcards, s.maxWildcardsInFlight),
        );
        expect(plan.wildcards.length).toBeLessThanOrEqual(Math.min(15 * s.wildcardRounds, wildcardsLeft));
        for (const batch of plan.batches) {
          expect(batch.filePaths).toBeLessThanOrEqual(s.maxFilePathsInFlight);
          expect(batch.wildcards).toBeLessThanOrEqual(s.maxWildcardsInFlight);
          expect(batch.paths.length).toBe(batch.filePaths + batch.wildcards);
        }
        expect(plan.batches.flatMap((b) => b.paths).sort()).toEqual([...plan.paths].sort());
        expect(plan.billedPaths).toBe(plan.paths.length);
        expect(plan.urlsCovered).toBe(changedUrls(input).length);
        if (s.withInventory) expect(plan.needlessObjects).toBe(bruteNeedless(input, plan.paths));
        else expect(plan.needlessObjects).toBeNull();
        if (s.maxPaths !== undefined && wildcardsLeft > 0)
          expect(plan.billedPaths).toBeLessThanOrEqual(s.maxPaths);
      }),
      { numRuns: 300 },
    );
  });

  it('with a budget finds the fewest needless objects any plan within the budget can reach (brute force)', () => {
    const small = fc.record({
      changes: fc.uniqueArray(fc.record({ key, change: kind }), {
        selector: (c) => c.key,
        minLength: 1,
        maxLength: 4,
      }),
      others: fc.uniqueArray(key, { maxLength: 12 }),
      maxPaths: fc.integer({ min: 1, max: 2 }),
    });
    fc.assert(
      fc.property(small, ({ changes, others, maxPaths }) => {
        // Prepare
        const deleted = new Set(changes.filter((c) => c.change === 'deleted').map((c) => c.key));
        const inventory = [...new Set([...others, ...changes.map((c) => c.key)])].filter(
          (k) => !deleted.has(k),
        );
        const input: PlanInput = { changes, inventory, cost: { maxPaths, withinBudget: 'fewest-needless' } };
        const urls = changedUrls(input);
        const candidates = new Set<string>(urls);
        for (const url of urls) for (let i = 1; i <= url.length; i++) candidates.add(`${url.slice(0, i)}*`);
        const list = [...candidates].map(encodePath);
        let best = Number.POSITIVE_INFINITY;
        const consider = (paths: string[]) => {
          const plan = { paths } as unknown as Parameters<typeof missedUrls>[1];
          if (missedUrls(input, plan).length === 0) best = Math.min(best, bruteNeedless(input, paths));
        };
        for (let i = 0; i < list.length; i++) {
          consider([list[i]!]);
          if (maxPaths === 2) for (let j = i + 1; j < list.length; j++) consider([list[i]!, list[j]!]);
        }
        // Act
        const plan = planInvalidation(input);
        // Assess
        expect(plan.needlessObjects).toBe(best);
      }),
      { numRuns: 60 },
    );
  });

  it('demand for paths: what the cost model bills at each price, never rising with the price', () => {
    const sample = fc.record({
      changes: fc.uniqueArray(fc.record({ key, change: kind }), {
        selector: (c) => c.key,
        minLength: 1,
        maxLength: 12,
      }),
      others: fc.uniqueArray(key, { maxLength: 30 }),
    });
    const prices = [0.1, 1, 3, 10, 100, 1e5];
    fc.assert(
      fc.property(sample, ({ changes, others }) => {
        // Prepare
        const deleted = new Set(changes.filter((c) => c.change === 'deleted').map((c) => c.key));
        const inventory = [...new Set([...others, ...changes.map((c) => c.key)])].filter(
          (k) => !deleted.has(k),
        );
        // Act
        const demand = pathDemand({ changes, inventory }, prices);
        // Assess
        prices.forEach((price, i) => {
          const plan = planInvalidation({ changes, inventory, cost: { needlessWeight: 1 / price } });
          expect(demand[i]).toBe(plan.billedPaths);
          if (i > 0) expect(demand[i]!).toBeLessThanOrEqual(demand[i - 1]!);
        });
      }),
      { numRuns: 60 },
    );
  });
});
