import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { createCloudFrontAdapter, createDryRunCloudFront } from '../../shared/aws/cloudfront.ts';
import { createS3InventoryAdapter } from '../../shared/aws/s3-inventory.ts';
import { createS3PathLedger } from '../../shared/aws/s3-ledger.ts';
import { createS3ObjectMetadata } from '../../shared/aws/s3-object-metadata.ts';
import type { Site } from '../../shared/config/sites.ts';
import { type ChangeSet, findSite } from '../../shared/invalidation-service/change-set.ts';
import type { DeploySummary } from '../../shared/invalidation-service/deploy-summary.ts';
import {
  MalformedEventError,
  SubmissionFailedError,
  UnknownSiteError,
} from '../../shared/invalidation-service/errors.ts';
import { siteChangesFromGitDiff } from '../../shared/invalidation-service/git-changes.ts';
import type { PathLedgerStore } from '../../shared/invalidation-service/path-ledger.ts';
import { canonicalPaths } from '../../shared/invalidation-service/paths.ts';
import { submitChangeSet } from '../../shared/invalidation-service/submit.ts';
import { type FreshWait, lookAtInvalidations } from '../../shared/invalidation-service/wait-fresh.ts';
import { clientSettings, DEFAULT_CONFIG_FILE, type GlobalOptions, loadConfigFile } from '../context.ts';
import { EXIT, UserError } from '../errors.ts';
import { nameStatus, resolveCommit, splitRange } from '../git.ts';
import type { Output } from '../output.ts';
import {
  type WaitFlags,
  waitAndReport,
  waitClock,
  waitLine,
  waitTimeout,
  withWaitOptions,
} from '../wait-fresh.ts';

interface InvalidateOptions extends WaitFlags {
  site: string;
  paths?: string[];
  changed?: string;
  repoDir: string;
  deployId?: string;
  dryRun?: boolean;
  yes?: boolean;
  ledgerBucket?: string;
}

const STATUS_KIND = { A: 'added', M: 'modified', D: 'deleted' } as const;

const buildChangeSet = async (site: Site, options: InvalidateOptions, now: number): Promise<ChangeSet> => {
  if (Boolean(options.paths) === Boolean(options.changed)) {
    throw new UserError('give exactly one of --paths or --changed');
  }
  if (options.paths) {
    return {
      site: site.name,
      // A manual run invalidates again even with the same paths, unless a deploy id pins it.
      deployId: options.deployId ?? `cli-${now}`,
      source: 'cli',
      changes: [],
      paths: canonicalPaths(options.paths, 'cli', '--paths'),
      reason: 'paths given on the command line',
    };
  }
  const { from, to } = splitRange(options.changed ?? '');
  const diff = await nameStatus(options.repoDir, from, to);
  return {
    site: site.name,
    deployId: options.deployId ?? (await resolveCommit(options.repoDir, to)),
    source: 'cli',
    changes: siteChangesFromGitDiff(diff, site.repo?.pathPrefix ?? '').map((c) => ({
      key: `${site.keyPrefix}${c.path}`,
      change: STATUS_KIND[c.status],
    })),
    paths: [],
  };
};

const describe = (summary: DeploySummary, verb: string): string => {
  const lines = [`${verb} for ${summary.site} (deploy ${summary.deployId}):`];
  for (const d of summary.distributions) {
    lines.push(`  ${d.id}:`);
    for (const b of d.batches) {
      lines.push(
        `    batch ${b.batchIndex} [${b.status}${b.invalidationId ? ` ${b.invalidationId}` : ''}] ${b.paths.length} path(s)`,
      );
      for (const p of b.paths.slice(0, 20)) lines.push(`      ${p}`);
      if (b.paths.length > 20) lines.push(`      … ${b.paths.length - 20} more`);
    }
    for (const reason of d.wildcardReasons) lines.push(`    why: ${reason}`);
  }
  const planned = summary.distributions.flatMap((d) => d.batches).filter((b) => b.status !== 'deferred');
  lines.push(
    `  billed paths: ${verb === 'Plan' ? planned.reduce((n, b) => n + b.paths.length, 0) : summary.pathsBilled}`,
  );
  const budget = summary.budget;
  if (budget) {
    const known = (n: number | null, unit = '') => (n === null ? 'unknown (no ledger)' : `${n}${unit}`);
    lines.push(
      `  ${budget.month}: this deploy bills ${budget.pathsThisDeploy} path(s); month to date ${known(budget.monthToDatePaths)}; free tier left ${known(budget.freeTierLeft)}; cost at list price $${budget.dollars === null ? '? (no ledger)' : budget.dollars.toFixed(3)}`,
    );
  }
  for (const { key, reason } of summary.ignoredKeys) lines.push(`  not invalidated: ${key} (${reason})`);
  const deferred = summary.distributions.reduce((n, d) => n + d.deferrals, 0);
  if (deferred > 0)
    lines.push(
      `  ${deferred} batch(es) do not fit next to the invalidations in flight: run again later with --deploy-id ${summary.deployId} (what was submitted is not billed again)`,
    );
  return lines.join('\n');
};

