import type { Site } from '../config/sites.ts';
import {
  billingMonth,
  callerReference,
  callerReferencePrefix,
  countPaths,
  exceedsInFlightLimits,
  LimitsSchema,
  MAX_FILE_PATHS_IN_FLIGHT,
  MAX_WILDCARDS_IN_FLIGHT,
} from '../invalidation/index.ts';
import type { MetricsRecorder } from '../logging/metrics.ts';
import { type PathBudgetPorts, pacedSite, planWithinBudget } from './budget-plan.ts';
import { budgetSummary } from './budget-summary.ts';
import type { ChangeSet } from './change-set.ts';
import { type DeferredMessage, deferralDelaySeconds } from './deferral.ts';
import type { BatchResult, BatchStatus, DeploySummary, DistributionSummary } from './deploy-summary.ts';
import { BatchNeverFitsError, SubmissionFailedError } from './errors.ts';
import { type FreshnessStart, startFreshnessWatch } from './freshness.ts';
import { type ObjectMetadataPort, withoutImmutableAdds } from './immutable-adds.ts';
import { loadInventory } from './inventory.ts';
import { recordDeployMetrics } from './observability.ts';
import { demandCurve, type PacedCost, planBatches } from './plan-batches.ts';
import {
  type CloudFrontPort,
  type InFlightUsage,
  InvalidationWaitTimeoutError,
  TooManyInvalidationsInProgressError,
} from './ports/cloudfront.ts';
import type { InventoryPort } from './ports/inventory.ts';
import type { QueuePort } from './ports/queue.ts';
import { reconcileLedger, recordInvalidationIds } from './reconcile-ledger.ts';

/** Ignored keys named in the warning (the summary lists them all). */
const IGNORED_KEYS_SAMPLE = 10;

/** The subset of the Powertools logger the submission uses. */
export interface SubmitLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface SubmitPorts {
  cloudFront: CloudFrontPort;
  /** The deferred queue; without one (CLI), deferred batches are only reported. */
  deferrals?: QueuePort;
  /** Lists the site's keys for an exact plan (see the site's `invalidation.inventory`). */
  inventory?: InventoryPort;
  logger?: SubmitLogger;
  metrics?: MetricsRecorder;
  /** The monthly path budget: ledger, account cap, clock. Without it plans are not paced. */
  pathBudget?: PathBudgetPorts;
  /** The completion watch of submitted invalidations (Invalidation Completed / Slow events). */
  freshness?: FreshnessStart;
  /** Cache-Control of added objects, for sites with `invalidation.immutableCacheControl: read`. */
  objectMetadata?: ObjectMetadataPort;
}

export interface SubmitOptions {
  /** Overrides the site's waitForCompletionSeconds (e.g. bounded by the Lambda's remaining time). */
  waitForCompletionSeconds?: number;
  /** Caps the inventory listing (e.g. lower for the webhook, which must answer GitHub within 10 s). */
  inventoryMaxKeys?: number;
}

interface PendingBatch {
  batchIndex: number;
  paths: string[];
}

/** CloudFront's in-flight limits, for batches checked one by one. */
const IN_FLIGHT_LIMITS = LimitsSchema.parse({});

/**
 * Admission control: submits batches in order while they fit next to what is in flight; the
 * first that does not fit, and every later one, is deferred (order is kept so a deploy never
 * has a later batch live before an earlier one). A batch already in flight is left alone. A
 * batch over the limits on its own could never be admitted: BatchNeverFitsError, before any
 * call (planned batches are split so that this cannot happen; a hand-made deferred message can).
 */
export const admitBatches = async (
  cloudFront: CloudFrontPort,
  distributionId: string,
  deployId: string,
  batches: readonly PendingBatch[],
  usage: InFlightUsage,
): Promise<{ results: BatchResult[]; deferred: PendingBatch[] }> => {
  const room = {
    files: MAX_FILE_PATHS_IN_FLIGHT - usage.files,
    wildcards: MAX_WILDCARDS_IN_FLIGHT - usage.wildcards,
  };
  const inFlight = new Map(usage.invalidations.map((i) => [i.callerReference, i]));
  const results: BatchResult[] = [];
  const deferred: PendingBatch[] = [];
  let deferring = false;
  for (const batch of batches) {
    const need = countPaths(batch.paths);
    if (exceedsInFlightLimits(need, IN_FLIGHT_LIMITS))
      throw new BatchNeverFitsError(distributionId, deployId, batch.batchIndex, need);
  }
  for (const batch of batches) {
    const ref = callerReference({
      distributionId,
      deployId,
      batchIndex: batch.batchIndex,
      paths: batch.paths,
    });
    const base = { batchIndex: batch.batchIndex, callerReference: ref, paths: batch.paths };
    const existing = inFlight.get(ref);
    if (existing) {
      results.push({ ...base, invalidationId: existing.id, billedPaths: 0, status: 'existing' });
      continue;
    }
    const need = countPaths(batch.paths);
    deferring ||= need.files > room.files || need.wildcards > room.wildcards;
    if (!deferring) {
      try {
        const created = await cloudFront.createInvalidation({
          distributionId,
          callerReference: ref,
          paths: batch.paths,
        });
        // A brand-new invalidation is always InProgress; Completed means CloudFront returned an old one.
        const status: BatchStatus =
          created.status === 'DryRun' ? 'dry-run' : created.status === 'Completed' ? 'existing' : 'created';
        results.push({
          ...base,
          invalidationId: created.id,
          billedPaths: status === 'created' ? batch.paths.length : 0,
          status,
        });
        room.files -= need.files;
        room.wildcards -= need.wildcards;
        continue;
      } catch (error) {
        if (!(error instanceof TooManyInvalidationsInProgressError)) throw error;
        deferring = true;
      }
    }
    results.push({ ...base, billedPaths: 0, status: 'deferred' });
    deferred.push(batch);
  }
  return { results, deferred };
};

