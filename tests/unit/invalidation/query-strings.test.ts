/**
 * The per-site option `queryStrings: true` (issue 13 §2): the site's cache key includes query
 * strings, so every exact URL is invalidated as `/url*` and every query variant is dropped.
 *
 * AWS rules checked here, with their sources:
 * - CloudFront Developer Guide, "What you need to know when invalidating paths"
 *   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html),
 *   query strings: when the cache key includes query strings, an invalidation of the bare path
 *   does not drop its query variants; include the query string or end the path with `*`
 *   (AWS-FACTS.md "Paths": "Query strings: if part of the cache key, include them or use `/file*`");
 * - same page, wildcards: a `*` as the last character is a wildcard matching zero or more
 *   characters, so `/a.html*` also matches `/a.html` itself;
 * - CloudFront Developer Guide, "Paying for file invalidation" and "Concurrent invalidation
 *   requests" (AWS-FACTS.md): a path ending in `*` is a wildcard path — billed as one path, and
 *   counted against the 15 wildcard paths in flight, not the 3,000 file paths.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, type ConfigProblem } from '../../../shared/config/errors.ts';
import { validateConfigText } from '../../../shared/config/review.ts';
import {
  countPaths,
  isWildcardPath,
  type PlanInput,
  pathCovers,
  planInvalidation,
} from '../../../shared/invalidation/index.ts';
import { changedUrls, missedUrls } from './helpers.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const modified = (...keys: string[]) => keys.map((key) => ({ key, change: 'modified' as const }));
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

const configText = (site: Record<string, unknown>) =>
  stringify({
    sites: [{ name: 'web', bucket: 'web-bucket', distributionIds: ['E2QWRUHAPOMQZL'], ...site }],
    backupPolicies: [
      {
        name: 'nightly',
        schedule: { cron: '0 2 * * ? *', timeZone: 'UTC' },
        sourceRegion: 'eu-west-1',
        targets: { tags: { Backup: 'nightly' } },
        retention: { keepLast: 3 },
      },
    ],
  });

const problemsOf = (text: string): ConfigProblem[] => {
  try {
    validateConfigText(text, 'shipyard.yml', NOW);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be refused');
};

describe('config: sites[].queryStrings', () => {
  it.each([
    [true, true],
    [false, false],
    [undefined, false],
  ])('accepts queryStrings: %s (parsed as %s)', (value, expected) => {
    // Act
    const { config } = validateConfigText(
      configText(value === undefined ? {} : { queryStrings: value }),
      'shipyard.yml',
      NOW,
    );
    // Assess
    expect(config.sites[0]?.queryStrings).toBe(expected);
  });

  it.each([
    ['a string', { queryStrings: 'yes' }, 'sites[0].queryStrings', /boolean/],
    ['a number', { queryStrings: 1 }, 'sites[0].queryStrings', /boolean/],
    ['a misspelt key', { queryString: true }, 'sites[0]', /queryString/],
  ])('refuses %s, naming the field and what was expected', (_name, site, path, message) => {
    // Act
    const problems = problemsOf(configText(site));
    // Assess
    expect(problems).toContainEqual(
      expect.objectContaining({ path, message: expect.stringMatching(message) }),
    );
  });
});

describe('planInvalidation with queryStrings: true', () => {
  const site = { queryStrings: true };

  it('emits a /url* form for every exact URL (the directory index included), none bare', () => {
    // Prepare: a big unchanged inventory elsewhere, so no directory wildcard is cheaper.
    const input: PlanInput = {
      site,
      changes: modified('a.html', 'docs/index.html', 'img/logo.png'),
      inventory: [...range(300, (i) => `x/${i}`), 'a.html', 'docs/index.html', 'img/logo.png'],
    };
    // Act
    const plan = planInvalidation(input);
    // Assess: /docs* covers /docs, /docs/ and /docs/index.html (prefix-minimal forms).
    expect(plan.paths).toEqual(['/a.html*', '/docs*', '/img/logo.png*']);
    expect(plan.paths.every(isWildcardPath)).toBe(true);
  });

  it('the same change without queryStrings stays exact', () => {
    const plan = planInvalidation({
      changes: modified('a.html', 'img/logo.png'),
      inventory: [...range(300, (i) => `x/${i}`), 'a.html', 'img/logo.png'],
    });
    expect(plan.paths).toEqual(['/a.html', '/img/logo.png']);
  });

  it.each<[string, PlanInput]>([
    ['a few files', { site, changes: modified('a.html', 'b/c.css', 'index.html') }],
    [
      'siblings with a common prefix',
      {
        site,
        changes: modified('a.html', 'a.html.gz', 'ab.html'),
        inventory: [...range(50, (i) => `x/${i}`), 'a.html', 'a.html.gz', 'ab.html'],
      },
    ],
    [
      'many files in one directory (a directory wildcard may win)',
      {
        site,
        changes: modified(...range(40, (i) => `blog/p${i}.html`)),
        inventory: range(40, (i) => `blog/p${i}.html`),
      },
    ],
    ['encoded names', { site, changes: modified('caf\u00e9/men\u00fc.html', 'a b.html') }],
  ])('never misses a URL with a query string: %s', (_name, input) => {
    // Act
    const plan = planInvalidation(input);
    // Assess: every changed URL, bare and with any query, is covered by a path of the plan.
    expect(missedUrls(input, plan)).toEqual([]);
    for (const url of changedUrls(input)) {
      for (const variant of [url, `${url}?v=2`, `${url}?a=1&b=%20`, `${url}?`]) {
        expect(
          plan.paths.some((path) => pathCovers(path, variant)),
          variant,
        ).toBe(true);
      }
    }
  });

  it('without queryStrings a bare exact path does not cover a query variant (why the option exists)', () => {
    const plan = planInvalidation({
      changes: modified('a.html'),
      inventory: [...range(300, (i) => `x/${i}`), 'a.html'],
    });
    expect(plan.paths).toEqual(['/a.html']);
    expect(pathCovers('/a.html', '/a.html?v=2')).toBe(false);
  });

  it('counts and bills every /url* path as a wildcard path (one billed path each)', () => {
    // Prepare: five changed files in five directories, each among many unchanged siblings.
    const dirs = ['a', 'b', 'c', 'd', 'e'];
    const input: PlanInput = {
      site,
      changes: modified(...dirs.map((d) => `${d}/f.html`)),
      inventory: dirs.flatMap((d) => [`${d}/f.html`, ...range(500, (j) => `${d}/o${j}`)]),
    };
    // Act
    const plan = planInvalidation(input);
    // Assess
    expect(plan.paths).toEqual(dirs.map((d) => `/${d}/f.html*`));
    expect(countPaths(plan.paths)).toEqual({ files: 0, wildcards: 5 });
    expect(plan.billedPaths).toBe(5);
    expect(plan.batches).toEqual([expect.objectContaining({ filePaths: 0, wildcards: 5, deferred: false })]);
  });

  it('keeps every batch within the wildcard paths in flight, never the file-path allowance', () => {
    // Prepare: room for 2 more wildcards in flight (15 minus 13 still InProgress).
    const dirs = ['a', 'b', 'c', 'd', 'e'];
    const input: PlanInput = {
      site,
      changes: modified(...dirs.map((d) => `${d}/f.html`)),
      inventory: dirs.flatMap((d) => [`${d}/f.html`, ...range(500, (j) => `${d}/o${j}`)]),
      limits: { inFlight: { files: 0, wildcards: 13 } },
    };
    // Act
    const plan = planInvalidation(input);
    // Assess: nothing missed, and what is sent now fits the 2 wildcards of room (the rest deferred).
    expect(missedUrls(input, plan)).toEqual([]);
    const sentNow = plan.batches.filter((b) => !b.deferred);
    expect(sentNow.reduce((n, b) => n + b.wildcards, 0)).toBeLessThanOrEqual(2);
    expect(plan.batches.reduce((n, b) => n + b.wildcards, 0)).toBe(plan.paths.length);
    expect(plan.batches.some((b) => b.deferred)).toBe(plan.paths.length > 2);
    for (const batch of plan.batches) {
      expect(batch.filePaths).toBe(0);
      expect(batch.wildcards).toBe(batch.paths.length);
      expect(batch.wildcards).toBeLessThanOrEqual(15);
    }
  });
});
