/** The wait loop of `--wait` with its progress: a line per distribution whenever it changes. */
import {
  type DistributionFreshness,
  type FreshWait,
  progressLine,
  type WaitClock,
  waitUntilFresh,
} from '../../shared/invalidation-service/wait-fresh.ts';
import { EXIT } from '../errors.ts';
import type { Output } from '../output.ts';
import type { WaitFlags } from './wait-option.ts';

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
