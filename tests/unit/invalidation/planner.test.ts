import { describe, expect, it } from 'vitest';
import {
  InvalidPlanInputError,
  type PlanInput,
  planInvalidation,
} from '../../../shared/invalidation/index.ts';
import { bruteNeedless, missedUrls } from './helpers.ts';

const modified = (...keys: string[]) => keys.map((key) => ({ key, change: 'modified' as const }));
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

describe('planInvalidation: URL forms and mapping', () => {
  it.each<[string, PlanInput, string[]]>([
    [
      'a directory index: one prefix wildcard covers its three forms',
      {
        changes: modified('docs/index.html'),
        inventory: [...range(300, (i) => `x/${i}`), 'docs/index.html'],
      },
      ['/docs*'],
    ],
    [
      'a directory index among many docs-* siblings and docs/ files: its three forms',
      {
        changes: modified('docs/index.html'),
        inventory: [...range(300, (i) => `docs-${i}`), 'docs/index.html', ...range(300, (i) => `docs/${i}`)],
      },
      ['/docs', '/docs/', '/docs/index.html'],
    ],
    [
      'the root index also gets /',
      { changes: modified('index.html'), inventory: [...range(300, (i) => `x/${i}`), 'index.html'] },
      ['/', '/index.html'],
    ],
    [
      'a deleted object is invalidated too',
      { changes: [{ key: 'a.html', change: 'deleted' }], inventory: range(300, (i) => `x/${i}`) },
      ['/a.html'],
    ],
    [
      'the origin path is stripped',
      {
        changes: modified('site/a b.html'),
        site: { keyPrefix: '/site' },
        inventory: [...range(300, (i) => `site/x/${i}`), 'site/a b.html'],
      },
      ['/a%20b.html'],
    ],
    [
      'paths come out encoded',
      { changes: modified('zh/数组.png', 'a~b'), inventory: range(300, (i) => `x/${i}`) },
      // '~' cannot be named (CloudFront Developer Guide, "What you need to know when invalidating
      // files"): the narrowest wildcard ending before it covers it.
      ['/a*', '/zh/%E6%95%B0%E7%BB%84.png'],
    ],
  ])('%s', (_name, input, expected) => {
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan.paths).toEqual(expected);
    expect(missedUrls(input, plan)).toEqual([]);
  });

  it('lists keys outside the origin path as ignored, with the reason', () => {
    // Prepare
    const input: PlanInput = {
      changes: modified('site/a.html', 'logs/x.log', 'a*b'),
      site: { keyPrefix: 'site/' },
    };
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan.paths).toEqual(['/a.html']);
    expect(plan.ignored.map((i) => i.key)).toEqual(['logs/x.log', 'a*b']);
    expect(plan.ignored[0]!.reason).toContain("only keys under 'site/'");
  });

  it('plans nothing for nothing', () => {
    // Act
    const plan = planInvalidation({ changes: [], inventory: ['a'] });
    // Assess
    expect(plan).toMatchObject({
      paths: [],
      batches: [],
      billedPaths: 0,
      needlessObjects: 0,
      urlsCovered: 0,
    });
  });
});

