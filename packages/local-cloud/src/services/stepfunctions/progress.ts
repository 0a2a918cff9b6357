import type { LocalCloud } from '../../cloud.ts';
import { type ExecutionRecord, type ExecutionStatus, statesStore } from './store.ts';

/** Wakes whoever waits on this execution: it started, recorded an event or ended. */
export const notifyProgress = (cloud: LocalCloud, execution: ExecutionRecord): void => {
  for (const wake of [...(statesStore(cloud).watchers.get(execution.arn) ?? [])]) wake();
};

export interface Progress {
  /** Absent while no execution has this ARN (a schedule may still be starting it). */
  status?: ExecutionStatus;
  /** Id of the newest history event (0 before the execution exists). */
  lastEventId: number;
  /** Events of this execution and of the child executions of its Distributed Maps. */
  activity: number;
  /**
   * AWS requests the local cloud has answered in all: a step that works (its function calls
   * EC2, S3…) makes progress before its next history event, however slow the machine.
   */
  requests: number;
}

const progressOf = (cloud: LocalCloud, arn: string): Progress => {
  const execution = statesStore(cloud).executions.get(arn);
  return execution
    ? {
        status: execution.status,
        lastEventId: execution.history.length,
        activity: execution.activity,
        requests: cloud.counters.callCount(),
      }
    : { lastEventId: 0, activity: 0, requests: cloud.counters.callCount() };
};

/**
 * Resolves as soon as the execution has an event newer than `afterEventId` (or, given
 * `afterActivity`, it or one of its child executions recorded an event since) or is no
 * longer RUNNING, or after `maxWaitMs` of real time without either: a waiter learns of each
 * step the moment it happens instead of polling, and a stalled execution (no new event for
 * `maxWaitMs`) is told apart from a slow one by its progress, not by how long it ran.
 */
export const waitForProgress = (
  cloud: LocalCloud,
  arn: string,
  after: { afterEventId: number; afterActivity?: number },
  maxWaitMs: number,
): Promise<Progress> => {
  const store = statesStore(cloud);
  const moved = () => {
    const execution = store.executions.get(arn);
    return (
      execution !== undefined &&
      (execution.status !== 'RUNNING' ||
        execution.history.length > after.afterEventId ||
        (after.afterActivity !== undefined && execution.activity > after.afterActivity))
    );
  };
  return new Promise<Progress>((resolve) => {
    if (moved() || maxWaitMs <= 0) {
      resolve(progressOf(cloud, arn));
      return;
    }
    const set = store.watchers.get(arn) ?? new Set<() => void>();
    store.watchers.set(arn, set);
    const done = () => {
      clearTimeout(timer);
      set.delete(wake);
      if (set.size === 0 && store.watchers.get(arn) === set) store.watchers.delete(arn);
      // Read after the current turn: an ending execution records its terminal event just
      // before it takes its final status.
      queueMicrotask(() => resolve(progressOf(cloud, arn)));
    };
    const wake = () => {
      if (moved() || statesStore(cloud) !== store) done();
    };
    const timer = setTimeout(done, maxWaitMs);
    set.add(wake);
  });
};