/** Parks deferred batches on the queue as one message, delayed by the attempt's backoff. */
export const deferBatches = async (
  queue: QueuePort | undefined,
  message: Omit<DeferredMessage, 'kind' | 'version' | 'batches'>,
  batches: readonly PendingBatch[],
): Promise<string | undefined> => {
  if (!queue || batches.length === 0) return undefined;
  const body: DeferredMessage = {
    kind: 'shipyard.deferred-invalidation',
    version: 1,
    ...message,
    batches: [...batches],
  };
  const { messageId } = await queue.send(body, deferralDelaySeconds(message.attempt));
  return messageId;
};

/**
 * Bounded wait; a timeout is reported in the summary, not thrown (the invalidations are submitted).
 * So is a failed status poll (GetInvalidation denied or down after the SDK retries): the wait is a
 * report, and failing here would fail a submitted deploy — a CodePipeline job reported failed, an
 * SQS batch redelivered that parks its deferred batches a second time.
 */
export const waitBounded = async (
  cloudFront: CloudFrontPort,
  distributionId: string,
  results: readonly BatchResult[],
  seconds: number,
  logger?: SubmitLogger,
): Promise<boolean | undefined> => {
  const ids = results
    .filter((r) => r.status === 'created' || r.status === 'existing')
    .map((r) => r.invalidationId);
  const known = ids.filter((id): id is string => id !== undefined);
  if (seconds <= 0 || known.length === 0) return undefined;
  try {
    await cloudFront.waitForCompletion(distributionId, known, seconds);
    return true;
  } catch (error) {
    if (error instanceof InvalidationWaitTimeoutError) {
      logger?.warn('invalidations still in progress after the bounded wait', {
        distributionId,
        pending: error.pending,
      });
    } else {
      logger?.warn('cannot tell whether the invalidations completed: status poll failed', {
        distributionId,
        invalidationIds: known,
        error,
      });
    }
    return false;
  }
};

const withoutOwn = (usage: InFlightUsage, prefix: string) =>
  countPaths(
    usage.invalidations.filter((i) => !i.callerReference.startsWith(prefix)).flatMap((i) => i.paths),
  );

const submitToDistribution = async (
  changeSet: ChangeSet,
  site: Site,
  distributionId: string,
  ports: SubmitPorts,
  waitSeconds: number,
  inventory: string[] | undefined,
  isFirstDistribution: boolean,
): Promise<{
  summary: DistributionSummary;
  ignored: { key: string; reason: string }[];
  reserved: number;
}> => {
  const usage = await ports.cloudFront.inFlightUsage(distributionId);
  const others = withoutOwn(usage, callerReferencePrefix(distributionId, changeSet.deployId));
  // A paced site plans its demand curve and its batches with the same wildcard rounds (pacedSite).
  const planning = ports.pathBudget ? pacedSite(site, ports.pathBudget.accountCap) : site;
  const plan = (paced?: PacedCost) => planBatches(changeSet, planning, others, inventory, paced);
  const budgeted =
    ports.pathBudget && changeSet.changes.length > 0
      ? await planWithinBudget(
          changeSet,
          site,
          distributionId,
          ports.pathBudget,
          { plan, demand: demandCurve(changeSet, planning, others, inventory) },
          isFirstDistribution,
        )
      : undefined;
  const planned = budgeted?.planned ?? plan();
  const pending = planned.batches.map((paths, batchIndex) => ({ batchIndex, paths }));
  const { results, deferred } = await admitBatches(
    ports.cloudFront,
    distributionId,
    changeSet.deployId,
    pending,
    usage,
  );
  const deferralMessageId = await deferBatches(
    ports.deferrals,
    { site: site.name, deployId: changeSet.deployId, distributionId, attempt: 1 },
    deferred,
  );
  if (deferred.length > 0) {
    ports.logger?.warn('batches deferred: not enough room among in-flight invalidations', {
      distributionId,
      deferred: deferred.map((b) => b.batchIndex),
      inFlight: { files: usage.files, wildcards: usage.wildcards },
      queued: deferralMessageId !== undefined,
    });
  }
  if (ports.pathBudget && budgeted)
    await recordInvalidationIds(ports.pathBudget.ledger, budgeted.ledger.month, results);
  await startFreshnessWatch(
    ports.freshness,
    {
      site: site.name,
      slowAfterSeconds: site.invalidation.slowAfterSeconds,
      deployId: changeSet.deployId,
      distributionId,
    },
    results,
    ports.logger,
  );
  const completed = await waitBounded(ports.cloudFront, distributionId, results, waitSeconds, ports.logger);
  return {
    reserved:
      budgeted?.reservedPaths ??
      results.reduce((n, b) => n + (b.status === 'deferred' ? 0 : b.paths.length), 0),
    summary: {
      id: distributionId,
      batches: results,
      deferrals: deferred.length,
      ...(deferralMessageId ? { deferralMessageId } : {}),
      ...(completed === undefined ? {} : { completed }),
      wildcardReasons: planned.wildcards.map((w) => w.reason),
      needlessObjects: planned.needlessObjects,
      ...(budgeted ? { budgetReason: budgeted.allowance.reason } : {}),
    },
    ignored: [...planned.ignored],
  };
};

