/**
 * The clock of a `--wait`. Against the local cloud the wait runs on its simulated clock: the time
 * is its clock's, and each pause between two looks advances it (a rehearsal's clock is frozen; a CI
 * job waiting is what moves time there), so no real time passes and the seconds are the same on
 * every machine.
 */
import type { WaitClock } from '../../shared/invalidation-service/wait-fresh.ts';
import type { ClientSettings } from '../context.ts';

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
