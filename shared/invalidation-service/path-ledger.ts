/**
 * The account's ledger of billed invalidation paths for one UTC calendar month: every batch Shipyard
 * reserved before submitting it (keyed by its CallerReference, so a redelivered deploy never counts
 * twice), plus the invalidations other tools created on the configured distributions (found by
 * reconciliation with ListInvalidations / GetInvalidation). CloudFront bills each path of each
 * CreateInvalidation request and shares the free paths among every distribution of the account
 * (AWS-FACTS "Pricing"). A reservation whose submission failed stays counted: the ledger may
 * overcount, never undercount.
 */
import * as z from 'zod';

const EntrySchema = z
  .object({
    /** The site that billed the paths; null: another tool, on a configured distribution. */
    site: z.string().nullable(),
    distributionId: z.string(),
    paths: z.number().int().min(0),
    /** Known once CloudFront created the invalidation (or reconciliation found it). */
    invalidationId: z.string().optional(),
    /** ISO time the entry was written (ours) or CloudFront's CreateTime (reconciled). */
    at: z.string(),
  })
  .strict();

const AllowanceSchema = z
  .object({
    maxPaths: z.number().int().min(1),
    /** Needless objects a path was worth (pacing.ts); null: the fewest paths. Absent in older ledgers. */
    price: z.number().positive().nullable().default(null),
    left: z.number().int().min(0),
    expectedDeploys: z.number().int().min(1),
    boundBy: z.enum(['pace', 'account', 'exhausted']),
    reason: z.string(),
  })
  .strict();

export const LedgerMonthSchema = z
  .object({
    version: z.literal(1),
    month: z.string().regex(/^\d{4}-\d{2}$/),
    /** By CallerReference (ours) or `<distributionId>/<invalidationId>` (another tool's). */
    entries: z.record(z.string(), EntrySchema),
    /** Deploys per site this month that planned against the budget (the site's deploy rate). */
    deploys: z.record(z.string(), z.number().int().min(0)),
    /**
     * The pacing decision per `<site>|<deploy>|<distribution>`: a redelivered deploy plans with the
     * same cap, hence the same batches and CallerReferences, and bills nothing again.
     */
    allowances: z.record(z.string(), AllowanceSchema).default({}),
    /**
     * Per site, the summed demand curves (paths at each PRICE_GRID price) of its deploys this month,
     * each clipped at the month's budget (clippedDemand; older ledgers hold them unclipped): the
     * site's past demand that pacing prices the next months' paths with.
     */
    demand: z.record(z.string(), z.array(z.number().int().min(0))).default({}),
  })
  .strict();
export type LedgerMonth = z.infer<typeof LedgerMonthSchema>;

export const emptyLedger = (month: string): LedgerMonth => ({
  version: 1,
  month,
  entries: {},
  deploys: {},
  allowances: {},
  demand: {},
});

/** One stored month and the version to write it back against (null: not stored yet). */
interface StoredLedger {
  ledger: LedgerMonth;
  version: string | null;
}

/**
 * Durable storage of the monthly ledgers with compare-and-swap writes. `write` returns 'conflict'
 * when the stored version is no longer `version` (another deploy wrote first): re-read and retry.
 */
export interface PathLedgerStore {
  read(month: string): Promise<StoredLedger>;
  write(ledger: LedgerMonth, version: string | null): Promise<'written' | 'conflict'>;
}

/** Paths billed this month on the whole account (every site, every tool). */
export const accountPaths = (ledger: LedgerMonth): number =>
  Object.values(ledger.entries).reduce((n, e) => n + e.paths, 0);

/** Paths billed this month by one site. */
export const sitePaths = (ledger: LedgerMonth, site: string): number =>
  Object.values(ledger.entries).reduce((n, e) => n + (e.site === site ? e.paths : 0), 0);

/** Invalidation ids the ledger already accounts for, per distribution. */
export const knownInvalidationIds = (ledger: LedgerMonth): Set<string> =>
  new Set(
    Object.values(ledger.entries)
      .filter((e) => e.invalidationId !== undefined)
      .map((e) => `${e.distributionId}/${e.invalidationId}`),
  );
