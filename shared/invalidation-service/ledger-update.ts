import { LedgerContentionError } from './errors.ts';
import type { LedgerMonth, PathLedgerStore } from './path-ledger.ts';

/**
 * Compare-and-swap rounds before giving up: each lost round means another deploy wrote in between
 * (a handful of sites deploying in the same second at most).
 */
const LEDGER_WRITE_ATTEMPTS = 8;

/**
 * Applies `change` to the stored month with a conditional write, re-reading and re-applying it
 * whenever another writer won (S3 conditional writes: If-Match on the ETag read, If-None-Match: *
 * for the month's first write). `change` returns the new month, or null when nothing is to write;
 * it must be pure, since it may run several times. Returns the month as written (or as read).
 */
export const updateLedger = async <T>(
  store: PathLedgerStore,
  month: string,
  change: (ledger: LedgerMonth) => { ledger: LedgerMonth | null; result: T },
): Promise<{ ledger: LedgerMonth; result: T }> => {
  for (let attempt = 1; attempt <= LEDGER_WRITE_ATTEMPTS; attempt++) {
    const stored = await store.read(month);
    const { ledger, result } = change(stored.ledger);
    if (ledger === null) return { ledger: stored.ledger, result };
    if ((await store.write(ledger, stored.version)) === 'written') return { ledger, result };
  }
  throw new LedgerContentionError(month, LEDGER_WRITE_ATTEMPTS);
};
