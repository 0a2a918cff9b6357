/**
 * The EC2 port a run-bearing step uses: a limit or throttling error passes through (the ASL
 * retries it, with backoff and full jitter) until the target's deadline; from then on it is
 * `WaitAttemptsExhausted`, caught as the target's failure with the limit named.
 */

import { WaitAttemptsExhausted } from '../backup/errors.ts';
import { isLimitError, pastTargetDeadline, targetDeadline } from '../backup/target-deadline.ts';
import type { Ec2Port, Ec2PortFactory } from './ports/ec2.ts';
import type { Run } from './state.ts';

export function waitingOutLimits(ec2: Ec2PortFactory, run: Run, now: () => Date): Ec2PortFactory {
  const hours = run.policy.targetDeadlineHours;
  const settle = (error: unknown): never => {
    if (isLimitError(error) && pastTargetDeadline(run.startedAt, hours, now()))
      throw new WaitAttemptsExhausted(
        `${error.message}: still limited at the target's deadline ${targetDeadline(run.startedAt, hours)} (targetDeadlineHours ${hours} after the run started)`,
        { cause: error },
      );
    throw error;
  };
  return (region) => {
    const port = ec2(region);
    return new Proxy(port, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          (value as (...a: unknown[]) => Promise<unknown>).apply(target, args).catch(settle);
      },
    }) as Ec2Port;
  };
}
