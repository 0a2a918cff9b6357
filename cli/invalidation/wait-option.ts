/**
 * `--wait[=SECONDS]`, `--fail-on-timeout` and `--poll-seconds` of `shipyard invalidate` and
 * `shipyard notify-deploy`: block a CI job until the deploy's invalidations are Completed, or the
 * time box ends. A timeout exits 0 (the deploy did happen) unless `--fail-on-timeout`.
 */
import type { Command } from 'commander';
import { UserError } from '../errors.ts';
import { seconds, wholeNumber } from '../parsers.ts';

/** `--wait` without a value: 15 minutes, past the "tens of minutes" worst case seldom seen (AWS-FACTS). */
const DEFAULT_WAIT_SECONDS = 900;
/** GitHub-hosted jobs run at most 6 hours; an hour of waiting for a cache is already a problem. */
const MAX_WAIT_SECONDS = 3600;
const DEFAULT_POLL_SECONDS = 15;

export interface WaitFlags {
  wait?: true | number;
  failOnTimeout?: boolean;
  pollSeconds: number;
  dryRun?: boolean;
}

export const withWaitOptions = (command: Command): Command =>
  command
    .option(
      '--wait [seconds]',
      `block until every invalidation of the deploy is Completed, at most this long (default ${DEFAULT_WAIT_SECONDS} s)`,
      wholeNumber(1, MAX_WAIT_SECONDS),
    )
    .option('--fail-on-timeout', 'with --wait: exit 1 when the time box ends before the edge is fresh')
    .option(
      '--poll-seconds <n>',
      'with --wait: how often to read the invalidations',
      seconds(300),
      DEFAULT_POLL_SECONDS,
    );

/**
 * The time box asked for, or undefined without --wait. Usage errors: --fail-on-timeout alone, and
 * --wait with a dry run (`dryRunDoes`: what a dry run leaves undone, e.g. "submits nothing").
 */
export const waitTimeout = (flags: WaitFlags, dryRunDoes: string): number | undefined => {
  if (flags.wait === undefined) {
    if (flags.failOnTimeout) throw new UserError('--fail-on-timeout needs --wait');
    return undefined;
  }
  if (flags.dryRun) throw new UserError(`--wait: a dry run ${dryRunDoes} to wait for`);
  return flags.wait === true ? DEFAULT_WAIT_SECONDS : flags.wait;
};
