import type { Command } from 'commander';
import { createCloudFrontAdapter, createDryRunCloudFront } from '../../shared/aws/cloudfront.ts';
import { createS3InventoryAdapter } from '../../shared/aws/s3-inventory.ts';
import { createS3ObjectMetadata } from '../../shared/aws/s3-object-metadata.ts';
import type { Site } from '../../shared/config/sites.ts';
import type { ChangeSet } from '../../shared/invalidation-service/change-set.ts';
import type { DeploySummary } from '../../shared/invalidation-service/deploy-summary.ts';
import { SubmissionFailedError } from '../../shared/invalidation-service/errors.ts';
import { type SubmitPorts, submitChangeSet } from '../../shared/invalidation-service/submit.ts';
import { confirm } from '../confirm.ts';
import {
  type ClientSettings,
  clientSettings,
  DEFAULT_CONFIG_FILE,
  type GlobalOptions,
  loadConfigFile,
} from '../context.ts';
import { EXIT, UserError } from '../errors.ts';
import { type ChangeSetFlags, cliChangeSet } from '../invalidation/cli-change-set.ts';
import { cliPathBudget } from '../invalidation/cli-path-budget.ts';
import { describeSummary } from '../invalidation/describe-summary.ts';
import { type WaitFlags, waitTimeout, withWaitOptions } from '../invalidation/wait-option.ts';
import { waitLine } from '../invalidation/wait-report.ts';
import { waitForSubmitted } from '../invalidation/wait-submitted.ts';
import type { Output } from '../output.ts';

interface InvalidateOptions extends ChangeSetFlags, WaitFlags {
  yes?: boolean;
  ledgerBucket?: string;
}

/** The submission's bounded wait is the CLI's --wait, not the site's waitForCompletionSeconds. */
const NO_WAIT = { waitForCompletionSeconds: 0 };

/** The plan shown before submitting, and whether to submit it (--yes, or the terminal's answer). */
const planApproved = async (plan: DeploySummary, options: InvalidateOptions, output: Output) => {
  if (options.dryRun) {
    output.result({ submitted: false, plan }, () => describeSummary(plan, 'Plan'));
    return false;
  }
  if (options.yes) return true;
  if (!process.stdin.isTTY) throw new UserError('not a terminal: pass --yes to submit without a prompt');
  output.progress(describeSummary(plan, 'Plan'));
  if (await confirm('Submit these invalidations? [y/N] ')) return true;
  output.result({ submitted: false, plan }, () => 'not submitted');
  return false;
};

/** Submits, then waits when asked; a distribution that failed is exit 1, after the others went through. */
const submitAndWait = async (
  submission: { changeSet: ChangeSet; site: Site; ports: SubmitPorts },
  timeoutSeconds: number | undefined,
  options: InvalidateOptions,
  settings: ClientSettings,
  output: Output,
) => {
  const { changeSet, site, ports } = submission;
  try {
    const summary = await submitChangeSet(changeSet, site, ports, NO_WAIT);
    const wait =
      timeoutSeconds === undefined
        ? undefined
        : await waitForSubmitted(summary, ports.cloudFront, timeoutSeconds, options, settings, output);
    output.result({ submitted: true, summary, ...(wait ? { wait } : {}) }, () =>
      [describeSummary(summary, 'Submitted'), ...(wait ? [`  ${waitLine(wait)}`] : [])].join('\n'),
    );
  } catch (error) {
    if (error instanceof SubmissionFailedError)
      throw new UserError(error.message, EXIT.failed, { cause: error });
    throw error;
  }
};

const invalidate = async (global: GlobalOptions, options: InvalidateOptions, output: Output) => {
  const timeoutSeconds = waitTimeout(options, 'submits nothing');
  const config = loadConfigFile(global.config ?? DEFAULT_CONFIG_FILE);
  const { site, changeSet } = await cliChangeSet(config.sites, options, Date.now());
  const settings = clientSettings(global);
  const cloudFront = createCloudFrontAdapter(settings);
  // The same exact plan the deployed functions make: list the site's keys when it pays.
  const reads = {
    inventory: createS3InventoryAdapter(settings),
    objectMetadata: createS3ObjectMetadata({ config: settings }),
  };
  const budget = cliPathBudget(config, cloudFront, options.ledgerBucket, settings);
  const plan = await submitChangeSet(
    changeSet,
    site,
    {
      cloudFront: createDryRunCloudFront(cloudFront),
      ...reads,
      ...(budget ? { pathBudget: budget.draft } : {}),
    },
    NO_WAIT,
  );
  if (!(await planApproved(plan, options, output))) return;
  const ports = { cloudFront, ...reads, ...(budget ? { pathBudget: budget.live } : {}) };
  await submitAndWait({ changeSet, site, ports }, timeoutSeconds, options, settings, output);
};

/**
 * `shipyard invalidate`: plan against the distributions' real in-flight invalidations (a
 * dry-run adapter reads but never writes), show the paths and what they bill, then submit
 * after confirmation.
 */
export const register = (program: Command, output: Output): void => {
  const command = program
    .command('invalidate')
    .description('plan and submit a CloudFront invalidation for a site')
    .requiredOption('--site <name>', 'site name from the config file')
    .option('--paths <paths...>', 'URL paths to invalidate, e.g. /index.html /docs/*')
    .option('--changed <range>', 'invalidate what changed in a git range, e.g. HEAD~1..HEAD')
    .option('--repo-dir <dir>', 'git working copy for --changed', '.')
    .option('--deploy-id <id>', 'pin the deploy id: re-running with the same id and paths bills nothing')
    .option('--dry-run', 'show the plan only')
    .option(
      '--ledger-bucket <name>',
      "the stack's path ledger bucket: pace the plan against the monthly budget and print the month to date",
    )
    .option('--yes', 'submit without asking');
  withWaitOptions(command).action((options: InvalidateOptions) =>
    invalidate(program.opts<GlobalOptions>(), options, output),
  );
};
