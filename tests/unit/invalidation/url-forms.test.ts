import { describe, expect, it } from 'vitest';
import {
  normalizeKeyPrefix,
  ORIGIN_DIRECTORY_URLS,
  SiteMappingSchema,
  urlFormsOfKey,
} from '../../../shared/invalidation/index.ts';

const defaults = SiteMappingSchema.parse({});

describe('urlFormsOfKey', () => {
  it.each([
    ['a file', 'docs/a.html', ['/docs/a.html']],
    ['a directory index', 'docs/index.html', ['/docs/index.html', '/docs/', '/docs']],
    ['a nested directory index', 'a/b/c/index.html', ['/a/b/c/index.html', '/a/b/c/', '/a/b/c']],
    ['the root index', 'index.html', ['/index.html', '/']],
    ['a file only ending like an index', 'docs/myindex.html', ['/docs/myindex.html']],
    ['a space', 'techniques/failures/413 Failure.html', ['/techniques/failures/413 Failure.html']],
    ['CJK', 'zh/数组/index.html', ['/zh/数组/index.html', '/zh/数组/', '/zh/数组']],
    ['colon, ampersand, at', 'a:b&c@d.html', ['/a:b&c@d.html']],
    // AWS-FACTS "Paths" (2026-12): a mid-path '*' is a literal; '~' is covered by the planner's wildcard.
    ['a literal star', 'a*b.html', ['/a*b.html']],
    ['a tilde', 'd~x/index.html', ['/d~x/index.html', '/d~x/', '/d~x']],
  ])('%s: %s', (_name, key, expected) => {
    // Act
    const forms = urlFormsOfKey(key, defaults);
    // Assess
    expect(forms).toEqual({ served: true, urls: expected });
  });

  it.each([
    ['site/', 'site/a.html', ['/a.html']],
    ['/site', 'site/docs/index.html', ['/docs/index.html', '/docs/', '/docs']],
    ['/site/', 'site/index.html', ['/index.html', '/']],
    ['site/sub', 'site/sub/x/y.css', ['/x/y.css']],
  ])('origin path %s maps %s', (keyPrefix, key, expected) => {
    // Act
    const forms = urlFormsOfKey(key, SiteMappingSchema.parse({ keyPrefix }));
    // Assess
    expect(forms).toEqual({ served: true, urls: expected });
  });

  it.each([
    ['outside the origin path', 'other/a.html', 'outside the origin path'],
    ['a sibling prefix', 'site-old/a.html', 'outside the origin path'],
    ['the folder marker', 'site/', 'folder marker'],
  ])('ignores %s', (_name, key, reason) => {
    // Act
    const forms = urlFormsOfKey(key, SiteMappingSchema.parse({ keyPrefix: '/site' }));
    // Assess
    expect(forms.served).toBe(false);
    expect(forms.served === false && forms.reason).toContain(reason);
  });

  it.each([
    ['a dot-dot segment', 'a/../b.html', "no '..' path segment"],
    ['a control character', 'a\tb.html', 'no control characters'],
  ])('reports a key with %s as not invalidatable', (_name, key, reason) => {
    // Act
    const forms = urlFormsOfKey(key, defaults);
    // Assess
    expect(forms.served === false && forms.reason).toContain(reason);
  });

  it('honours a custom index document and default root object, or none', () => {
    // Prepare
    const custom = SiteMappingSchema.parse({ indexDocument: 'default.htm', defaultRootObject: 'home.html' });
    const none = SiteMappingSchema.parse({ indexDocument: null, defaultRootObject: null });
    // Act / Assess
    expect(urlFormsOfKey('d/default.htm', custom)).toEqual({
      served: true,
      urls: ['/d/default.htm', '/d/', '/d'],
    });
    expect(urlFormsOfKey('home.html', custom)).toEqual({ served: true, urls: ['/home.html', '/'] });
    expect(urlFormsOfKey('index.html', custom)).toEqual({ served: true, urls: ['/index.html'] });
    expect(urlFormsOfKey('d/index.html', none)).toEqual({ served: true, urls: ['/d/index.html'] });
  });
});

describe('urlFormsOfKey: directory URLs per origin (AWS-FACTS "Directory indexes", 2026-12)', () => {
  it.each([
    ['unknown', 'modified', ['/d/index.html', '/d/', '/d']],
    ['s3-rest', 'modified', ['/d/index.html']],
    ['rewrite-index', 'added', ['/d/index.html']],
    ['s3-website', 'modified', ['/d/index.html', '/d/']],
    ['s3-website', 'added', ['/d/index.html', '/d/', '/d']],
  ] as const)('%s origin, %s index', (origin, change, expected) => {
    const site = SiteMappingSchema.parse({ directoryUrls: ORIGIN_DIRECTORY_URLS[origin] });
    expect(urlFormsOfKey('d/index.html', site, change)).toEqual({ served: true, urls: expected });
  });
});

describe('normalizeKeyPrefix', () => {
  it.each([
    ['', ''],
    ['/', ''],
    ['/site', 'site/'],
    ['site/', 'site/'],
    ['//a/b//', 'a/b/'],
  ])('%s → %s', (originPath, expected) => {
    expect(normalizeKeyPrefix(originPath)).toBe(expected);
  });
});
