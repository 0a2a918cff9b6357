/**
 * A look at one deploy's invalidations for `shipyard notify-deploy --wait`: the function submits
 * them, so their ids are not known to the caller. Two sources:
 * - CloudFront: the invalidations created since the wait began (a little before), recognised by
 *   the deploy's CallerReference prefix (GetInvalidation returns the CallerReference);
 * - the path ledger, when given: every batch a paced deploy planned is reserved there under its
 *   CallerReference before it is submitted, and gets its invalidation id once CloudFront created
 *   it. An id is looked up directly (GetInvalidation), however old the invalidation; a batch
 *   without one that CloudFront does not list either was deferred (CloudFront's in-flight limits,
 *   the deferred queue) and is counted as queued until it is submitted.
 * The ledger months read are the current and the previous one: the function re-plans a
 * re-published deploy in the current month (same batches, same CallerReferences: CloudFront
 * returns the existing invalidation, whose id the ledger records), so a pinned deploy id of any
 * age is found by id, never by a scan of the history.
 */
import { billingMonth, callerReferencePrefix, previousMonths } from '../invalidation/index.ts';
import type { LedgerMonth, PathLedgerStore } from './path-ledger.ts';
import type { CloudFrontPort, InvalidationRecord } from './ports/cloudfront.ts';
import { type DistributionFreshness, freshnessOf } from './wait-fresh.ts';

/** The deploy's planned batches in the ledger: CallerReference → invalidation id once known. */
type PlannedBatches = Map<string, string | undefined>;

interface DeployLedger {
  store: PathLedgerStore;
  /** Epoch ms now (the wait's clock): which months to read. */
  now: () => Promise<number>;
}

interface LookAtDeployInput {
  cloudFront: Pick<CloudFrontPort, 'getInvalidation' | 'invalidationsSince'>;
  distributionIds: readonly string[];
  deployId: string;
  /** CloudFront's invalidations created at or after this (epoch ms) are listed. */
  sinceMs: number;
  ledger?: DeployLedger;
}

/** The newest of the months that planned this deploy on the distribution (a re-plan supersedes). */
const plannedBatches = (months: readonly LedgerMonth[], distributionId: string, prefix: string) => {
  for (const month of months) {
    const planned: PlannedBatches = new Map();
    for (const [ref, entry] of Object.entries(month.entries))
      if (ref.startsWith(prefix) && entry.distributionId === distributionId)
        planned.set(ref, entry.invalidationId);
    if (planned.size > 0) return planned;
  }
  return new Map() as PlannedBatches;
};

const readMonths = async (ledger: DeployLedger | undefined): Promise<LedgerMonth[]> => {
  if (!ledger) return [];
  const month = billingMonth(await ledger.now());
  const stored = await Promise.all([month, ...previousMonths(month, 1)].map((m) => ledger.store.read(m)));
  return stored.map((s) => s.ledger);
};

/**
 * @example
 * const look = lookAtDeploy({ cloudFront, distributionIds: ['E2QWRUHAPOMQZL'], deployId, sinceMs, ledger });
 * (await look())[0]; // { distributionId, completed: ['I1'], inProgress: [], queued: 1 }
 */
export const lookAtDeploy = ({
  cloudFront,
  distributionIds,
  deployId,
  sinceMs,
  ledger,
}: LookAtDeployInput) => {
  // A Completed record, and one of another deploy, never changes: each is read once.
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
  const lookAt = async (distributionId: string, months: readonly LedgerMonth[]) => {
    const prefix = callerReferencePrefix(distributionId, deployId);
    const planned = plannedBatches(months, distributionId, prefix);
    const recent = await cloudFront.invalidationsSince(distributionId, sinceMs);
    const ids = new Set([
      ...recent.map((s) => s.id),
      ...[...planned.values()].filter((id): id is string => id !== undefined),
    ]);
    const records = await Promise.all([...ids].map((id) => read(distributionId, id)));
    const ours = records.filter((r) => r.callerReference.startsWith(prefix));
    const submitted = new Set(ours.map((r) => r.callerReference));
    const queued = [...planned].filter(([ref, id]) => id === undefined && !submitted.has(ref)).length;
    return freshnessOf(distributionId, ours, queued);
  };
  return async (): Promise<DistributionFreshness[]> => {
    const months = await readMonths(ledger);
    return Promise.all(distributionIds.map((distributionId) => lookAt(distributionId, months)));
  };
};