describe('planInvalidation: wildcard choice by cost', () => {
  it('collapses a fully rebuilt directory into /dir/* with a reason', () => {
    // Prepare
    const images = range(412, (i) => `img/${i}.png`);
    const input: PlanInput = {
      changes: modified(...images),
      inventory: [...images, 'img/a.png', 'img/b.png', 'img/c.png', 'index.html'],
    };
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan.paths).toEqual(['/img/*']);
    expect(plan.needlessObjects).toBe(3);
    expect(plan.wildcards[0]!.reason).toBe(
      '/img/* covers 412 changed URLs and 3 unchanged objects: 1 path + 3 × 0.02 = 1.06 is cheaper than 412 paths',
    );
  });

  it('keeps exact paths when a wildcard would hit too many unchanged objects', () => {
    // Prepare
    const input: PlanInput = {
      changes: modified('img/1.png', 'img/2.png'),
      inventory: range(1000, (i) => `img/${i}.png`),
    };
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan.paths).toEqual(['/img/1.png', '/img/2.png']);
    expect(plan.wildcards).toEqual([]);
    expect(plan.needlessObjects).toBe(0);
  });

  it('uses /docs* for a changed directory index plus its directory, counting docs-old siblings as needless', () => {
    // Prepare
    const docs = range(20, (i) => `docs/p${i}.html`);
    const input: PlanInput = {
      changes: modified('docs/index.html', ...docs),
      inventory: ['docs/index.html', ...docs, 'docs-old/a.html', ...range(500, (i) => `other/${i}.html`)],
    };
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan.paths).toEqual(['/docs*']);
    expect(plan.needlessObjects).toBe(1);
    expect(bruteNeedless(input, plan.paths)).toBe(1);
    expect(missedUrls(input, plan)).toEqual([]);
  });

  it('prefers /docs/* + /docs over /docs* when the siblings are many', () => {
    // Prepare
    const docs = range(20, (i) => `docs/p${i}.html`);
    const input: PlanInput = {
      changes: modified('docs/index.html', ...docs),
      inventory: ['docs/index.html', ...docs, ...range(300, (i) => `docs-old/${i}.html`)],
    };
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan.paths).toEqual(['/docs', '/docs/*']);
    expect(plan.needlessObjects).toBe(0);
  });

  it('groups sibling directories by a shared name prefix (/e*) when that is cheapest', () => {
    // Prepare
    const changed = ['elf', 'ext2', 'ethernet'].flatMap((d) => range(30, (i) => `${d}/${i}.html`));
    const input: PlanInput = {
      changes: modified(...changed),
      inventory: [...changed, ...range(400, (i) => `z${i}/a.html`)],
    };
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan.paths).toEqual(['/e*']);
    expect(plan.needlessObjects).toBe(0);
  });

  it('chooses /* only when it is the cheapest plan', () => {
    // Prepare
    const all = range(50, (i) => `${String.fromCharCode(97 + (i % 26))}${i}/x.html`);
    const cheap: PlanInput = { changes: modified(...all), inventory: [...all, 'extra.html'] };
    const costly: PlanInput = {
      changes: modified(...all),
      inventory: [...all, ...range(10_000, (i) => `keep/${i}`)],
    };
    // Act
    const cheapPlan = planInvalidation(cheap);
    const costlyPlan = planInvalidation(costly);
    // Assess
    expect(cheapPlan.paths).toEqual(['/*']);
    expect(costlyPlan.paths).not.toContain('/*');
    expect(costlyPlan.needlessObjects).toBe(bruteNeedless(costly, costlyPlan.paths));
  });

  it('invalidates /* when asked, whatever it costs', () => {
    // Act
    const plan = planInvalidation({
      changes: modified('a.html'),
      inventory: ['a.html', 'b.html'],
      invalidateAll: true,
    });
    // Assess
    expect(plan.paths).toEqual(['/*']);
    expect(plan.needlessObjects).toBe(1);
    expect(plan.wildcards[0]!.reason).toContain('invalidateAll');
  });

  it('without an inventory only collapses where it is cheap even in the assumed worst case', () => {
    // Prepare
    const few = modified(...range(5, (i) => `img/${i}.png`));
    const many = modified(...range(2000, (i) => `img/${i}.png`));
    // Act
    const fewPlan = planInvalidation({ changes: few });
    const manyPlan = planInvalidation({ changes: many });
    // Assess
    expect(fewPlan.paths).toHaveLength(5);
    expect(fewPlan.needlessObjects).toBeNull();
    expect(manyPlan.paths).toEqual(['/img/*']);
    expect(manyPlan.wildcards[0]!.reason).toContain(
      'an unknown number of unchanged objects (assumed ≤ 1000)',
    );
  });

  it('counts an unchanged object that shares a URL with a changed one as needless (key docs vs docs/index.html)', () => {
    // Prepare
    const input: PlanInput = {
      changes: modified('docs/index.html'),
      inventory: [
        'docs',
        'docs/index.html',
        ...range(300, (i) => `docs-${i}`),
        ...range(300, (i) => `docs/${i}`),
      ],
    };
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan.paths).toEqual(['/docs', '/docs/', '/docs/index.html']);
    expect(plan.needlessObjects).toBe(1);
    expect(bruteNeedless(input, plan.paths)).toBe(1);
  });

  it('is case-sensitive: Understanding/ and understanding/ are different directories', () => {
    // Prepare
    const upper = range(30, (i) => `Understanding/${i}.html`);
    const lower = range(30, (i) => `understanding/${i}.html`);
    const input: PlanInput = {
      changes: modified(...upper),
      inventory: [...upper, ...lower, ...range(300, (i) => `x/${i}`)],
    };
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan.paths).toEqual(['/Understanding/*']);
    expect(plan.needlessObjects).toBe(0);
  });
});

