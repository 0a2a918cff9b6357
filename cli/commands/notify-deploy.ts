import type { Command } from 'commander';
import { EventPublishError } from '../../shared/aws/errors.ts';
import { createEventsAdapter } from '../../shared/aws/events.ts';
import type { Site } from '../../shared/config/sites.ts';
import { findSite } from '../../shared/invalidation-service/change-set.ts';
import {
  DEPLOY_EVENT_DETAIL_TYPE,
  DEPLOY_EVENT_SOURCE,
  type DeployDetail,
} from '../../shared/invalidation-service/deploy-event.ts';
import { UnknownSiteError } from '../../shared/invalidation-service/errors.ts';
import { clientSettings, DEFAULT_CONFIG_FILE, type GlobalOptions, loadConfigFile } from '../context.ts';
import { EXIT, UserError } from '../errors.ts';
import { resolveCommit } from '../git.ts';
import { type DeployChanges, deployChanges } from '../invalidation/deploy-detail.ts';
import { waitForDeploy } from '../invalidation/wait-deploy.ts';
import { type WaitFlags, waitTimeout, withWaitOptions } from '../invalidation/wait-option.ts';
import { waitLine } from '../invalidation/wait-report.ts';
import type { Output } from '../output.ts';

interface NotifyOptions extends WaitFlags {
  site: string;
  from: string;
  to: string;
  repoDir: string;
  eventBus?: string;
  deployId?: string;
  ledgerBucket?: string;
}

const siteNamed = (sites: readonly Site[], name: string): Site => {
  try {
    return findSite(sites, name);
  } catch (error) {
    if (error instanceof UnknownSiteError) throw new UserError(error.message);
    throw error;
  }
};

const deployEvent = (detail: DeployDetail, eventBusName: string | undefined) => ({
  source: DEPLOY_EVENT_SOURCE,
  detailType: DEPLOY_EVENT_DETAIL_TYPE,
  detail,
  eventBusName,
});

/**
 * Whether finding no invalidation of a pinned deploy id means it does not exist. The function
 * reserves every batch of a change set in the ledger before submitting it; it plans nothing for
 * a change set whose adds may all be immutable (read before planning), and invalidates the broad
 * paths of an event without changes outside the ledger: then finding nothing proves nothing.
 */
const mustExist = (site: Site, found: DeployChanges, options: NotifyOptions): boolean =>
  options.deployId !== undefined &&
  options.ledgerBucket !== undefined &&
  found.changes > 0 &&
  !found.firstPush &&
  !found.truncated &&
  site.invalidation.immutableCacheControl !== 'read';

/** Publishes the event, then waits when asked (not for a diff with no file of the site: nothing to invalidate). */
const publishAndWait = async (
  site: Site,
  found: DeployChanges,
  event: ReturnType<typeof deployEvent>,
  timeoutSeconds: number | undefined,
  options: NotifyOptions,
  global: GlobalOptions,
  output: Output,
) => {
  const { deployId } = found.detail;
  try {
    const { eventIds } = await createEventsAdapter(clientSettings(global)).publish([event]);
    const nothing = !found.firstPush && !found.truncated && found.changes === 0;
    if (nothing && timeoutSeconds !== undefined)
      output.progress('no changed file of the site: nothing to wait for');
    const wait =
      timeoutSeconds === undefined || nothing
        ? undefined
        : await waitForDeploy(
            {
              site,
              deployId,
              mustExist: mustExist(site, found, options),
              ledgerBucket: options.ledgerBucket,
            },
            timeoutSeconds,
            options,
            clientSettings(global),
            output,
          );
    output.result(
      {
        published: true,
        site: site.name,
        deployId,
        changes: found.changes,
        truncated: found.truncated,
        ...(found.firstPush ? { broad: found.firstPush } : {}),
        eventId: eventIds[0],
        ...(wait ? { wait } : {}),
      },
      () =>
        `published Deployment Completed for ${site.name} at ${deployId.slice(0, 12)}: ${found.changes} changed file(s)${wait ? `\n${waitLine(wait)}` : ''}`,
    );
  } catch (error) {
    if (error instanceof EventPublishError) throw new UserError(error.message, EXIT.failed, { cause: error });
    throw error;
  }
};

const notifyDeploy = async (global: GlobalOptions, options: NotifyOptions, output: Output) => {
  const timeoutSeconds = waitTimeout(options, 'publishes nothing');
  const config = loadConfigFile(global.config ?? DEFAULT_CONFIG_FILE);
  const site = siteNamed(config.sites, options.site);
  const deployId = options.deployId ?? (await resolveCommit(options.repoDir, options.to));
  const found = await deployChanges(site, deployId, options, output);
  const event = deployEvent(found.detail, options.eventBus);
  if (options.dryRun) {
    output.result({ published: false, event }, () => JSON.stringify(event, null, 2));
    return;
  }
  await publishAndWait(site, found, event, timeoutSeconds, options, global, output);
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
    .option(
      '--ledger-bucket <name>',
      "with --wait: the stack's path ledger bucket, to find the deploy's invalidations by id whatever their age and to count its deferred batches not submitted yet",
    )
    .option('--dry-run', 'print the event instead of publishing it');
  withWaitOptions(command).action((options: NotifyOptions) =>
    notifyDeploy(program.opts<GlobalOptions>(), options, output),
  );
};
