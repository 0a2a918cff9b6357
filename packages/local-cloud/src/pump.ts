import type { LocalCloud } from './cloud.ts';
import { mappingStore } from './services/lambda/event-source-mappings.ts';
import { type BatchDelivery, pollMapping } from './services/lambda/sqs-poller.ts';
import { routeObjectEvents } from './services/s3/notifications.ts';
import type { TargetOutcome } from './services/targets/outcome.ts';

export interface PumpResult {
  /** S3 object events routed to their notification destinations. */
  s3Notifications: TargetOutcome[];
  /** Batches event source mappings delivered to functions. */
  batches: BatchDelivery[];
}

/** Enough for chains (S3 → queue → function → queue → function) without looping forever. */
const MAX_ROUNDS = 25;

/**
 * Delivers everything that is due on the simulated clock: S3 object events to their
 * notification destinations, then SQS messages to the functions mapped to their queues
 * (batch size, batching window, delays and visibility as configured). Repeats while a
 * round delivered something, since a function may feed another queue.
 */
export const pumpEventSources = async (cloud: LocalCloud): Promise<PumpResult> => {
  const result: PumpResult = { s3Notifications: [], batches: [] };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const routed = routeObjectEvents(cloud);
    const mappings = [...mappingStore(cloud).mappings.values()];
    const batches = (await Promise.all(mappings.map((m) => pollMapping(cloud, m)))).filter(
      (b): b is BatchDelivery => b !== undefined,
    );
    result.s3Notifications.push(...routed);
    result.batches.push(...batches);
    if (routed.length === 0 && batches.length === 0) break;
  }
  return result;
};

/** Tally of the background poller's completed rounds: what a wait for its deliveries is bounded by. */
export const POLLER_ROUNDS = 'eventSources.pollerRounds';

/**
 * Runs the pump on a real-time interval so a deployed system runs by itself. The timer
 * is unref'd (it never keeps a process alive) and a round never overlaps the previous one.
 */
export const startEventPoller = (
  cloud: LocalCloud,
  intervalMs: number,
  onError: (error: unknown) => void = () => {},
): (() => void) => {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    pumpEventSources(cloud)
      .catch(onError)
      .finally(() => {
        running = false;
        cloud.counters.add(POLLER_ROUNDS);
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
};
