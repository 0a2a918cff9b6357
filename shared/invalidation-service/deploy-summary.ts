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
}
