import { describe, expect, it } from 'vitest';
import { mergeChanges } from '../../../shared/invalidation-service/change-set.ts';
import {
  deployDetail,
  MAX_DETAIL_BYTES,
  siteChangesFromGitDiff,
} from '../../../shared/invalidation-service/git-changes.ts';
import { canonicalPaths } from '../../../shared/invalidation-service/paths.ts';
import { SITES } from './fixtures.ts';

describe('siteChangesFromGitDiff', () => {
  it('keeps files under the repository folder, relative to it, with their status', () => {
    const output = 'M\0public/index.html\0A\0public/a b.html\0D\0README.md\0T\0public/link\0';
    expect(siteChangesFromGitDiff(output, 'public')).toEqual([
      { path: 'index.html', status: 'M' },
      { path: 'a b.html', status: 'A' },
      { path: 'link', status: 'M' },
    ]);
  });

  it('refuses rename or copy records (the diff must be taken with --no-renames)', () => {
    expect(() => siteChangesFromGitDiff('R100\0public/a\0', '')).toThrow(
      'malformed cli event: git diff: unexpected status "R100" for public/a (run with --no-renames)',
    );
  });
});

describe('deployDetail', () => {
  it('drops the file list when the event would exceed the EventBridge size limit', () => {
    const site = SITES[0]!;
    const many = Array.from({ length: MAX_DETAIL_BYTES / 20 }, (_, i) => ({
      path: `f${i}.html`,
      status: 'M' as const,
    }));
    expect(deployDetail(site, 'abc', [{ path: 'a.html', status: 'M' }])).toEqual({
      detail: { site: 'web', deployId: 'abc', changes: [{ path: 'a.html', status: 'M' }] },
      truncated: false,
    });
    expect(deployDetail(site, 'abc', many)).toEqual({
      detail: { site: 'web', deployId: 'abc' },
      truncated: true,
    });
  });
});

describe('mergeChanges', () => {
  it('nets out repeated keys: added+modified stays added, deleted+added is modified', () => {
    expect(
      mergeChanges([
        { key: 'b', change: 'added' },
        { key: 'b', change: 'modified' },
        { key: 'a', change: 'deleted' },
        { key: 'a', change: 'added' },
        { key: 'c', change: 'added' },
        { key: 'c', change: 'deleted' },
      ]),
    ).toEqual([
      { key: 'a', change: 'modified' },
      { key: 'b', change: 'added' },
      { key: 'c', change: 'deleted' },
    ]);
  });
});

describe('canonicalPaths', () => {
  it("keeps a query string's '?' literal (CloudFront matches it so), while a key's own '?' stays %3F", () => {
    expect(
      canonicalPaths(
        ['/app.js?v=2', '/a b.html?q=x y&r=1?', '/a%3Fb.html', '/img/*', '/search?q=*'],
        'cli',
        '--paths',
      ),
    ).toEqual(['/app.js?v=2', '/a%20b.html?q=x%20y&r=1?', '/a%3Fb.html', '/img/*', '/search?q=*']);
    // AWS-FACTS "Paths" (2026-12 correction): a '*' before the last character is a literal.
    expect(canonicalPaths(['/a*?v=1'], 'cli', '--paths')).toEqual(['/a*?v=1']);
    // `%2A` is not a wildcard and `%2F` is not a slash: kept as given.
    expect(canonicalPaths(['/sale%2a', '/a%2Fb.html'], 'cli', '--paths')).toEqual([
      '/sale%2A',
      '/a%2Fb.html',
    ]);
  });

  it('lists every invalid path at once', () => {
    expect(() => canonicalPaths(['/ok', 'no-slash', '/a~b', '/100%'], 'cli', '--paths')).toThrow(
      `malformed cli event: --paths[1]: invalid invalidation path "no-slash": expected a path starting with '/'; --paths[2]: invalid invalidation path "/a~b": expected no '~' (CloudFront does not support it in invalidation paths, encoded or not); --paths[3]: invalid invalidation path "/100%": expected well-formed '%XX' escapes of UTF-8`,
    );
  });
});
