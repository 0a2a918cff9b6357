/**
 * Blocking until the edge is fresh (`shipyard invalidate --wait`, `shipyard notify-deploy --wait`):
 * poll GetInvalidation until every invalidation of the deploy is Completed or the time box ends.
 * Time comes from the injected clock (the local cloud's simulated clock in a rehearsal), so a
 * wait is measured and ended the same way on any machine.
 */
import { callerReferencePrefix } from '../invalidation/caller-reference.ts';
import type { CloudFrontPort, InvalidationRecord } from './ports/cloudfront.ts';

export interface WaitClock {
  now(): Promise<number>;
  sleep(ms: number): Promise<void>;
}

export interface DistributionFreshness {
  distributionId: string;
  completed: string[];
  inProgress: string[];
}

export interface FreshWait {
  fresh: boolean;
  /** Seconds from the start of the wait to the last look. */
  seconds: number;
  distributions: DistributionFreshness[];
}

/** Fresh: every distribution has invalidations, and none is still in progress. */
const isFresh = (state: readonly DistributionFreshness[]): boolean =>
  state.length > 0 && state.every((d) => d.inProgress.length === 0 && d.completed.length > 0);

/**
 * One progress line per distribution, e.g. `E2QWRUHAPOMQZL: 1/2 invalidation(s) completed`, or
 * `E2QWRUHAPOMQZL: waiting for the deploy's invalidations` before any was found.
 */
export const progressLine = (d: DistributionFreshness): string => {
  const total = d.completed.length + d.inProgress.length;
  return total === 0
    ? `${d.distributionId}: waiting for the deploy's invalidations`
    : `${d.distributionId}: ${d.completed.length}/${total} invalidation(s) completed`;
};

const split = (distributionId: string, records: readonly InvalidationRecord[]): DistributionFreshness => ({
  distributionId,
  completed: records.filter((r) => r.status === 'Completed').map((r) => r.id),
  inProgress: records.filter((r) => r.status !== 'Completed').map((r) => r.id),
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
        split(
          t.distributionId,
          await Promise.all(t.ids.map((id) => cloudFront.getInvalidation(t.distributionId, id))),
        ),
      ),
    );

/**
 * A look at one deploy's invalidations, found by their CallerReference prefix among those created
 * since `sinceMs` (the deploy is submitted by a function, so the ids are not known here). A
 * Completed record, and one of another deploy, never changes: each is read once.
 */
export const lookAtDeploy = (
  cloudFront: Pick<CloudFrontPort, 'getInvalidation' | 'invalidationsSince'>,
  distributionIds: readonly string[],
  deployId: string,
  sinceMs: number,
) => {
  const settled = new Map<string, InvalidationRecord>();
  const read = async (distributionId: string, id: string) => {
    const key = `${distributionId}/${id}`;
    const known = settled.get(key);
    if (known) return known;
    const record = await cloudFront.getInvalidation(distributionId, id);
    const ours = record.callerReference.startsWith(callerReferencePrefix(distributionId, deployId));
    if (!ours || record.status === 'Completed') settled.set(key, record);
    return record;
  };
  return async (): Promise<DistributionFreshness[]> =>
    Promise.all(
      distributionIds.map(async (distributionId) => {
        const summaries = await cloudFront.invalidationsSince(distributionId, sinceMs);
        const records = await Promise.all(summaries.map((s) => read(distributionId, s.id)));
        const prefix = callerReferencePrefix(distributionId, deployId);
        return split(
          distributionId,
          records.filter((r) => r.callerReference.startsWith(prefix)),
        );
      }),
    );
};

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
