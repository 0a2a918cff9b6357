/**
 * The CloudFront port the invalidation use cases declare; shared/aws/cloudfront.ts implements it
 * over the SDK. Its named errors are part of the contract: callers branch on them.
 */
import type { InvalidationHistoryPort } from '../reconcile-ledger.ts';

type InvalidationStatus = 'InProgress' | 'Completed';

export interface InvalidationRecord {
  id: string;
  status: InvalidationStatus;
  callerReference: string;
  paths: string[];
}

/** Paths of a distribution's invalidations still in progress, counted as CloudFront's limits count them. */
export interface InFlightUsage {
  files: number;
  wildcards: number;
  /** The in-progress invalidations, with their CallerReferences (a redelivered batch may be among them). */
  invalidations: InvalidationRecord[];
}

export interface CreateInvalidationInput {
  distributionId: string;
  callerReference: string;
  paths: readonly string[];
}

interface CreatedInvalidation {
  /** Undefined only from the dry-run adapter. */
  id?: string;
  status: InvalidationStatus | 'DryRun';
}

/** The narrow CloudFront port Shipyard needs. */
/** The narrow CloudFront port Shipyard needs (its history part is the ledger's reconciliation port). */
export interface CloudFrontPort extends InvalidationHistoryPort {
  /** Idempotent by CallerReference: the same reference and paths return the existing invalidation. */
  createInvalidation(input: CreateInvalidationInput): Promise<CreatedInvalidation>;
  inFlightUsage(distributionId: string): Promise<InFlightUsage>;
  getInvalidation(distributionId: string, id: string): Promise<InvalidationRecord>;
  /** Polls until every id is Completed or `maxWaitSeconds` passed (then InvalidationWaitTimeoutError). */
  waitForCompletion(distributionId: string, ids: readonly string[], maxWaitSeconds: number): Promise<void>;
}

/**
 * CloudFront refused the batch because the distribution's in-progress invalidations would exceed
 * 3,000 file paths or 15 wildcard paths. Not retried by the SDK: it means "defer and try later".
 */
export class TooManyInvalidationsInProgressError extends Error {
  constructor(
    readonly distributionId: string,
    options?: { cause?: unknown },
  ) {
    super(
      `CloudFront distribution ${distributionId} has too many invalidations in progress; defer the batch`,
      options,
    );
    this.name = 'TooManyInvalidationsInProgressError';
  }
}

/**
 * The CallerReference was already used with different paths. Deterministic references make this
 * a planner or config change between deliveries of the same deploy, never a transient fault.
 */
export class InvalidationBatchAlreadyExistsError extends Error {
  constructor(
    readonly distributionId: string,
    readonly callerReference: string,
    options?: { cause?: unknown },
  ) {
    super(
      `CloudFront distribution ${distributionId} already has an invalidation with CallerReference ${callerReference} and other paths`,
      options,
    );
    this.name = 'InvalidationBatchAlreadyExistsError';
  }
}

/** The distribution id in the config does not exist (or this role may not see it). */
export class NoSuchDistributionError extends Error {
  constructor(
    readonly distributionId: string,
    options?: { cause?: unknown },
  ) {
    super(`CloudFront distribution ${distributionId} does not exist`, options);
    this.name = 'NoSuchDistributionError';
  }
}

/** Waiting for invalidations to complete took longer than the caller allowed. */
export class InvalidationWaitTimeoutError extends Error {
  constructor(
    readonly distributionId: string,
    readonly pending: readonly string[],
    readonly waitedSeconds: number,
  ) {
    super(
      `invalidations ${pending.join(', ')} of ${distributionId} still InProgress after ${waitedSeconds} s`,
    );
    this.name = 'InvalidationWaitTimeoutError';
  }
}
