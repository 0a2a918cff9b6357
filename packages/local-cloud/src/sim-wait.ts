import type { LocalCloud } from './cloud.ts';

/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves once the simulated clock reaches `target` (epoch ms), or as soon as `halted`
 * aborts. Sleeps until the deadline at the clock's current pace and re-plans on every clock
 * change (`advance`, a new speed), so a frozen clock costs nothing and an advance ends the
 * wait at once. Timers are unref'd so a forgotten long wait never keeps a process alive.
 */
export const waitForSimulatedTime = (cloud: LocalCloud, target: number, halted: AbortSignal): Promise<void> =>
  new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      halted.removeEventListener('abort', done);
      resolve();
    };
    const plan = () => {
      clearTimeout(timer);
      const remaining = target - cloud.now();
      if (remaining <= 0) {
        done();
        return;
      }
      const speed = cloud.clock.speed;
      // At speed 0 only a clock change brings the target closer.
      if (speed > 0) timer = setTimeout(plan, Math.min(Math.ceil(remaining / speed), MAX_TIMER_MS)).unref();
    };
    const unsubscribe = cloud.clock.onChange(plan);
    if (halted.aborted) {
      done();
      return;
    }
    halted.addEventListener('abort', done, { once: true });
    plan();
  });
