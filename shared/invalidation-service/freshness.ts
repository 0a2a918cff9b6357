/**
 * Knowing when the edge is fresh. CloudFront emits no event when an invalidation completes (its
 * only signal is the `Status` of GetInvalidation, "InProgress" then "Completed": CloudFront API
 * reference, GetInvalidation), so each submission starts a watch: a delayed SQS message that a
 * checker function reads, polls GetInvalidation once, and either publishes `Invalidation Completed`
 * or sends itself again, delayed. Past the site's `slowAfterSeconds` it publishes `Invalidation
 * Slow`. Each event is published at most once per set of invalidations, whatever SQS redelivers:
 * a marker claimed with a conditional write comes first (OnceMarkers).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { MetricsRecorder } from '../logging/metrics.ts';
import type { BatchResult } from './deploy-summary.ts';
import type { CloudFrontPort } from './ports/cloudfront.ts';
import type { QueuePort } from './ports/queue.ts';

const FRESHNESS_EVENT_SOURCE = 'shipyard';
export const INVALIDATION_COMPLETED = 'Invalidation Completed';
export const INVALIDATION_SLOW = 'Invalidation Slow';
/** Time-to-fresh per distribution (dimension `distributionId`), in seconds. */
export const TIME_TO_FRESH_METRIC = 'InvalidationTimeToFresh';

/**
 * Seconds between two status checks: the resolution of `secondsToFresh` (GetInvalidation tells
 * the status, not when it changed). Completion usually takes seconds to minutes (AWS-FACTS).
 */
export const FRESHNESS_CHECK_SECONDS = 30;
/**
 * A watch gives up this long after the submission (after its Slow event): completion has taken
 * "tens of minutes" at worst (AWS-FACTS); an hour of checks is 120 small SQS messages.
 */
export const FRESHNESS_WATCH_MAX_SECONDS = 3600;

export const FreshnessWatchSchema = z
  .object({
    kind: z.literal('shipyard.invalidation-watch'),
    version: z.literal(1),
    site: z.string().min(1),
    deployId: z.string().min(1),
    distributionId: z.string().min(1),
    invalidationIds: z.array(z.string().min(1)).min(1),
    /** Epoch ms of the submission (the submitting function's clock). */
    submittedAt: z.number().int().min(0),
    slowAfterSeconds: z.number().int().min(1),
  })
  .strict();
export type FreshnessWatch = z.infer<typeof FreshnessWatchSchema>;

/** Markers that make an action happen once: `claim` is true for exactly one caller per key. */
export interface OnceMarkers {
  claim(key: string): Promise<boolean>;
  /** Undoes a claim whose action failed, so a redelivery can try again. */
  release(key: string): Promise<void>;
}

/** The subset of the EventBridge port the watch uses (shared/aws/events.ts implements it). */
interface EventPublisher {
  publish(
    events: readonly { source: string; detailType: string; detail: unknown; eventBusName?: string }[],
  ): Promise<unknown>;
}

export interface FreshnessPorts {
  cloudFront: Pick<CloudFrontPort, 'getInvalidation'>;
  events: EventPublisher;
  eventBusName?: string;
  once: OnceMarkers;
  /** The watch queue: the next check is this message again, delayed. */
  queue: QueuePort;
  metrics?: MetricsRecorder;
  now: () => number;
}

export type FreshnessCheck =
  | { status: 'fresh'; secondsToFresh: number; published: boolean }
  | { status: 'pending'; seconds: number; pending: string[] }
  | { status: 'abandoned'; seconds: number; pending: string[] };

/** One marker per event kind and set of invalidations (ids sorted: order does not matter). */
export const freshnessMarkerKey = (kind: 'completed' | 'slow', watch: FreshnessWatch): string => {
  const digest = createHash('sha256')
    .update([...watch.invalidationIds].sort().join('\n'))
    .digest('hex')
    .slice(0, 32);
  return `${kind}/${watch.distributionId}/${digest}.json`;
};

