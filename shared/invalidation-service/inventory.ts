import type { Site } from '../config/sites.ts';
import { type ObjectChange, urlFormsOfKey } from '../invalidation/index.ts';
import type { ChangeSet } from './change-set.ts';
import type { InventoryPort } from './ports/inventory.ts';
import { siteMapping } from './site-mapping.ts';

/** Distinct URLs of the change set the site serves (every URL form of every changed key). */
export const changedUrlCount = (changes: readonly ObjectChange[], site: Site): number => {
  const urls = new Set<string>();
  const mapping = siteMapping(site);
  for (const { key, change } of changes) {
    const forms = urlFormsOfKey(key, mapping, change);
    if (forms.served) for (const url of forms.urls) urls.add(url);
  }
  return urls.size;
};

/**
 * Whether listing the site's keys can change the plan: only object changes are planned, and in
 * 'auto' mode only change sets large enough for a wildcard to be worth a listing, unless the deploy
 * is paced against a monthly budget (`paced`): there every path has a price, and a small deploy's
 * exact paths are paths a later deploy lacks (bench/RESULTS.md: without the listing, small deploys
 * spent a 100-path month on exact paths), while a listing costs one LIST request per 1,000 keys.
 */
export const wantsInventory = (changeSet: ChangeSet, site: Site, paced = false): boolean => {
  const { inventory, inventoryMinUrls } = site.invalidation;
  if (inventory === 'never' || changeSet.changes.length === 0) return false;
  if (inventory === 'always' || paced) return true;
  return changedUrlCount(changeSet.changes, site) >= inventoryMinUrls;
};

/**
 * The keys served after the deploy: the listing plus added keys, minus deleted ones. The bucket
 * may not reflect the deploy yet (a webhook fires on push, an S3 batch may be listed while the
 * upload continues); this makes the inventory the planner sees the post-deploy one regardless.
 * Stays sorted when the listing was, so the planner skips its dedupe set.
 *
 * @example
 * inventoryAfterDeploy(['a', 'c'], [{ key: 'b', change: 'added' }, { key: 'c', change: 'deleted' }]); // ['a', 'b']
 */
export const inventoryAfterDeploy = (
  listed: readonly string[],
  changes: readonly ObjectChange[],
): string[] => {
  const deleted = new Set(changes.filter((c) => c.change === 'deleted').map((c) => c.key));
  const present = new Set(listed);
  const missing = changes.filter((c) => c.change !== 'deleted' && !present.has(c.key)).map((c) => c.key);
  const keys = listed.filter((key) => !deleted.has(key));
  if (missing.length === 0) return keys;
  return [...keys, ...new Set(missing)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
};

/** The subset of the logger the inventory step uses. */
interface InventoryLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

/**
 * The site's post-deploy inventory, or undefined when it is not wanted, too large, or cannot be
 * read. A failed listing never fails the invalidation: the inventory only sharpens the plan,
 * coverage of every changed URL does not depend on it.
 */
export const loadInventory = async (
  changeSet: ChangeSet,
  site: Site,
  port: InventoryPort | undefined,
  logger: InventoryLogger | undefined,
  maxKeys?: number,
  paced = false,
): Promise<string[] | undefined> => {
  if (!port || !wantsInventory(changeSet, site, paced)) return undefined;
  let listed: string[] | undefined;
  try {
    listed = await port.listSiteKeys(site.bucket, site.keyPrefix, maxKeys === undefined ? {} : { maxKeys });
  } catch (error) {
    logger?.warn('cannot list the site inventory; planning with the estimate', {
      bucket: site.bucket,
      error,
    });
    return undefined;
  }
  if (listed === undefined) {
    logger?.info('site inventory over the listing cap; planning with the estimate', {
      bucket: site.bucket,
      maxKeys,
    });
    return undefined;
  }
  return inventoryAfterDeploy(listed, changeSet.changes);
};
