/**
 * The detail of the `Deployment Completed` event `shipyard notify-deploy` publishes: what changed
 * between two commits, checked with the schema the function parses it with.
 */
import type { Site } from '../../shared/config/sites.ts';
import { firstPushReason } from '../../shared/invalidation-service/commits.ts';
import { type DeployDetail, DeployDetailSchema } from '../../shared/invalidation-service/deploy-event.ts';
import { deployDetail, siteChangesFromGitDiff } from '../../shared/invalidation-service/git-changes.ts';
import { formatIssues } from '../../shared/invalidation-service/issues.ts';
import { EXIT, UserError } from '../errors.ts';
import { nameStatus } from '../git.ts';
import type { Output } from '../output.ts';

export interface DeployChanges {
  detail: DeployDetail;
  /** The site's changed files (none on a first push). */
  changes: number;
  /** Too many changes for the event: the function invalidates the site's broad paths. */
  truncated: boolean;
  /** Why there is no previous commit to diff with (a first push), if so. */
  firstPush?: string;
}

const changesOf = async (
  site: Site,
  deployId: string,
  range: { from: string; to: string; repoDir: string },
  output: Output,
): Promise<DeployChanges> => {
  const firstPush = firstPushReason(range.from);
  if (firstPush) {
    // Same rule as the webhook: no previous commit to diff, so no changes in the event and
    // the function invalidates the site's broad paths.
    output.progress(`${firstPush}: the site's broad paths will be invalidated`);
    return { detail: { site: site.name, deployId }, changes: 0, truncated: false, firstPush };
  }
  const diff = await nameStatus(range.repoDir, range.from, range.to);
  const changes = siteChangesFromGitDiff(diff, site.repo?.pathPrefix ?? '');
  const { detail, truncated } = deployDetail(site, deployId, changes);
  if (truncated)
    output.progress(
      `${changes.length} changes exceed the event size limit: the site's broad paths will be invalidated`,
    );
  return { detail, changes: changes.length, truncated };
};

/** The event's detail; one the function would reject is a usage error (nothing is published). */
export const deployChanges = async (
  site: Site,
  deployId: string,
  range: { from: string; to: string; repoDir: string },
  output: Output,
): Promise<DeployChanges> => {
  const found = await changesOf(site, deployId, range, output);
  const checked = DeployDetailSchema.safeParse(found.detail);
  if (!checked.success)
    throw new UserError(
      `the deploy event would be rejected: ${formatIssues(checked.error, 'detail').join('; ')}`,
      EXIT.usage,
    );
  return found;
};
