// The benchmark's port of bep/s3deploy's normalizeInvalidationPaths, checked against the table of
// s3deploy's own lib/cloudfront_test.go (TestReduceInvalidationPaths).
import { describe, expect, it } from 'vitest';
import {
  collapseUrlForms,
  goClean,
  normalizeInvalidationPaths,
} from '../../../bench/invalidation/s3deploy.ts';

function createFiles(root: string, differentFolders: boolean, num: number): string[] {
  return Array.from(
    { length: num },
    (_, i) => `${differentFolders ? `${root}-${i}` : root}/file${i + 1}.css`,
  );
}

describe('s3deploy normalizeInvalidationPaths port', () => {
  it('matches the cases of TestReduceInvalidationPaths', () => {
    // Prepare
    const rootPlusMany = ['/index.html', '/styles.css', ...createFiles('css', false, 20)];
    const inDifferentFolders = ['/index.html', '/styles.css', ...createFiles('css', true, 20)];
    const nested = [
      '/index.html',
      '/styles.css',
      ...createFiles('blog', false, 10),
      ...createFiles('blog/l1', false, 10),
      ...createFiles('blog/l1/l2/l3/l5', false, 10),
      ...createFiles('blog/l1/l3', false, 10),
      ...createFiles('about/l1', true, 10),
      ...createFiles('about/l1/l2/l3', false, 10),
    ];
    const hugo = [
      '/hugoscss/categories/index.html',
      '/hugoscss/index.html',
      '/hugoscss/tags/index.html',
      '/hugoscss/post/index.html',
      '/hugoscss/post/hello-scss/index.html',
      '/hugoscss/styles/main.min.36816b22057425f8a5f66b73918446b0cd793c0c6125406c285948f507599d1e.css',
    ];
    // Act / Assess
    expect(normalizeInvalidationPaths('root', 5, false, ['/root/index.html'])).toEqual(['/root/']);
    expect(normalizeInvalidationPaths('', 5, false, ['/index.html'])).toEqual(['/']);
    expect(normalizeInvalidationPaths('', 5, true, ['/a', '/b'])).toEqual(['/*']);
    expect(normalizeInvalidationPaths('root', 5, true, ['/a', '/b'])).toEqual(['/root/*']);
    expect(normalizeInvalidationPaths('', 5, false, rootPlusMany)).toEqual(['/', '/css/*', '/styles.css']);
    expect(normalizeInvalidationPaths('', 5, false, inDifferentFolders)).toEqual(['/*']);
    expect(normalizeInvalidationPaths('', 5, false, nested)).toEqual([
      '/',
      '/about/*',
      '/blog/*',
      '/styles.css',
    ]);
    expect(normalizeInvalidationPaths('/hugoscss', 3, false, hugo)).toEqual(['/hugoscss/*']);
    expect(normalizeInvalidationPaths('/', 3, false, ['/a/b1/a.css', '/a/b2/b.css'])).toEqual([
      '/a/b1/a.css',
      '/a/b2/b.css',
    ]);
    expect(normalizeInvalidationPaths('/', 1, false, ['/a/b1/a.css', '/a/b2/b.css'])).toEqual(['/a/*']);
  });

  it('keeps every URL form when collapsing forms (no index rewrite, trailing slash kept)', () => {
    // Act
    const paths = collapseUrlForms(['/docs/index.html', '/docs/', '/docs'], 8);
    // Assess
    expect(paths).toEqual(['/docs', '/docs/', '/docs/index.html']);
  });

  it.each([
    ['', '.'],
    ['a//b/./c/..', 'a/b'],
    ['/../a', '/a'],
    ['/docs/', '/docs'],
  ])('goClean(%s) = %s', (input, expected) => {
    expect(goClean(input)).toBe(expected);
  });
});
