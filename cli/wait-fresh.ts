/**
 * `--wait[=SECONDS]` of `shipyard invalidate` and `shipyard notify-deploy`: block a CI job until
 * the deploy's invalidations are Completed, or the time box ends. A timeout exits 0 (the deploy
 * did happen) unless `--fail-on-timeout`.
 *
 * Against the local cloud the wait runs on its simulated clock: the time is its clock's, and
 * each pause between two looks advances it (a rehearsal's clock is frozen; a CI job waiting is
 * what moves time there), so no real time passes and the seconds are the same on every machine.
 */
import type { Command } from 'commander';
import {
  type DistributionFreshness,
  type FreshWait,
  progressLine,
  type WaitClock,
  waitUntilFresh,
} from '../shared/invalidation-service/wait-fresh.ts';
import type { ClientSettings } from './context.ts';
import { EXIT, UserError } from './errors.ts';
import type { Output } from './output.ts';
import { seconds, wholeNumber } from './parsers.ts';

/** `--wait` without a value: 15 minutes, past the "tens of minutes" worst case seldom seen (AWS-FACTS). */
const DEFAULT_WAIT_SECONDS = 900;
/** GitHub-hosted jobs run at most 6 hours; an hour of waiting for a cache is already a problem. */
const MAX_WAIT_SECONDS = 3600;
const DEFAULT_POLL_SECONDS = 15;

export interface WaitFlags {
  wait?: true | number;
  failOnTimeout?: boolean;
  pollSeconds: number;
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

/** The time box asked for, or undefined without --wait; --fail-on-timeout alone is a usage error. */
export const waitTimeout = (flags: WaitFlags): number | undefined => {
  if (flags.wait === undefined) {
    if (flags.failOnTimeout) throw new UserError('--fail-on-timeout needs --wait');
    return undefined;
  }
  return flags.wait === true ? DEFAULT_WAIT_SECONDS : flags.wait;
};

const realClock: WaitClock = {
  now: async () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/** The local cloud's simulated clock when the endpoint is a local cloud, else the real one. */
export const waitClock = async (settings: ClientSettings): Promise<WaitClock> => {
  if (settings.endpoint === undefined) return realClock;
  const { ControlClient } = await import('@shipyard/local-cloud');
  const control = new ControlClient(settings.endpoint.replace(/\/+$/, ''));
  try {
    await control.clock();
  } catch {
    return realClock;
  }
  return {
    now: async () => (await control.clock()).now,
    sleep: async (ms) => {
      await control.advance({ ms });
    },
  };
};

/** Waits, printing a line per distribution whenever it changes; sets the exit code on a timeout. */
export const waitAndReport = async (
  look: () => Promise<DistributionFreshness[]>,
  timeoutSeconds: number,
  flags: WaitFlags,
  clock: WaitClock,
  output: Output,
): Promise<FreshWait> => {
  const printed = new Map<string, string>();
  output.progress(`waiting up to ${timeoutSeconds} s for the edge to be fresh…`);
  const wait = await waitUntilFresh(look, {
    timeoutSeconds,
    pollSeconds: flags.pollSeconds,
    clock,
    report: (state, elapsed) => {
      for (const d of state) {
        const line = progressLine(d);
        if (printed.get(d.distributionId) === line) continue;
        printed.set(d.distributionId, line);
        output.progress(`  ${line} (${elapsed} s)`);
      }
    },
  });
  if (!wait.fresh && flags.failOnTimeout) process.exitCode = EXIT.failed;
  return wait;
};

/** The last line of a wait, e.g. `edge fresh after 120 s` or `not fresh after 900 s: E1… 1 in progress`. */
export const waitLine = (wait: FreshWait): string =>
  wait.fresh
    ? `edge fresh after ${wait.seconds} s`
    : `not fresh after ${wait.seconds} s (time box ended): ${wait.distributions.map(progressLine).join('; ')}`;
