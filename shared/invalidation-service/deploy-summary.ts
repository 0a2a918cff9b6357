/** What one deploy's submission did, per distribution and batch: the shape every caller reports. */
export type BatchStatus = 'created' | 'existing' | 'deferred' | 'dry-run';

export interface BatchResult {
  batchIndex: number;
  invalidationId?: string;
  callerReference: string;
  paths: string[];
  /** Paths this call put on the bill: 0 for an invalidation CloudFront already had. */
  billedPaths: number;
  status: BatchStatus;
}

export interface DistributionSummary {
  id: string;
  batches: BatchResult[];
  /** Batches parked on the deferred queue (or, without a queue, left for a later run). */
  deferrals: number;
  deferralMessageId?: string;
  /** Set when a bounded wait for completion ran: did everything complete in time? */
  completed?: boolean;
  wildcardReasons: string[];
  /** Unchanged objects the plan invalidates: exact when an inventory was listed, else null. */
  needlessObjects: number | null;
  /** Why the plan has at most this many paths (the monthly budget's pacing), when paced. */
  budgetReason?: string;
}

/** The month's bill as this deploy leaves it (list price; the free tier is per account). */
export interface BudgetSummary {
  /** UTC month, "2026-12". */
  month: string;
  /** Paths this deploy bills (reserved in the ledger; 0 for a redelivery). */
  pathsThisDeploy: number;
  /** Paths billed on the account this month, this deploy included; null without a ledger. */
  monthToDatePaths: number | null;
  /** Free paths left this month on the account; null without a ledger. */
  freeTierLeft: number | null;
  /** What this deploy adds to the bill at list price, in US dollars; null without a ledger. */
  dollars: number | null;
  /** The site's budget and its month to date; absent without a ledger. */
  site?: { budget: number; monthToDatePaths: number };
  accountCap?: number;
}

export interface DeploySummary {
  site: string;
  deployId: string;
  source: string;
  reason?: string;
  distributions: DistributionSummary[];
  pathsBilled: number;
  /** Keys of the post-deploy inventory the plan used; absent when it planned without one. */
  inventoryKeys?: number;
  /** Changed keys no distribution can invalidate (outside the origin path…), with the reason. */
  ignoredKeys: { key: string; reason: string }[];
  /** The month's bill (absent for a resumed deferral: its paths were counted when planned). */
  budget?: BudgetSummary;
}
