import type { Site } from '../config/sites.ts';
import {
  isNewContentHashed,
  type ObjectChange,
  ORIGIN_DIRECTORY_URLS,
  type SiteMapping,
} from '../invalidation/index.ts';

/**
 * The planner's view of a configured site: its origin path, index names, the directory URLs its
 * origin caches (from the `origin` preset) and whether query strings are part of the cache key.
 *
 * @example
 * siteMapping(SiteSchema.parse({ …, origin: 's3-rest' })).directoryUrls; // { slash: 'never', bare: 'never' }
 */
export const siteMapping = (site: Site): SiteMapping => ({
  keyPrefix: site.keyPrefix,
  indexDocument: site.indexDocument,
  defaultRootObject: site.defaultRootObject,
  directoryUrls: { ...ORIGIN_DIRECTORY_URLS[site.origin] },
  queryStrings: site.queryStrings,
});

/**
 * The changes without the added keys the site declares content-hashed (`invalidation.contentHashedKeys`):
 * a new name was never cached, so it needs no invalidation and costs no path.
 */
export const withoutNewContentHashed = (changes: readonly ObjectChange[], site: Site): ObjectChange[] => {
  const patterns = site.invalidation.contentHashedKeys;
  if (patterns.length === 0) return [...changes];
  return changes.filter((change) => !isNewContentHashed(change, site.keyPrefix, patterns));
};
