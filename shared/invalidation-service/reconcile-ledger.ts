/**
 * Reconciliation of the month's ledger with CloudFront: every invalidation created this month on a
 * configured distribution that the ledger does not know yet is looked up (GetInvalidation gives its
 * CallerReference and paths). One of ours gets its invalidation id; anyone else's (the console,
 * another deploy tool) is added with its path count, since it spends the same free tier.
 */
import { billingMonth } from '../invalidation/index.ts';
import { updateLedger } from './ledger-update.ts';
import { knownInvalidationIds, type LedgerMonth, type PathLedgerStore } from './path-ledger.ts';

export interface InvalidationSummary {
  id: string;
  /** Epoch ms (CloudFront's CreateTime). */
  createTime: number;
}

/** What reconciliation reads from CloudFront. */
export interface InvalidationHistoryPort {
  /** The distribution's invalidations created at or after `sinceMs` (ListInvalidations, newest first). */
  invalidationsSince(distributionId: string, sinceMs: number): Promise<InvalidationSummary[]>;
  getInvalidation(
    distributionId: string,
    id: string,
  ): Promise<{ id: string; callerReference: string; paths: string[] }>;
}

const monthStart = (month: string): number => Date.parse(`${month}-01T00:00:00Z`);

interface Found {
  distributionId: string;
  id: string;
  createTime: number;
  callerReference: string;
  paths: number;
}

/** Adds what CloudFront knows and the ledger does not; returns the reconciled month. */
export const reconcileLedger = async (
  store: PathLedgerStore,
  cloudFront: InvalidationHistoryPort,
  distributionIds: readonly string[],
  month: string,
): Promise<LedgerMonth> => {
  const known = knownInvalidationIds((await store.read(month)).ledger);
  const found: Found[] = [];
  for (const distributionId of distributionIds) {
    const since = await cloudFront.invalidationsSince(distributionId, monthStart(month));
    for (const summary of since) {
      if (billingMonth(summary.createTime) !== month || known.has(`${distributionId}/${summary.id}`))
        continue;
      const record = await cloudFront.getInvalidation(distributionId, summary.id);
      found.push({
        distributionId,
        id: summary.id,
        createTime: summary.createTime,
        callerReference: record.callerReference,
        paths: record.paths.length,
      });
    }
  }
  const { ledger } = await updateLedger(store, month, (current) => {
    const seen = knownInvalidationIds(current);
    const entries = { ...current.entries };
    let changed = false;
    for (const f of found) {
      if (seen.has(`${f.distributionId}/${f.id}`)) continue;
      changed = true;
      const ours = entries[f.callerReference];
      if (ours && ours.distributionId === f.distributionId)
        entries[f.callerReference] = { ...ours, invalidationId: f.id };
      else
        entries[`${f.distributionId}/${f.id}`] = {
          site: null,
          distributionId: f.distributionId,
          paths: f.paths,
          invalidationId: f.id,
          at: new Date(f.createTime).toISOString(),
        };
    }
    return { ledger: changed ? { ...current, entries } : null, result: undefined };
  });
  return ledger;
};

/** Records the invalidation ids CloudFront gave our batches (reconciliation then skips them). */
export const recordInvalidationIds = async (
  store: PathLedgerStore,
  month: string,
  created: readonly { callerReference: string; invalidationId?: string }[],
): Promise<void> => {
  const withIds = created.filter((c): c is { callerReference: string; invalidationId: string } =>
    Boolean(c.invalidationId),
  );
  if (withIds.length === 0) return;
  await updateLedger(store, month, (current) => {
    const entries = { ...current.entries };
    let changed = false;
    for (const { callerReference, invalidationId } of withIds) {
      const entry = entries[callerReference];
      if (!entry || entry.invalidationId === invalidationId) continue;
      entries[callerReference] = { ...entry, invalidationId };
      changed = true;
    }
    return { ledger: changed ? { ...current, entries } : null, result: undefined };
  });
};
