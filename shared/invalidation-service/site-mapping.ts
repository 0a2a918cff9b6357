import type { Site } from '../config/sites.ts';
import { ORIGIN_DIRECTORY_URLS, type SiteMapping } from '../invalidation/index.ts';

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