describe('planInvalidation: limits', () => {
  it('uses no more wildcards than are left next to those in flight', () => {
    // Prepare
    const letters = 'abcdefghijlmnopqrstu';
    const changed = range(20, (d) => range(40, (i) => `${letters[d]}${d}/${i}.png`)).flat();
    const inventory = [...changed, ...range(30_000, (i) => `keep/${i}`)];
    // Act (one round of wildcards: see 'wildcard rounds' below for more)
    const free = planInvalidation({
      changes: modified(...changed),
      inventory,
      limits: { wildcardRounds: 1 },
    });
    const busy = planInvalidation({
      changes: modified(...changed),
      inventory,
      limits: { wildcardRounds: 1, inFlight: { files: 0, wildcards: 12 } },
    });
    const full = planInvalidation({
      changes: modified(...changed),
      inventory,
      limits: { wildcardRounds: 1, inFlight: { files: 0, wildcards: 15 } },
    });
    // Assess
    expect(free.wildcards.length).toBe(15);
    expect(busy.wildcards.length).toBeLessThanOrEqual(3);
    expect(full.wildcards.length).toBe(0);
    for (const plan of [free, busy, full])
      expect(plan.batches.every((b) => b.wildcards <= 15 && b.filePaths <= 3000)).toBe(true);
    expect(full.billedPaths).toBe(800);
  });

  it('splits more than 3,000 file paths into batches and defers what does not fit next to the files in flight', () => {
    // Prepare
    const changed = range(7000, (i) => `f${i}.html`);
    const input: PlanInput = {
      changes: modified(...changed),
      inventory: [...changed, ...range(100_000, (i) => `keep${i}/x`)],
      limits: { wildcardRounds: 1, inFlight: { files: 500, wildcards: 15 } },
    };
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan.batches.map((b) => [b.filePaths, b.wildcards, b.deferred])).toEqual([
      [3000, 0, true],
      [3000, 0, true],
      [1000, 0, true],
    ]);
    expect(missedUrls(input, plan)).toEqual([]);
  });

  it('sends what fits now and defers the rest', () => {
    // Prepare
    const changed = range(4000, (i) => `f${i}.html`);
    const input: PlanInput = { changes: modified(...changed), limits: { maxWildcardsInFlight: 0 } };
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan.batches.map((b) => [b.filePaths, b.deferred])).toEqual([
      [3000, false],
      [1000, true],
    ]);
  });
});

