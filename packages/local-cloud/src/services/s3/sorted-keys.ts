import type { Bucket } from './store.ts';

/** UTF-8 binary order, the order S3 lists keys in. */
export const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * A bucket's keys in listing order, sorted once, then kept in order as keys come and go (a
 * binary search and one splice each; rewriting an object keeps its key): a fleet's listings
 * cost a scan, and a queue whose keys churn (an entry per queued copy) costs no re-sort.
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

/** Call after adding a new key (not after rewriting one). */
export const keyAdded = (bucket: Bucket, key: string): void => {
  const keys = cache.get(bucket.objects);
  if (keys !== undefined) keys.splice(firstAtOrAfter(keys, key), 0, key);
};

/** Call after removing a key. */
export const keyRemoved = (bucket: Bucket, key: string): void => {
  const keys = cache.get(bucket.objects);
  if (keys === undefined) return;
  const at = firstAtOrAfter(keys, key);
  if (keys[at] === key) keys.splice(at, 1);
  else cache.delete(bucket.objects);
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
