/**
 * Blocking until the edge is fresh (`shipyard invalidate --wait`, `shipyard notify-deploy --wait`):
 * poll GetInvalidation until every invalidation of the deploy is Completed or the time box ends.
 * Time comes from the injected clock (the local cloud's simulated clock in a rehearsal), so a
 * wait is measured and ended the same way on any machine.
 */
import type { CloudFrontPort, InvalidationRecord } from './ports/cloudfront.ts';

export interface WaitClock {
  now(): Promise<number>;
  sleep(ms: number): Promise<void>;
}

export interface DistributionFreshness {
  distributionId: string;
  completed: string[];
  inProgress: string[];
  /**
   * Batches of the deploy planned but not submitted yet (deferred by CloudFront's in-flight limits,
   * on the deferred queue): the edge is not fresh while any is left.
   */
  queued: number;
}

export interface FreshWait {
  fresh: boolean;
  /** Seconds from the start of the wait to the last look. */
  seconds: number;
  distributions: DistributionFreshness[];
}

/** Fresh: every distribution has invalidations, none is still in progress and no batch is queued. */
const isFresh = (state: readonly DistributionFreshness[]): boolean =>
  state.length > 0 &&
  state.every((d) => d.inProgress.length === 0 && d.queued === 0 && d.completed.length > 0);

/**
 * One progress line per distribution, e.g. `E2QWRUHAPOMQZL: 1/2 invalidation(s) completed`,
 * `E2QWRUHAPOMQZL: 0/1 invalidation(s) completed, 1 batch(es) queued (deferred, not submitted
 * yet)` while deferred batches wait for room, or `E2QWRUHAPOMQZL: waiting for the deploy's invalidations` before any was found.
 */
export const progressLine = (d: DistributionFreshness): string => {
  const total = d.completed.length + d.inProgress.length;
  if (total === 0 && d.queued === 0) return `${d.distributionId}: waiting for the deploy's invalidations`;
  const queued = d.queued > 0 ? `, ${d.queued} batch(es) queued (deferred, not submitted yet)` : '';
  return `${d.distributionId}: ${d.completed.length}/${total} invalidation(s) completed${queued}`;
};

/** The state of a distribution's submitted invalidations, and how many of its batches are queued. */
export const freshnessOf = (
  distributionId: string,
  records: readonly InvalidationRecord[],
  queued = 0,
): DistributionFreshness => ({
  distributionId,
  completed: records.filter((r) => r.status === 'Completed').map((r) => r.id),
  inProgress: records.filter((r) => r.status !== 'Completed').map((r) => r.id),
  queued,
});

/** A look at known invalidations (what `shipyard invalidate` just submitted). */
export const lookAtInvalidations =
  (
    cloudFront: Pick<CloudFrontPort, 'getInvalidation'>,
    targets: readonly { distributionId: string; ids: readonly string[] }[],
  ) =>
  async (): Promise<DistributionFreshness[]> =>
    Promise.all(
      targets.map(async (t) =>
        freshnessOf(
          t.distributionId,
          await Promise.all(t.ids.map((id) => cloudFront.getInvalidation(t.distributionId, id))),
        ),
      ),
    );

export interface WaitOptions {
  timeoutSeconds: number;
  pollSeconds: number;
  clock: WaitClock;
  /** Called after each look (progress). */
  report?: (state: readonly DistributionFreshness[], seconds: number) => void;
}

/**
 * Looks until fresh or until `timeoutSeconds` passed on the clock; never throws on a timeout (the
 * caller decides whether a stale edge fails the job).
 *
 * @example
 * const wait = await waitUntilFresh(lookAtInvalidations(cloudFront, targets), { timeoutSeconds: 600, pollSeconds: 15, clock });
 * wait.fresh; // false when the time box ended first
 */
export const waitUntilFresh = async (
  look: () => Promise<DistributionFreshness[]>,
  { timeoutSeconds, pollSeconds, clock, report }: WaitOptions,
): Promise<FreshWait> => {
  const start = await clock.now();
  for (;;) {
    const distributions = await look();
    const elapsedMs = (await clock.now()) - start;
    const seconds = Math.round(elapsedMs / 1000);
    report?.(distributions, seconds);
    if (isFresh(distributions)) return { fresh: true, seconds, distributions };
    const left = timeoutSeconds * 1000 - elapsedMs;
    if (left <= 0) return { fresh: false, seconds, distributions };
    await clock.sleep(Math.min(pollSeconds * 1000, left));
  }
};
