/**
 * What executing a retention plan did, item by item. `InvalidSnapshot.InUse` (the
 * snapshot backs an AMI Shipyard did not plan to remove) and already-gone resources are
 * reported, never fatal; throttling and 5xx are `failed` with `retryable: true`.
 */
import { countBackups, type RetentionAction, type RetentionPlan } from './retention.ts';

/** An EC2 error as the adapter saw it (code = SDK `name`). */
export interface Ec2ErrorInfo {
  code: string;
  message?: string;
}

type ItemOutcomeKind = 'deleted' | 'skipped-in-use' | 'already-gone' | 'failed';

export interface ItemOutcome {
  resource: 'image' | 'snapshot';
  id: string;
  outcome: ItemOutcomeKind;
  detail?: string;
  /** Only on `failed`: would retrying the call help. */
  retryable?: boolean;
}

const RETRYABLE = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
]);
const SNAPSHOT_GONE = new Set(['InvalidSnapshot.NotFound']);
const IMAGE_GONE = new Set(['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable']);

const describe = (error: Ec2ErrorInfo): string =>
  error.message ? `${error.code}: ${error.message}` : error.code;

function failed(resource: ItemOutcome['resource'], id: string, error: Ec2ErrorInfo): ItemOutcome {
  return { resource, id, outcome: 'failed', detail: describe(error), retryable: RETRYABLE.has(error.code) };
}

/**
 * Outcome of one `DeleteSnapshot` call (`error` undefined: it succeeded).
 *
 * @example
 * interpretDeleteSnapshot('snap-1', { code: 'InvalidSnapshot.InUse', message: 'in use by ami-2' });
 * // { resource: 'snapshot', id: 'snap-1', outcome: 'skipped-in-use', detail: 'InvalidSnapshot.InUse: in use by ami-2' }
 */
export function interpretDeleteSnapshot(snapshotId: string, error?: Ec2ErrorInfo): ItemOutcome {
  if (error === undefined) return { resource: 'snapshot', id: snapshotId, outcome: 'deleted' };
  if (error.code === 'InvalidSnapshot.InUse') {
    return { resource: 'snapshot', id: snapshotId, outcome: 'skipped-in-use', detail: describe(error) };
  }
  if (SNAPSHOT_GONE.has(error.code)) {
    return { resource: 'snapshot', id: snapshotId, outcome: 'already-gone', detail: describe(error) };
  }
  return failed('snapshot', snapshotId, error);
}

/** `DeregisterImage` response / error as the adapter returns it. */
export interface DeregisterImageResult {
  error?: Ec2ErrorInfo;
  /** `DeleteSnapshotResults` when `DeleteAssociatedSnapshots` was set. */
  deleteSnapshotResults?: readonly { snapshotId: string; returnCode: string }[];
}

/**
 * Outcomes of one `DeregisterImage` call: the AMI's, then one per associated snapshot
 * (`success` → deleted, `skipped` → skipped-in-use, other codes → failed).
 *
 * @example
 * interpretDeregisterImage('ami-1', { deleteSnapshotResults: [{ snapshotId: 'snap-1', returnCode: 'success' }] });
 * // [{ resource: 'image', id: 'ami-1', outcome: 'deleted' }, { resource: 'snapshot', id: 'snap-1', outcome: 'deleted' }]
 */
export function interpretDeregisterImage(imageId: string, result: DeregisterImageResult): ItemOutcome[] {
  if (result.error !== undefined) {
    if (IMAGE_GONE.has(result.error.code)) {
      return [{ resource: 'image', id: imageId, outcome: 'already-gone', detail: describe(result.error) }];
    }
    return [failed('image', imageId, result.error)];
  }
  const outcomes: ItemOutcome[] = [{ resource: 'image', id: imageId, outcome: 'deleted' }];
  for (const { snapshotId, returnCode } of result.deleteSnapshotResults ?? []) {
    if (returnCode === 'success') outcomes.push({ resource: 'snapshot', id: snapshotId, outcome: 'deleted' });
    else if (returnCode === 'skipped') {
      outcomes.push({ resource: 'snapshot', id: snapshotId, outcome: 'skipped-in-use', detail: 'skipped' });
    } else {
      outcomes.push({
        resource: 'snapshot',
        id: snapshotId,
        outcome: 'failed',
        detail: returnCode,
        retryable: returnCode === 'internal-error',
      });
    }
  }
  return outcomes;
}

/** What rotation did (or, on a dry run, would do) for one target in one region. */
export interface RotationReport {
  dryRun: boolean;
  /** Deleted ids (dry run: ids the plan would delete). */
  deleted: string[];
  /**
   * How many backups retention keeps (an AMI with its snapshots is one backup). A count, not
   * the ids: the kept set grows with retention and the report travels in the Step Functions
   * state, which is capped at 256 KiB per run (the deleted/skipped/failed lists are bounded
   * by maxDeletesPerRun).
   */
  keptBackups: number;
  /** How many resources carry our tags but are not provably Shipyard's (left alone; a count, like keptBackups). */
  notOurs: number;
  skippedInUse: string[];
  alreadyGone: string[];
  failed: { id: string; detail: string; retryable: boolean }[];
  deferredBackups: number;
  /**
   * Planned deletions not attempted because EC2 throttled or failed transiently after some
   * deletions had been made: left for the next run, so a retried rotation can never delete
   * more than `maxDeletesPerRun` in one run.
   */
  deferredDeletions?: number;
}

/**
 * Folds the plan and the per-item outcomes into a report. Pass no outcomes for a dry run:
 * the report then lists what the plan would delete.
 *
 * @example
 * rotationReport(plan);                          // dry run: { dryRun: true, deleted: [ids the plan deletes], … }
 * rotationReport(plan, [...deregisterOutcomes]); // { dryRun: false, deleted: [...], skippedInUse: [...], … }
 */
export function rotationReport(
  plan: RetentionPlan,
  outcomes?: readonly ItemOutcome[],
  /** Which kept ids to count (PlanTarget leaves out the backup it only plans). */
  countKept: (id: string) => boolean = () => true,
): RotationReport {
  const base = {
    keptBackups: countBackups(plan.keep.filter((i) => countKept(i.id))),
    notOurs: plan.notOurs.length,
    deferredBackups: plan.deferredBackups,
  };
  if (outcomes === undefined) {
    return {
      dryRun: true,
      deleted: plan.delete.map((i) => i.id),
      skippedInUse: [],
      alreadyGone: [],
      failed: [],
      ...base,
    };
  }
  const pick = (kind: ItemOutcomeKind) => outcomes.filter((o) => o.outcome === kind).map((o) => o.id);
  return {
    dryRun: false,
    deleted: pick('deleted'),
    skippedInUse: pick('skipped-in-use'),
    alreadyGone: pick('already-gone'),
    failed: outcomes
      .filter((o) => o.outcome === 'failed')
      .map((o) => ({ id: o.id, detail: o.detail ?? 'failed', retryable: o.retryable === true })),
    ...base,
  };
}

/** Helper for the executing glue: the id an action deletes. */
export const actionTargetId = (action: RetentionAction): string =>
  action.type === 'deregister-image' ? action.imageId : action.snapshotId;
