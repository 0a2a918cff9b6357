import type { LocalCloud } from '../../cloud.ts';
import { lambdaStore } from './store.ts';

/** Wakes whoever waits for the `Event` invocations to end: one of them just ended. */
export const notifyAsyncEnded = (cloud: LocalCloud): void => {
  for (const wake of [...lambdaStore(cloud).asyncWaiters]) wake();
};

const pendingOf = (cloud: LocalCloud): number =>
  lambdaStore(cloud).asyncInvocations.filter((i) => i.status === 'QUEUED').length;

/**
 * Resolves once no `Event` invocation is queued or running (an invocation that queues another
 * one ends after it was queued, so chains are waited for as a whole), or after `stallMs` of
 * real time in which none ended: `pending` then says how many are stuck. Bounded by progress,
 * not by duration: on a slow machine each invocation takes longer, and each one that ends
 * starts the bound again.
 */
export const waitForAsyncInvocations = (cloud: LocalCloud, stallMs: number): Promise<{ pending: number }> => {
  const store = lambdaStore(cloud);
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      store.asyncWaiters.delete(wake);
      resolve({ pending: pendingOf(cloud) });
    };
    const wake = () => {
      if (pendingOf(cloud) === 0 || lambdaStore(cloud) !== store) done();
      else {
        clearTimeout(timer);
        timer = setTimeout(done, stallMs);
      }
    };
    if (pendingOf(cloud) === 0 || stallMs <= 0) {
      resolve({ pending: pendingOf(cloud) });
      return;
    }
    store.asyncWaiters.add(wake);
    timer = setTimeout(done, stallMs);
  });
};