const publishOnce = async (
  ports: FreshnessPorts,
  key: string,
  detailType: string,
  detail: unknown,
): Promise<boolean> => {
  if (!(await ports.once.claim(key))) return false;
  try {
    await ports.events.publish([
      {
        source: FRESHNESS_EVENT_SOURCE,
        detailType,
        detail,
        ...(ports.eventBusName ? { eventBusName: ports.eventBusName } : {}),
      },
    ]);
    return true;
  } catch (error) {
    await ports.once.release(key);
    throw error;
  }
};

const eventBase = (watch: FreshnessWatch) => ({
  site: watch.site,
  deployId: watch.deployId,
  distributionId: watch.distributionId,
  invalidationIds: watch.invalidationIds,
});

/**
 * One check of a watch: every invalidation Completed → `Invalidation Completed` (once) and the
 * time-to-fresh metric; otherwise `Invalidation Slow` (once) past the bound and the next check
 * scheduled, until FRESHNESS_WATCH_MAX_SECONDS.
 *
 * @example
 * await checkFreshness(watch, { cloudFront, events, once, queue, now: Date.now });
 * // { status: 'fresh', secondsToFresh: 60, published: true }
 */
export const checkFreshness = async (
  watch: FreshnessWatch,
  ports: FreshnessPorts,
): Promise<FreshnessCheck> => {
  const records = await Promise.all(
    watch.invalidationIds.map((id) => ports.cloudFront.getInvalidation(watch.distributionId, id)),
  );
  const pending = records.filter((r) => r.status !== 'Completed').map((r) => r.id);
  const seconds = Math.max(0, Math.round((ports.now() - watch.submittedAt) / 1000));
  if (pending.length === 0) {
    const detail = { ...eventBase(watch), secondsToFresh: seconds };
    const published = await publishOnce(
      ports,
      freshnessMarkerKey('completed', watch),
      INVALIDATION_COMPLETED,
      detail,
    );
    // Recorded with the event, so a redelivered check does not count the same wait twice.
    if (published)
      ports.metrics?.record(TIME_TO_FRESH_METRIC, 'Seconds', seconds, {
        distributionId: watch.distributionId,
      });
    return { status: 'fresh', secondsToFresh: seconds, published };
  }
  if (seconds >= watch.slowAfterSeconds) {
    const detail = {
      ...eventBase(watch),
      pending,
      secondsSoFar: seconds,
      slowAfterSeconds: watch.slowAfterSeconds,
    };
    await publishOnce(ports, freshnessMarkerKey('slow', watch), INVALIDATION_SLOW, detail);
  }
  if (seconds >= FRESHNESS_WATCH_MAX_SECONDS) return { status: 'abandoned', seconds, pending };
  await ports.queue.send(watch, FRESHNESS_CHECK_SECONDS);
  return { status: 'pending', seconds, pending };
};

/** Where submissions start their watches; without it (CLI, no stack) nothing is watched. */
export interface FreshnessStart {
  queue: QueuePort;
  now: () => number;
}

/**
 * Starts the watch of one distribution's submitted batches (created now or already there). A
 * watch that cannot be started never fails the deploy: the invalidations are submitted.
 */
export const startFreshnessWatch = async (
  start: FreshnessStart | undefined,
  target: { site: string; slowAfterSeconds: number; deployId: string; distributionId: string },
  results: readonly BatchResult[],
  logger?: { warn(message: string, ...extra: Record<string, unknown>[]): void },
): Promise<void> => {
  const invalidationIds = results
    .filter((r) => r.status === 'created' || r.status === 'existing')
    .map((r) => r.invalidationId)
    .filter((id): id is string => id !== undefined);
  if (!start || invalidationIds.length === 0) return;
  const watch: FreshnessWatch = {
    kind: 'shipyard.invalidation-watch',
    version: 1,
    ...target,
    invalidationIds,
    submittedAt: start.now(),
  };
  try {
    await start.queue.send(watch, FRESHNESS_CHECK_SECONDS);
  } catch (error) {
    logger?.warn('cannot watch the invalidations for completion: no Invalidation Completed event', {
      distributionId: target.distributionId,
      invalidationIds,
      error,
    });
  }
};