/**
 * Counts other tools' invalidations before pacing. A failed reconciliation does not stop the deploy:
 * the ledger still holds every Shipyard submission, only another tool's paths may be missing.
 */
const reconcile = async (budget: PathBudgetPorts, logger: SubmitLogger | undefined): Promise<void> => {
  try {
    await reconcileLedger(budget.ledger, budget.history, budget.distributionIds, billingMonth(budget.now()));
  } catch (error) {
    logger?.warn('cannot reconcile the invalidation ledger with CloudFront; pacing on our own submissions', {
      error,
    });
  }
};

export const pathsBilledOf = (distributions: readonly DistributionSummary[]): number =>
  distributions.reduce((n, d) => n + d.batches.reduce((m, b) => m + b.billedPaths, 0), 0);

/**
 * Invalidates one deploy's change set on every distribution of its site: inventory (when it can
 * sharpen the plan; listed once, shared by the distributions), plan, admission
 * control, submission with deterministic CallerReferences, deferral of what does not fit,
 * optional bounded wait. Distributions are independent: one failing does not stop the
 * others; the failure is thrown at the end (SubmissionFailedError) so the event is retried,
 * which is safe because the CallerReferences make it idempotent.
 *
 * @example
 * const summary = await submitChangeSet(changeSet, site, { cloudFront, deferrals });
 * summary.pathsBilled; // paths newly billed by this call (0 on a redelivery)
 */
export const submitChangeSet = async (
  input: ChangeSet,
  site: Site,
  ports: SubmitPorts,
  options: SubmitOptions = {},
): Promise<DeploySummary> => {
  const changeSet = await withoutImmutableAdds(input, site, ports.objectMetadata, ports.logger);
  const waitSeconds = options.waitForCompletionSeconds ?? site.invalidation.waitForCompletionSeconds;
  const distributions: DistributionSummary[] = [];
  const failures: { distributionId: string; error: Error }[] = [];
  const ignored = new Map<string, string>();
  if (changeSet.reason)
    ports.logger?.info('invalidating explicit paths', { reason: changeSet.reason, paths: changeSet.paths });
  const inventory = await loadInventory(
    changeSet,
    site,
    ports.inventory,
    ports.logger,
    options.inventoryMaxKeys,
    ports.pathBudget !== undefined,
  );
  if (ports.pathBudget && changeSet.changes.length > 0) await reconcile(ports.pathBudget, ports.logger);
  let billing = 0;
  for (const [index, distributionId] of site.distributionIds.entries()) {
    try {
      const result = await submitToDistribution(
        changeSet,
        site,
        distributionId,
        ports,
        waitSeconds,
        inventory,
        index === 0,
      );
      billing += result.reserved;
      distributions.push(result.summary);
      for (const { key, reason } of result.ignored) ignored.set(key, reason);
    } catch (error) {
      failures.push({ distributionId, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  const summary: DeploySummary = {
    site: site.name,
    deployId: changeSet.deployId,
    source: changeSet.source,
    ...(changeSet.reason ? { reason: changeSet.reason } : {}),
    distributions,
    pathsBilled: pathsBilledOf(distributions),
    ...(inventory === undefined ? {} : { inventoryKeys: inventory.length }),
    ignoredKeys: [...ignored].map(([key, reason]) => ({ key, reason })),
    budget: await budgetSummary(ports.pathBudget, site, billing),
  };
  ports.logger?.info('invalidation summary', { summary });
  // A changed key CloudFront cannot take (a '..' segment, a control character, '~' without a
  // wildcard, outside the origin path) leaves its URL stale: worth a warning, not just a summary line.
  if (summary.ignoredKeys.length > 0)
    ports.logger?.warn('changed keys not invalidated', {
      count: summary.ignoredKeys.length,
      sample: summary.ignoredKeys.slice(0, IGNORED_KEYS_SAMPLE),
    });
  recordDeployMetrics(ports.metrics, summary);
  if (failures.length > 0)
    throw Object.assign(new SubmissionFailedError(site.name, changeSet.deployId, failures), { summary });
  return summary;
};
