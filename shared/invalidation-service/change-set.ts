import { createHash } from 'node:crypto';
import type { Site } from '../config/sites.ts';
import type { ObjectChange } from '../invalidation/index.ts';
import { type EventSource, UnknownSiteError } from './errors.ts';
import { canonicalPaths } from './paths.ts';

/**
 * What one deploy changed on one site, whatever the event source. Either object changes (S3
 * keys, decoded, including the site's keyPrefix) for the planner, or explicit URL paths (the
 * site's broad paths or paths an operator named), or both.
 */
export interface ChangeSet {
  site: string;
  /** Stable per deploy: the same deploy delivered twice yields the same id, hence the same CallerReferences. */
  deployId: string;
  source: EventSource;
  changes: ObjectChange[];
  paths: string[];
  /** Why explicit/broad paths were used instead of the exact change set (logged). */
  reason?: string;
}

export const findSite = (sites: readonly Site[], name: string): Site => {
  const site = sites.find((s) => s.name === name);
  if (!site)
    throw new UnknownSiteError(
      name,
      sites.map((s) => s.name),
    );
  return site;
};

/** A short deterministic id from parts (order-insensitive), e.g. for an S3 batch's object events. */
export const digestId = (prefix: string, parts: readonly string[]): string =>
  `${prefix}-${createHash('sha256')
    .update([...parts].sort().join('\n'))
    .digest('hex')
    .slice(0, 24)}`;

/** `public` and `public/` both mean the folder `public/`; '' is the repository root. */
export const folderPrefix = (prefix: string): string =>
  prefix === '' || prefix.endsWith('/') ? prefix.replace(/^\/+/, '') : `${prefix.replace(/^\/+/, '')}/`;

/** The change set that falls back to the site's broad paths, with the reason why. */
export const broadChangeSet = (
  site: Site,
  deployId: string,
  source: EventSource,
  reason: string,
): ChangeSet => ({
  site: site.name,
  deployId,
  source,
  changes: [],
  paths: canonicalPaths(site.broadPaths, source, `config sites[${site.name}].broadPaths`),
  reason,
});

/**
 * Merges repeated keys: the last change of a key wins, except that a key added then modified
 * stays added and a key deleted then re-added is modified (it existed before the deploy).
 */
export const mergeChanges = (ordered: readonly ObjectChange[]): ObjectChange[] => {
  const byKey = new Map<string, ObjectChange['change']>();
  for (const { key, change } of ordered) {
    const before = byKey.get(key);
    let next = change;
    if (before === 'added' && change === 'modified') next = 'added';
    else if (before === 'deleted' && change === 'added') next = 'modified';
    byKey.set(key, next);
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, change]) => ({ key, change }));
};
