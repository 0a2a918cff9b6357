/**
 * Added objects stored with an immutable, year-long Cache-Control need no invalidation (RFC 8246;
 * see shared/invalidation/cache-control.ts). The change set carries no metadata (S3 event
 * notifications and ListObjectsV2 have no Cache-Control), so each added key is read with
 * HeadObject, for the sites that ask for it (`invalidation.immutableCacheControl: read`).
 * Whatever cannot be read is invalidated: an unread header never causes a miss.
 */
import type { Site } from '../config/sites.ts';
import { isImmutableCacheControl } from '../invalidation/index.ts';
import type { ChangeSet } from './change-set.ts';

/** The metadata read (shared/aws/s3-object-metadata.ts implements it with HeadObject). */
export interface ObjectMetadataPort {
  /** The object's Cache-Control, undefined when it has none or no longer exists. */
  cacheControl(bucket: string, key: string): Promise<string | undefined>;
}

/** Reads per deploy; a larger deploy is planned without them (its adds are invalidated, or wildcarded). */
export const MAX_METADATA_READS = 1000;
/** HeadObject calls in flight at once. */
const READ_CONCURRENCY = 16;

const readAll = async <T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, items.length) }, worker));
};

/**
 * The change set without the additions of immutable objects.
 *
 * @example
 * await withoutImmutableAdds(changeSet, site, metadata); // added 'site/logo.png' stored with
 * // 'public, max-age=31536000, immutable' is gone; a modified one stays
 */
export const withoutImmutableAdds = async (
  changeSet: ChangeSet,
  site: Site,
  metadata: ObjectMetadataPort | undefined,
  logger?: { info(message: string, ...extra: Record<string, unknown>[]): void },
): Promise<ChangeSet> => {
  if (!metadata || site.invalidation.immutableCacheControl !== 'read') return changeSet;
  const added = changeSet.changes.filter((c) => c.change === 'added' && c.key.startsWith(site.keyPrefix));
  if (added.length === 0 || added.length > MAX_METADATA_READS) return changeSet;
  const immutable = new Set<string>();
  await readAll(added, async ({ key }) => {
    try {
      if (isImmutableCacheControl(await metadata.cacheControl(site.bucket, key))) immutable.add(key);
    } catch {
      // Unreadable: invalidated like any other addition.
    }
  });
  if (immutable.size === 0) return changeSet;
  logger?.info('added objects with an immutable Cache-Control: not invalidated', {
    count: immutable.size,
    sample: [...immutable].slice(0, 10),
  });
  return {
    ...changeSet,
    changes: changeSet.changes.filter((c) => !(c.change === 'added' && immutable.has(c.key))),
  };
};
