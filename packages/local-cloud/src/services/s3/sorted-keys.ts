import type { Bucket } from './store.ts';

/** UTF-8 binary order, the order S3 lists keys in. */
export const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * A bucket's keys in listing order, sorted once per change of its key set (a new key or a
 * removed one; rewriting an object keeps it): a fleet's listings then cost a scan, not a sort.
 */
const cache = new WeakMap<Bucket['objects'], string[]>();

export const sortedKeys = (bucket: Bucket): string[] => {
  let keys = cache.get(bucket.objects);
  if (keys === undefined) {
    keys = [...bucket.objects.keys()].sort(byteOrder);
    cache.set(bucket.objects, keys);
  }
  return keys;
};

/** Call after adding or removing a key (not after rewriting one). */
export const keysChanged = (bucket: Bucket): void => {
  cache.delete(bucket.objects);
};

/** The index of the first key not before `bound` in byte order (binary search). */
export const firstAtOrAfter = (keys: readonly string[], bound: string): number => {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (byteOrder(keys[mid] as string, bound) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
};
