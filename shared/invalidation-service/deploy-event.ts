import * as z from 'zod';
import type { Site } from '../config/sites.ts';
import type { ObjectChange } from '../invalidation/index.ts';
import { broadChangeSet, type ChangeSet, findSite, mergeChanges } from './change-set.ts';
import { MalformedEventError } from './errors.ts';
import { formatIssues } from './issues.ts';
import { canonicalPaths } from './paths.ts';

export const DEPLOY_EVENT_SOURCE = 'shipyard';
export const DEPLOY_EVENT_DETAIL_TYPE = 'Deployment Completed';

const STATUS: Record<'A' | 'M' | 'D', ObjectChange['change']> = { A: 'added', M: 'modified', D: 'deleted' };

/**
 * The detail of a `shipyard` / `Deployment Completed` event. `changes[].path` is the file's path
 * relative to the site root (what its URL is made of; the site's keyPrefix is added here);
 * `paths` are URL paths to invalidate as given. Neither: the site's broad paths.
 */
export const DeployDetailSchema = z
  .object({
    site: z.string().min(1),
    deployId: z.string().min(1).max(256),
    changes: z
      .array(z.object({ path: z.string().min(1), status: z.enum(['A', 'M', 'D']) }).strict())
      .optional(),
    paths: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type DeployDetail = z.infer<typeof DeployDetailSchema>;

const DeployEventSchema = z.object({
  source: z.literal(DEPLOY_EVENT_SOURCE),
  'detail-type': z.literal(DEPLOY_EVENT_DETAIL_TYPE),
  detail: DeployDetailSchema,
});

/**
 * An EventBridge deploy event → the change set of its site.
 *
 * @example
 * normalizeDeployEvent({ source: 'shipyard', 'detail-type': 'Deployment Completed',
 *   detail: { site: 'web', deployId: '9fceb02', changes: [{ path: 'docs/index.html', status: 'M' }] } }, sites)
 * // { site: 'web', deployId: '9fceb02', changes: [{ key: 'site/docs/index.html', change: 'modified' }], paths: [] , … }
 */
export const normalizeDeployEvent = (event: unknown, sites: readonly Site[]): ChangeSet => {
  const parsed = DeployEventSchema.safeParse(event);
  if (!parsed.success) throw new MalformedEventError('eventbridge', formatIssues(parsed.error));
  const { detail } = parsed.data;
  const site = findSite(sites, detail.site);
  if (detail.changes === undefined && detail.paths === undefined) {
    return broadChangeSet(
      site,
      detail.deployId,
      'eventbridge',
      'the deploy event lists neither changes nor paths',
    );
  }
  return {
    site: site.name,
    deployId: detail.deployId,
    source: 'eventbridge',
    changes: mergeChanges(
      (detail.changes ?? []).map((c) => ({
        key: `${site.keyPrefix}${c.path.replace(/^\/+/, '')}`,
        change: STATUS[c.status],
      })),
    ),
    paths: canonicalPaths(detail.paths ?? [], 'eventbridge', 'detail.paths'),
  };
};
