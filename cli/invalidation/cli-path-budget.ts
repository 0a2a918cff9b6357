/**
 * The monthly path budget of `shipyard invalidate --ledger-bucket`: the submission paces against the
 * stack's ledger like the deployed functions do; the dry run reads the ledger and plans against it,
 * its writes kept in memory.
 */
import { createS3PathLedger } from '../../shared/aws/s3-ledger.ts';
import type { ShipyardConfig } from '../../shared/config/schema.ts';
import type { PathBudgetPorts } from '../../shared/invalidation-service/budget-plan.ts';
import type { PathLedgerStore } from '../../shared/invalidation-service/path-ledger.ts';
import type { InvalidationHistoryPort } from '../../shared/invalidation-service/reconcile-ledger.ts';
import type { ClientSettings } from '../context.ts';

export interface CliPathBudget {
  /** What the submission paces against (the ledger is written). */
  live: PathBudgetPorts;
  /** What the dry run paces against (the ledger is read, never written). */
  draft: PathBudgetPorts;
}

/** A store that reads through to `ledger` and keeps its writes in memory. */
const readOnly = (ledger: PathLedgerStore): PathLedgerStore => {
  const drafts = new Map<string, Awaited<ReturnType<PathLedgerStore['read']>>>();
  return {
    read: async (month) => drafts.get(month) ?? ledger.read(month),
    write: async (draft) => {
      drafts.set(draft.month, { ledger: draft, version: 'draft' });
      return 'written';
    },
  };
};

/** Undefined without a ledger bucket: plans are then not paced. */
export const cliPathBudget = (
  config: ShipyardConfig,
  history: InvalidationHistoryPort,
  ledgerBucket: string | undefined,
  settings: ClientSettings,
): CliPathBudget | undefined => {
  if (!ledgerBucket) return undefined;
  const ledger = createS3PathLedger({ bucket: ledgerBucket, config: settings });
  const pathBudget = (store: PathLedgerStore): PathBudgetPorts => ({
    ledger: store,
    accountCap: config.invalidationAccount.monthlyPathCap,
    distributionIds: config.sites.flatMap((s) => s.distributionIds),
    history,
    now: Date.now,
  });
  return { live: pathBudget(ledger), draft: pathBudget(readOnly(ledger)) };
};
