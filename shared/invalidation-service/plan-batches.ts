import type { Site } from '../config/sites.ts';
import {
  decodePath,
  type IgnoredKey,
  LimitsSchema,
  PRICE_GRID,
  pathCovers,
  pathDemand,
  planInvalidation,
  toBatches,
  type WildcardChoice,
} from '../invalidation/index.ts';
import type { ChangeSet } from './change-set.ts';
import { siteMapping, withoutNewContentHashed } from './site-mapping.ts';

export interface PlannedBatches {
  /** Path lists in batch order; the index is the CallerReference's batch index. */
  batches: string[][];
  wildcards: readonly WildcardChoice[];
  ignored: readonly IgnoredKey[];
  /** Unchanged objects the plan invalidates: exact with an inventory, null without (or without changes planned). */
  needlessObjects: number | null;
}

/** The budget pacing's decision for one deploy (pacing.ts): at most maxPaths, a path worth `price` needless objects. */
export interface PacedCost {
  maxPaths: number;
  /** null: the fewest paths within maxPaths. */
  price: number | null;
}

/** CloudFront's limits next to what others have in flight, with the site's wildcard rounds. */
const limitsOf = (site: Site, othersInFlight: { files: number; wildcards: number }) =>
  LimitsSchema.parse({ inFlight: othersInFlight, wildcardRounds: site.invalidation.wildcardRounds });

/**
 * The deploy's demand for paths at each PRICE_GRID price (what budget pacing weighs against the paths
 * left), planned like planBatches plans it: same changes, mapping, inventory and limits.
 */
export const demandCurve = (
  changeSet: ChangeSet,
  site: Site,
  othersInFlight: { files: number; wildcards: number },
  inventory?: string[],
): number[] => {
  const changes = withoutNewContentHashed(changeSet.changes, site);
  if (changes.length === 0) return PRICE_GRID.map(() => 0);
  return pathDemand(
    {
      changes,
      site: siteMapping(site),
      ...(inventory === undefined ? {} : { inventory }),
      limits: limitsOf(site, othersInFlight),
    },
    PRICE_GRID,
  );
};

/** Explicit paths join the planned ones; anything a wildcard of the union covers is dropped. */
const mergePaths = (planned: readonly string[], explicit: readonly string[]): string[] => {
  const union = [...new Set([...planned, ...explicit])];
  const wildcards = union.filter((p) => p.endsWith('*'));
  return union.filter((p) => !wildcards.some((w) => w !== p && pathCovers(w, decodePath(p)))).sort();
};

/**
 * The batches of one distribution. `othersInFlight` excludes this deploy's own invalidations
 * still in progress, so a redelivered event plans the same paths (same CallerReferences).
 * `inventory`: every key served after the deploy (S3 keys, keyPrefix included, like the changes).
 * `paced`: the budget pacing's cap and price for this deploy (with the site's own per-deploy cap, the
 * lower one applies; the price, already composed with the site's needlessWeight by pacing's
 * composePrice, is the planner's weight). Content-hashed keys that
 * were added need no invalidation and are left out.
 */
export const planBatches = (
  changeSet: ChangeSet,
  site: Site,
  othersInFlight: { files: number; wildcards: number },
  inventory?: string[],
  paced?: PacedCost,
): PlannedBatches => {
  const limits = limitsOf(site, othersInFlight);
  let planned: readonly string[] = [];
  let wildcards: readonly WildcardChoice[] = [];
  let ignored: readonly IgnoredKey[] = [];
  let needlessObjects: number | null = null;
  const changes = withoutNewContentHashed(changeSet.changes, site);
  const caps = [site.invalidation.maxPathsPerDeploy, paced?.maxPaths].filter((n) => n !== undefined);
  const maxPaths = caps.length > 0 ? Math.min(...caps) : undefined;
  if (changes.length > 0) {
    const plan = planInvalidation({
      changes,
      site: siteMapping(site),
      ...(inventory === undefined ? {} : { inventory }),
      limits,
      cost: {
        ...(paced === undefined
          ? { needlessWeight: site.invalidation.needlessWeight }
          : {
              needlessWeight: paced.price === null ? 0 : 1 / paced.price,
              withinBudget: 'cheapest' as const,
            }),
        ...(maxPaths === undefined ? {} : { maxPaths }),
      },
    });
    planned = plan.paths;
    wildcards = plan.wildcards;
    ignored = plan.ignored;
    needlessObjects = plan.needlessObjects;
  }
  const paths = mergePaths(planned, changeSet.paths);
  return { batches: toBatches(paths, limits).map((b) => [...b.paths]), wildcards, ignored, needlessObjects };
};
