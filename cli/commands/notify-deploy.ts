import type { Command } from 'commander';
import { createCloudFrontAdapter } from '../../shared/aws/cloudfront.ts';
import { EventPublishError } from '../../shared/aws/errors.ts';
import { createEventsAdapter } from '../../shared/aws/events.ts';
import type { Site } from '../../shared/config/sites.ts';
import { findSite } from '../../shared/invalidation-service/change-set.ts';
import { firstPushReason } from '../../shared/invalidation-service/commits.ts';
import {
  DEPLOY_EVENT_DETAIL_TYPE,
  DEPLOY_EVENT_SOURCE,
  type DeployDetail,
  DeployDetailSchema,
} from '../../shared/invalidation-service/deploy-event.ts';
import { UnknownSiteError } from '../../shared/invalidation-service/errors.ts';
import { deployDetail, siteChangesFromGitDiff } from '../../shared/invalidation-service/git-changes.ts';
import { formatIssues } from '../../shared/invalidation-service/issues.ts';
import { lookAtDeploy } from '../../shared/invalidation-service/wait-fresh.ts';
import { clientSettings, DEFAULT_CONFIG_FILE, type GlobalOptions, loadConfigFile } from '../context.ts';
import { EXIT, UserError } from '../errors.ts';
import { nameStatus, resolveCommit } from '../git.ts';
import type { Output } from '../output.ts';
import {
  type WaitFlags,
  waitAndReport,
  waitClock,
  waitLine,
  waitTimeout,
  withWaitOptions,
} from '../wait-fresh.ts';

interface NotifyOptions extends WaitFlags {
  site: string;
  from: string;
  to: string;
  repoDir: string;
  dryRun?: boolean;
  eventBus?: string;
  deployId?: string;
}

/**
 * How far back the wait looks for the deploy's invalidations (CloudFront's CreateTime against this
 * machine's clock): the function submits them seconds after the event, clocks drift by less.
 */
const LOOKBACK_MS = 10 * 60_000;

/** The deploy's invalidations are submitted by the function: found by their CallerReference. */
const waitForDeploy = async (
  site: Site,
  deployId: string,
  timeoutSeconds: number,
  options: NotifyOptions,
  global: GlobalOptions,
  output: Output,
) => {
  const settings = clientSettings(global);
  const clock = await waitClock(settings);
  const look = lookAtDeploy(
    createCloudFrontAdapter(settings),
    site.distributionIds,
    deployId,
    (await clock.now()) - LOOKBACK_MS,
  );
  return waitAndReport(look, timeoutSeconds, options, clock, output);
};

/**
 * `shipyard notify-deploy`: the CI step after a deploy. Computes what changed between two
 * commits with git and publishes a `shipyard` / `Deployment Completed` event; the
 * invalidate-deploy-event function plans and submits the invalidation.
 */
export const register = (program: Command, output: Output): void => {
  const command = program
    .command('notify-deploy')
    .description('publish a "Deployment Completed" event with the files changed between two commits')
    .requiredOption('--site <name>', 'site name from the config file')
    .requiredOption('--from <sha>', 'commit deployed before (e.g. github.event.before)')
    .requiredOption('--to <sha>', 'commit just deployed; its full sha is the deploy id')
    .option('--repo-dir <dir>', 'git working copy', '.')
    .option('--event-bus <name>', 'EventBridge bus (default: the account default bus)')
    .option(
      '--deploy-id <id>',
      'deploy id (default: the full sha of --to); use <sha>@<CI run id> so a re-run of the same CI run bills nothing while deploying the same commit again later still invalidates',
    )
    .option('--dry-run', 'print the event instead of publishing it');
  withWaitOptions(command).action(async (options: NotifyOptions) => {
    const global = program.opts<GlobalOptions>();
    const timeoutSeconds = waitTimeout(options);
    if (timeoutSeconds !== undefined && options.dryRun)
      throw new UserError('--wait: a dry run publishes nothing to wait for');
    const config = loadConfigFile(global.config ?? DEFAULT_CONFIG_FILE);
    let site: ReturnType<typeof findSite>;
    try {
      site = findSite(config.sites, options.site);
    } catch (error) {
      if (error instanceof UnknownSiteError) throw new UserError(error.message);
      throw error;
    }
    const deployId = options.deployId ?? (await resolveCommit(options.repoDir, options.to));
    const firstPush = firstPushReason(options.from);
    let changes: ReturnType<typeof siteChangesFromGitDiff> = [];
    let detail: DeployDetail;
    let truncated = false;
    if (firstPush) {
      // Same rule as the webhook: no previous commit to diff, so no changes in the event and
      // the function invalidates the site's broad paths.
      detail = { site: site.name, deployId };
      output.progress(`${firstPush}: the site's broad paths will be invalidated`);
    } else {
      const diff = await nameStatus(options.repoDir, options.from, options.to);
      changes = siteChangesFromGitDiff(diff, site.repo?.pathPrefix ?? '');
      ({ detail, truncated } = deployDetail(site, deployId, changes));
      if (truncated)
        output.progress(
          `${changes.length} changes exceed the event size limit: the site's broad paths will be invalidated`,
        );
    }
    // The function parses the detail with this schema: an event it would reject is not published.
    const checked = DeployDetailSchema.safeParse(detail);
    if (!checked.success)
      throw new UserError(
        `the deploy event would be rejected: ${formatIssues(checked.error, 'detail').join('; ')}`,
        EXIT.usage,
      );
    const event = {
      source: DEPLOY_EVENT_SOURCE,
      detailType: DEPLOY_EVENT_DETAIL_TYPE,
      detail,
      eventBusName: options.eventBus,
    };
    if (options.dryRun) {
      output.result({ published: false, event }, () => JSON.stringify(event, null, 2));
      return;
    }
    try {
      const { eventIds } = await createEventsAdapter(clientSettings(global)).publish([event]);
      // A diff with no file of the site: the function has nothing to invalidate.
      const nothing = !firstPush && !truncated && changes.length === 0;
      if (nothing && timeoutSeconds !== undefined)
        output.progress('no changed file of the site: nothing to wait for');
      const wait =
        timeoutSeconds === undefined || nothing
          ? undefined
          : await waitForDeploy(site, deployId, timeoutSeconds, options, global, output);
      output.result(
        {
          published: true,
          site: site.name,
          deployId,
          changes: changes.length,
          truncated,
          ...(firstPush ? { broad: firstPush } : {}),
          eventId: eventIds[0],
          ...(wait ? { wait } : {}),
        },
        () =>
          `published Deployment Completed for ${site.name} at ${deployId.slice(0, 12)}: ${changes.length} changed file(s)${wait ? `\n${waitLine(wait)}` : ''}`,
      );
    } catch (error) {
      if (error instanceof EventPublishError)
        throw new UserError(error.message, EXIT.failed, { cause: error });
      throw error;
    }
  });
};