/** What was submitted (created now or already there), per distribution: what --wait waits for. */
const submittedIds = (summary: DeploySummary) =>
  summary.distributions
    .map((d) => ({
      distributionId: d.id,
      ids: d.batches
        .filter((b) => b.status === 'created' || b.status === 'existing')
        .flatMap((b) => (b.invalidationId ? [b.invalidationId] : [])),
    }))
    .filter((t) => t.ids.length > 0);

const waitForSubmitted = async (
  summary: DeploySummary,
  cloudFront: ReturnType<typeof createCloudFrontAdapter>,
  timeoutSeconds: number,
  options: InvalidateOptions,
  settings: ReturnType<typeof clientSettings>,
  output: Output,
): Promise<FreshWait | undefined> => {
  const targets = submittedIds(summary);
  if (targets.length === 0) {
    output.progress('nothing submitted: nothing to wait for');
    return undefined;
  }
  if (summary.distributions.some((d) => d.deferrals > 0))
    output.progress('deferred batches are not waited for: run again later with the same --deploy-id');
  return waitAndReport(
    lookAtInvalidations(cloudFront, targets),
    timeoutSeconds,
    options,
    await waitClock(settings),
    output,
  );
};

const confirm = async (question: string): Promise<boolean> => {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
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
  withWaitOptions(command).action(async (options: InvalidateOptions) => {
    const global = program.opts<GlobalOptions>();
    const timeoutSeconds = waitTimeout(options);
    if (timeoutSeconds !== undefined && options.dryRun)
      throw new UserError('--wait: a dry run submits nothing to wait for');
    const config = loadConfigFile(global.config ?? DEFAULT_CONFIG_FILE);
    let site: Site;
    let changeSet: ChangeSet;
    try {
      site = findSite(config.sites, options.site);
      changeSet = await buildChangeSet(site, options, Date.now());
    } catch (error) {
      if (error instanceof UnknownSiteError || error instanceof MalformedEventError)
        throw new UserError(error.message);
      throw error;
    }
    const cloudFront = createCloudFrontAdapter(clientSettings(global));
    // The same exact plan the deployed functions make: list the site's keys when it pays.
    const inventory = createS3InventoryAdapter(clientSettings(global));
    const objectMetadata = createS3ObjectMetadata({ config: clientSettings(global) });
    const noWait = { waitForCompletionSeconds: 0 };
    const ledger = options.ledgerBucket
      ? createS3PathLedger({ bucket: options.ledgerBucket, config: clientSettings(global) })
      : undefined;
    const pathBudget = (store: PathLedgerStore) => ({
      ledger: store,
      accountCap: config.invalidationAccount.monthlyPathCap,
      distributionIds: config.sites.flatMap((s) => s.distributionIds),
      history: cloudFront,
      now: Date.now,
    });
    // The dry run reads the ledger and plans against it; its writes stay in memory.
    const drafts = new Map<string, Awaited<ReturnType<PathLedgerStore['read']>>>();
    const readOnly: PathLedgerStore | undefined = ledger && {
      read: async (month) => drafts.get(month) ?? ledger.read(month),
      write: async (draft) => {
        drafts.set(draft.month, { ledger: draft, version: 'draft' });
        return 'written';
      },
    };
    const plan = await submitChangeSet(
      changeSet,
      site,
      {
        cloudFront: createDryRunCloudFront(cloudFront),
        inventory,
        objectMetadata,
        ...(readOnly ? { pathBudget: pathBudget(readOnly) } : {}),
      },
      noWait,
    );
    if (options.dryRun) {
      output.result({ submitted: false, plan }, () => describe(plan, 'Plan'));
      return;
    }
    if (!options.yes) {
      if (!process.stdin.isTTY) throw new UserError('not a terminal: pass --yes to submit without a prompt');
      output.progress(describe(plan, 'Plan'));
      if (!(await confirm('Submit these invalidations? [y/N] '))) {
        output.result({ submitted: false, plan }, () => 'not submitted');
        return;
      }
    }
    try {
      const summary = await submitChangeSet(
        changeSet,
        site,
        { cloudFront, inventory, objectMetadata, ...(ledger ? { pathBudget: pathBudget(ledger) } : {}) },
        noWait,
      );
      const wait =
        timeoutSeconds === undefined
          ? undefined
          : await waitForSubmitted(
              summary,
              cloudFront,
              timeoutSeconds,
              options,
              clientSettings(global),
              output,
            );
      output.result({ submitted: true, summary, ...(wait ? { wait } : {}) }, () =>
        [describe(summary, 'Submitted'), ...(wait ? [`  ${waitLine(wait)}`] : [])].join('\n'),
      );
    } catch (error) {
      if (error instanceof SubmissionFailedError)
        throw new UserError(error.message, EXIT.failed, { cause: error });
      throw error;
    }
  });
};
