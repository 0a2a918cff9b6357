import { describe, expect, it } from 'vitest';
import {
  countPaths,
  exceedsInFlightLimits,
  LimitsSchema,
  toBatches,
} from '../../../shared/invalidation/index.ts';

const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
const limits = (inFlight = { files: 0, wildcards: 0 }) => LimitsSchema.parse({ inFlight });

// AWS-FACTS "Limits" (CloudFront Developer Guide, "Concurrent invalidation request maximum"): 3,000
// file paths and, separately, 15 wildcard paths per distribution in progress; a `*` counts as a
// wildcard only as the last character ("Paths").
describe('countPaths', () => {
  it.each([
    [['/a.html', '/img/*', '/b*'], { files: 1, wildcards: 2 }],
    [['/a*b.html', '#tag'], { files: 2, wildcards: 0 }],
    [[], { files: 0, wildcards: 0 }],
  ])('%j → %j', (paths, expected) => {
    expect(countPaths(paths)).toEqual(expected);
  });
});

describe('toBatches', () => {
  it('splits more than 15 wildcards so that every batch fits the wildcard limit on its own', () => {
    // Prepare
    const wildcards = range(40, (i) => `/w${String(i).padStart(2, '0')}/*`);
    // Act
    const batches = toBatches([...wildcards, '/a.html'], limits());
    // Assess
    expect(batches.map((b) => [b.filePaths, b.wildcards, b.deferred])).toEqual([
      [1, 15, false],
      [0, 15, true],
      [0, 10, true],
    ]);
    expect(batches.flatMap((b) => b.paths).sort()).toEqual([...wildcards, '/a.html'].sort());
    for (const b of batches) expect(exceedsInFlightLimits(countPaths(b.paths), limits())).toBe(false);
  });

  it('builds the same batches whatever is in flight (same caller references on a retry)', () => {
    const paths = [...range(20, (i) => `/w${i}*`), ...range(3500, (i) => `/f${i}`)];
    const idle = toBatches(paths, limits());
    const busy = toBatches(paths, limits({ files: 2900, wildcards: 14 }));
    expect(busy.map((b) => b.paths)).toEqual(idle.map((b) => b.paths));
    expect(busy.map((b) => b.deferred)).toEqual([true, true]);
    expect(idle.map((b) => b.deferred)).toEqual([false, true]);
  });
});

describe('exceedsInFlightLimits', () => {
  it.each([
    [{ files: 3000, wildcards: 15 }, false],
    [{ files: 3001, wildcards: 0 }, true],
    [{ files: 0, wildcards: 16 }, true],
  ])('%j → %s', (need, expected) => {
    expect(exceedsInFlightLimits(need, limits())).toBe(expected);
  });
});
