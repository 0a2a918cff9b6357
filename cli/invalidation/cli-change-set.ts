/** The change set of `shipyard invalidate`: paths given on the command line, or a git range's changes. */
import type { Site } from '../../shared/config/sites.ts';
import { type ChangeSet, findSite } from '../../shared/invalidation-service/change-set.ts';
import { MalformedEventError, UnknownSiteError } from '../../shared/invalidation-service/errors.ts';
import { siteChangesFromGitDiff } from '../../shared/invalidation-service/git-changes.ts';
import { canonicalPaths } from '../../shared/invalidation-service/paths.ts';
import { UserError } from '../errors.ts';
import { nameStatus, resolveCommit, splitRange } from '../git.ts';

export interface ChangeSetFlags {
  site: string;
  paths?: string[];
  changed?: string;
  repoDir: string;
  deployId?: string;
}

const STATUS_KIND = { A: 'added', M: 'modified', D: 'deleted' } as const;

const buildChangeSet = async (site: Site, flags: ChangeSetFlags, now: number): Promise<ChangeSet> => {
  if (Boolean(flags.paths) === Boolean(flags.changed)) {
    throw new UserError('give exactly one of --paths or --changed');
  }
  if (flags.paths) {
    return {
      site: site.name,
      // A manual run invalidates again even with the same paths, unless a deploy id pins it.
      deployId: flags.deployId ?? `cli-${now}`,
      source: 'cli',
      changes: [],
      paths: canonicalPaths(flags.paths, 'cli', '--paths'),
      reason: 'paths given on the command line',
    };
  }
  const { from, to } = splitRange(flags.changed ?? '');
  const diff = await nameStatus(flags.repoDir, from, to);
  return {
    site: site.name,
    deployId: flags.deployId ?? (await resolveCommit(flags.repoDir, to)),
    source: 'cli',
    changes: siteChangesFromGitDiff(diff, site.repo?.pathPrefix ?? '').map((c) => ({
      key: `${site.keyPrefix}${c.path}`,
      change: STATUS_KIND[c.status],
    })),
    paths: [],
  };
};

/** The site named by --site and its change set; an unknown site or a bad path is a usage error. */
export const cliChangeSet = async (
  sites: readonly Site[],
  flags: ChangeSetFlags,
  now: number,
): Promise<{ site: Site; changeSet: ChangeSet }> => {
  try {
    const site = findSite(sites, flags.site);
    return { site, changeSet: await buildChangeSet(site, flags, now) };
  } catch (error) {
    if (error instanceof UnknownSiteError || error instanceof MalformedEventError)
      throw new UserError(error.message);
    throw error;
  }
};
