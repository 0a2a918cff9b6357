import type { LocalCloud } from '../../cloud.ts';

/** Longest real pause between two looks at the simulated clock (an `advance` is noticed this fast). */
const POLL_MS = 50;

/**
 * Resolves once the simulated clock reaches `target` (epoch ms), or as soon as `stopped()`
 * says the waiter is no longer wanted. At speed 3600 an hour passes in a real second;
 * `POST /_shipyard/clock/advance` ends the wait at the next poll. Timers are unref'd so a
 * forgotten long wait never keeps a process alive.
 */
export const waitForSimulatedTime = async (
  cloud: LocalCloud,
  target: number,
  stopped: () => boolean,
): Promise<void> => {
  while (!stopped()) {
    const remaining = target - cloud.now();
    if (remaining <= 0) return;
    const speed = cloud.clock.speed;
    const realMs = speed > 0 ? Math.ceil(remaining / speed) : POLL_MS;
    await new Promise<void>((resolve) => setTimeout(resolve, Math.min(Math.max(realMs, 1), POLL_MS)).unref());
  }
};
