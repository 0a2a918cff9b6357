import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PlanInput, planInvalidation } from '../../../shared/invalidation/index.ts';
import { bruteNeedless, missedUrls } from './helpers.ts';

const modified = (...keys: string[]) => keys.map((key) => ({ key, change: 'modified' as const }));
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

describe('planInvalidation: mixed plans (budget above the wildcards available)', () => {
  // Four directories of 10 changed and 10 unchanged pages each (names interleaved, so no prefix inside
  // a directory separates them): a directory is 10 exact paths and no needless object, or one wildcard
  // hitting its 10 unchanged pages. Every directory switches at the same price (10 / 9 objects a
  // path), so the cost model's plans are all 40 exact paths or `/*` (40 needless), nothing between.
  const changed = range(4, (d) => range(10, (i) => `d${d}/p${i}c.html`)).flat();
  const unchanged = range(4, (d) => range(10, (i) => `d${d}/p${i}u.html`)).flat();
  const base: PlanInput = { changes: modified(...changed), inventory: [...changed, ...unchanged] };

  it('splits a deploy between exact paths and wildcards and beats both pure plans within the budget', () => {
    // Prepare: the two pure plans, from the cost model below and above the switching price.
    const exact = planInvalidation({ ...base, cost: { needlessWeight: 1 } });
    const wide = planInvalidation({ ...base, cost: { needlessWeight: 0.5 } });
    const input: PlanInput = { ...base, cost: { maxPaths: 25, withinBudget: 'fewest-needless' } };
    // Act
    const mixed = planInvalidation(input);
    // Assess: all exact needs 40 paths (over 25); `/*` hits 40; two directories exact and two
    // wildcards bill 22 paths and hit 20.
    expect(exact).toMatchObject({ billedPaths: 40, needlessObjects: 0 });
    expect(wide).toMatchObject({ billedPaths: 1, needlessObjects: 40 });
    expect(mixed).toMatchObject({
      billedPaths: 22,
      needlessObjects: 20,
      budget: { maxPaths: 25, met: true },
    });
    expect(mixed.wildcards.map((w) => w.path)).toHaveLength(2);
    expect(missedUrls(input, mixed)).toEqual([]);
    expect(mixed.needlessObjects).toBe(bruteNeedless(input, mixed.paths));
  });

  it("keeps the cost model's plan where the budget does not bind ('cheapest')", () => {
    // Act: at 2 objects a path one wildcard over everything (`/d*`) is the optimum and fits.
    const plan = planInvalidation({
      ...base,
      cost: { maxPaths: 25, withinBudget: 'cheapest', needlessWeight: 0.5 },
    });
    // Assess
    expect(plan).toMatchObject({ billedPaths: 1, needlessObjects: 40 });
  });

  it('fills the allowance at a price below the switching one (the paced slack: cheapest within the cap)', () => {
    // Act: a path is worth 0.1 object, so exact paths are spent up to the cap (3 directories = 30 + 1).
    const plan = planInvalidation({
      ...base,
      cost: { maxPaths: 31, withinBudget: 'cheapest', needlessWeight: 10 },
    });
    // Assess
    expect(plan).toMatchObject({ billedPaths: 31, needlessObjects: 10 });
  });

  it('keeps to the wildcards left when the path budget alone would use more', () => {
    // Prepare: 20 directories (a/ … t/) of 3 changed pages, nothing else in them: a wildcard each is
    // free, but only 10 wildcards are left (5 in flight), so 10 directories go exact: 10 + 30 = 40 paths.
    const letters = 'abcdefghijklmnopqrst';
    const pages = range(20, (d) => range(3, (i) => `${letters[d]}/${i}.html`)).flat();
    const input: PlanInput = {
      changes: modified(...pages),
      inventory: [...pages, ...range(500, (i) => `z/${i}`)],
      cost: { maxPaths: 40, withinBudget: 'fewest-needless' },
      limits: { wildcardRounds: 1, inFlight: { files: 0, wildcards: 5 } },
    };
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan).toMatchObject({ billedPaths: 40, needlessObjects: 0 });
    expect(plan.wildcards.length).toBeLessThanOrEqual(10);
    expect(missedUrls(input, plan)).toEqual([]);
  });

  it('never misses a changed URL, never exceeds its allowance or the wildcards left (property)', () => {
    const site = fc.record({
      dirs: fc.array(
        fc.record({ changed: fc.integer({ min: 1, max: 6 }), unchanged: fc.integer({ min: 0, max: 6 }) }),
        {
          minLength: 1,
          maxLength: 25,
        },
      ),
      maxPaths: fc.integer({ min: 16, max: 60 }),
      inFlight: fc.integer({ min: 0, max: 12 }),
      withinBudget: fc.constantFrom('fewest-needless' as const, 'balanced' as const, 'cheapest' as const),
    });
    fc.assert(
      fc.property(site, ({ dirs, maxPaths, inFlight, withinBudget }) => {
        const changedKeys = dirs.flatMap((d, i) => range(d.changed, (j) => `x${i}/c${j}.html`));
        const unchangedKeys = dirs.flatMap((d, i) => range(d.unchanged, (j) => `x${i}/c${j}u.html`));
        const input: PlanInput = {
          changes: modified(...changedKeys),
          inventory: [...changedKeys, ...unchangedKeys],
          cost: { maxPaths, withinBudget, needlessWeight: 0.5 },
          limits: { wildcardRounds: 1, inFlight: { files: 0, wildcards: inFlight } },
        };
        const plan = planInvalidation(input);
        expect(missedUrls(input, plan)).toEqual([]);
        expect(plan.billedPaths).toBeLessThanOrEqual(maxPaths);
        expect(plan.wildcards.length).toBeLessThanOrEqual(15 - inFlight);
        expect(plan.needlessObjects).toBe(bruteNeedless(input, plan.paths));
      }),
      { numRuns: 150 },
    );
  });
});