describe('planInvalidation: budget', () => {
  const sections = ['a', 'b', 'c', 'd'].flatMap((s) => range(25, (i) => `${s}/${i}.html`));
  const inventory = [...sections, ...range(100, (i) => `a/keep${i}`), ...range(1000, (i) => `z/${i}`)];

  it.each([1, 2, 4, 8, 30])('with maxPaths %i bills at most that and covers everything', (maxPaths) => {
    // Prepare
    const input: PlanInput = { changes: modified(...sections), inventory, cost: { maxPaths } };
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan.billedPaths).toBeLessThanOrEqual(maxPaths);
    expect(plan.budget).toEqual({ maxPaths, met: true });
    expect(missedUrls(input, plan)).toEqual([]);
    expect(plan.needlessObjects).toBe(bruteNeedless(input, plan.paths));
  });

  it("with withinBudget 'fewest-needless' finds the fewest needless objects for each budget", () => {
    // Prepare
    const at = (maxPaths: number) =>
      planInvalidation({
        changes: modified(...sections),
        inventory,
        cost: { maxPaths, withinBudget: 'fewest-needless' },
      });
    // Act
    const needless = [1, 2, 3, 4].map((b) => at(b).needlessObjects);
    // (a/ holds 100 unchanged objects, z/ 1000: /* until a–d fit one wildcard each; 0 needs a/'s 25 files exact)
    // Assess
    expect(needless).toEqual([1100, 1100, 1100, 100]);
    expect(at(4).paths).toEqual(['/a/*', '/b/*', '/c/*', '/d/*']);
    expect(at(28).needlessObjects).toBe(0);
  });

  it("by default ('balanced') spends a path only where it saves 7% of the fewest-path plan's needless objects", () => {
    // Prepare: /* hits 1,100 unchanged objects, so a path must save ≥ 77 of them.
    const plan = (extra: string[]) =>
      planInvalidation({
        changes: modified(...sections),
        inventory: [...inventory, ...extra],
        cost: { maxPaths: 8 },
      });
    // Act
    const worth = plan([]);
    // Assess: /a/* … /d/* (4 paths, 100 needless) saves 1,000 objects for 3 more paths: spent.
    expect(worth.paths).toEqual(['/a/*', '/b/*', '/c/*', '/d/*']);
    // 25 exact paths for a/ would save the last 100: not within 8 paths, and fewest-needless agrees.
    const fewest = planInvalidation({
      changes: modified(...sections),
      inventory,
      cost: { maxPaths: 8, withinBudget: 'fewest-needless' },
    });
    expect(fewest.needlessObjects).toBe(worth.needlessObjects);
  });

  it("by default ('balanced') does not spend paths on crumbs, where fewest-needless does", () => {
    // Prepare: s/x/ and s/y/ changed with 2 unchanged objects each; s/z/ holds 1,000 more.
    const changed = [...range(5, (i) => `s/x/${i}.html`), ...range(5, (i) => `s/y/${i}.html`)];
    const input: PlanInput = {
      changes: modified(...changed),
      inventory: [...changed, 's/x/k1', 's/x/k2', 's/y/k1', 's/y/k2', ...range(1000, (i) => `s/z/${i}`)],
      cost: { maxPaths: 8 },
    };
    // Act
    const balanced = planInvalidation(input);
    const fewest = planInvalidation({ ...input, cost: { maxPaths: 8, withinBudget: 'fewest-needless' } });
    // Assess: /s/* hits 1,004, so a path is worth 70 objects: /s/x/* + /s/y/* (4 needless) saves
    // 1,000 for one more path; 4 more exact paths to save 2 objects are not worth it.
    expect(balanced.paths).toEqual(['/s/x/*', '/s/y/*']);
    expect(balanced.needlessObjects).toBe(4);
    expect(fewest).toMatchObject({ billedPaths: 6, needlessObjects: 2 });
    expect(missedUrls(input, balanced)).toEqual([]);
  });

  it("with withinBudget 'cheapest' keeps the cost model inside the cap", () => {
    // Prepare
    const input: PlanInput = {
      changes: modified(...sections),
      inventory,
      cost: { maxPaths: 8, withinBudget: 'cheapest', needlessWeight: 0.001 },
    };
    // Act
    const plan = planInvalidation(input);
    // Assess: /* costs 1 + 1,100 × 0.001 = 2.1, less than the 4 paths of /a/* … /d/*
    expect(plan.billedPaths).toBeLessThan(4);
  });

  it('uses the Lagrangian search for budgets above the wildcards left, and still fits', () => {
    // Prepare
    const changed = range(30, (d) => range(10, (i) => `d${d}/${i}.png`)).flat();
    const input: PlanInput = {
      changes: modified(...changed),
      inventory: [...changed, ...range(30, (d) => `d${d}/keep.png`), ...range(1000, (i) => `z/${i}`)],
      cost: { maxPaths: 40 },
      limits: { inFlight: { files: 0, wildcards: 10 } },
    };
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan.billedPaths).toBeLessThanOrEqual(40);
    expect(plan.wildcards.length).toBeLessThanOrEqual(5);
    expect(missedUrls(input, plan)).toEqual([]);
    expect(plan.needlessObjects).toBe(bruteNeedless(input, plan.paths));
  });

  it('reports a budget it cannot meet when no wildcard is left', () => {
    // Act
    const plan = planInvalidation({
      changes: modified('a', 'b', 'c'),
      cost: { maxPaths: 2 },
      limits: { wildcardRounds: 1, inFlight: { files: 0, wildcards: 15 } },
    });
    // Assess
    expect(plan.billedPaths).toBe(3);
    expect(plan.budget).toEqual({ maxPaths: 2, met: false });
  });
});

describe('planInvalidation: input validation', () => {
  it('lists every problem and rejects unknown keys', () => {
    // Prepare
    const input = {
      changes: [{ key: 'a', change: 'touched' }],
      cost: { maxpaths: 8 },
    } as unknown as PlanInput;
    // Act
    let caught: unknown;
    try {
      planInvalidation(input);
    } catch (error) {
      caught = error;
    }
    // Assess
    expect(caught).toBeInstanceOf(InvalidPlanInputError);
    const issues = (caught as InvalidPlanInputError).issues;
    expect(issues.some((i) => i.startsWith('changes.0.change'))).toBe(true);
    expect(issues.some((i) => i.includes('maxpaths'))).toBe(true);
  });
});
