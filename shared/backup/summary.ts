/**
 * The run summary: per target and region, what was created, how long it took, what
 * rotation did, and every failure with its reason. The execution fails (so alarms fire)
 * when any target failed — after the others were completed and rotated.
 */
import * as z from 'zod';
import { imageMethodSchema } from './image-method.ts';
import type { DryRunPlan } from './plan.ts';
import { rotationReportSchema } from './rotation-report.ts';
import type { TargetVerification } from './verification-record.ts';

const instant = z.iso.datetime({ offset: true });

/** A failure as recorded from a `Catch` (`Error` = error name, reason = message). */
const failureSchema = z
  .object({
    /** Error name, e.g. `SnapshotFailed`, `ImageCopyFailed`, `States.Timeout`. */
    error: z.string().min(1),
    reason: z.string(),
    /** Step that failed, e.g. `snapshot`, `register`, `copy`, `share`, `rotate`. */
    step: z.string().optional(),
  })
  .strict();

const regionResultSchema = z
  .object({
    region: z.string().min(1),
    role: z.enum(['source', 'copy']),
    status: z.enum(['succeeded', 'failed', 'skipped']),
    imageId: z.string().optional(),
    snapshotIds: z.array(z.string()).optional(),
    startedAt: instant.optional(),
    finishedAt: instant.optional(),
    failure: failureSchema.optional(),
    rotation: rotationReportSchema.optional(),
  })
  .strict();

const targetResultSchema = z
  .object({
    target: z.string().min(1),
    kind: z.enum(['instance', 'volume']),
    startedAt: instant,
    finishedAt: instant.optional(),
    /** A failure of the target as a whole (e.g. its snapshot ended in `error`). */
    failure: failureSchema.optional(),
    regions: z.array(regionResultSchema),
    /** How the AMI was made (`register` | `create-image`) and why. */
    image: z
      .object({ method: imageMethodSchema, reason: z.string(), carried: z.array(z.string()).optional() })
      .strict()
      .optional(),
    /** What the run could not do as asked without failing the target (e.g. an attribute not carried). */
    notes: z.array(z.string()).optional(),
  })
  .strict();

export const runSummaryInputSchema = z
  .object({
    policy: z.string().min(1),
    runId: z.string().min(1),
    dryRun: z.boolean(),
    startedAt: instant,
    finishedAt: instant,
    targets: z.array(targetResultSchema),
  })
  .strict();

export type Failure = z.infer<typeof failureSchema>;
export type RegionResult = z.infer<typeof regionResultSchema>;
export type TargetResult = z.infer<typeof targetResultSchema>;
export type RunSummaryInput = z.infer<typeof runSummaryInputSchema>;

type OverallStatus = 'succeeded' | 'failed';

interface RegionSummary {
  region: string;
  role: 'source' | 'copy';
  status: 'succeeded' | 'failed' | 'skipped';
  imageId?: string;
  snapshotIds: string[];
  durationSeconds?: number;
  rotation?: {
    deleted: string[];
    keptBackups: number;
    notOurs: number;
    skippedInUse: string[];
    alreadyGone: string[];
    deferredBackups: number;
  };
  /** The target's latest restore test in this region (verify regions only; summary-verification.ts). */
  verification?: TargetVerification;
}

export interface TargetSummary {
  target: string;
  kind: 'instance' | 'volume';
  status: 'succeeded' | 'failed';
  durationSeconds?: number;
  regions: RegionSummary[];
  /** Every failure of this target, one line each: `<region>: <step>: <Error>: <reason>`. */
  failures: string[];
  /** How the AMI was made and why (image targets). */
  image?: { method: 'register' | 'create-image'; reason: string; carried?: string[] };
  /** Attributes not carried, sharing refused, AMIs discarded: one line each. */
  notes?: string[];
}

export interface RunSummary {
  policy: string;
  runId: string;
  dryRun: boolean;
  overallStatus: OverallStatus;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  targets: TargetSummary[];
  totals: {
    targets: number;
    succeeded: number;
    failed: number;
    images: number;
    snapshots: number;
    deleted: number;
    rotationFailures: number;
  };
  warnings: string[];
  /** Dry runs only: what the run would do per target (nothing was created or deleted). */
  plan?: DryRunPlan;
  /** Targets left out of `targets` (and `plan`) in the execution's output; the document lists them all. */
  targetsOmitted?: number;
  /** Where the whole summary is (the results bucket). */
  document?: { bucket: string; key: string };
}

const seconds = (from: string | undefined, to: string | undefined): number | undefined =>
  from === undefined || to === undefined
    ? undefined
    : Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));

const failureLine = (failure: Failure, region?: string): string =>
  [region, failure.step, failure.error, failure.reason].filter((p) => p !== undefined && p !== '').join(': ');

function summarizeTarget(target: TargetResult): TargetSummary {
  const failures: string[] = [];
  if (target.failure !== undefined) failures.push(failureLine(target.failure));
  const regions = target.regions.map((r): RegionSummary => {
    if (r.status === 'failed')
      failures.push(failureLine(r.failure ?? { error: 'Failed', reason: 'no reason recorded' }, r.region));
    for (const f of r.rotation?.failed ?? []) {
      failures.push(`${r.region}: rotate: ${f.id}: ${f.detail}${f.retryable ? ' (retryable)' : ''}`);
    }
    const summary: RegionSummary = {
      region: r.region,
      role: r.role,
      status: r.status,
      snapshotIds: r.snapshotIds ?? [],
    };
    if (r.imageId !== undefined) summary.imageId = r.imageId;
    const duration = seconds(r.startedAt, r.finishedAt);
    if (duration !== undefined) summary.durationSeconds = duration;
    if (r.rotation !== undefined) {
      const { deleted, keptBackups, notOurs, skippedInUse, alreadyGone, deferredBackups } = r.rotation;
      summary.rotation = { deleted, keptBackups, notOurs, skippedInUse, alreadyGone, deferredBackups };
    }
    return summary;
  });
  const summary: TargetSummary = {
    target: target.target,
    kind: target.kind,
    status: failures.length > 0 ? 'failed' : 'succeeded',
    regions,
    failures,
  };
  const duration = seconds(target.startedAt, target.finishedAt);
  if (duration !== undefined) summary.durationSeconds = duration;
  if (target.image !== undefined) summary.image = target.image;
  if (target.notes !== undefined && target.notes.length > 0) summary.notes = target.notes;
  return summary;
}

/**
 * Builds the run summary. A target fails when it failed as a whole, when any of its
 * regions failed (a failed copy does not undo the others, but the target is not fully
 * protected) or when a rotation deletion failed (skipped-in-use and already-gone are not
 * failures). `overallStatus` is `failed` if any target failed.
 *
 * @example
 * buildRunSummary({ policy: 'nightly', runId: 'nightly-2026-11-20', dryRun: false,
 *   startedAt: '2026-11-20T01:00:00Z', finishedAt: '2026-11-20T01:20:00Z', targets: [] });
 * // { overallStatus: 'succeeded', durationSeconds: 1200, warnings: ['no targets discovered'], … }
 */
export function buildRunSummary(input: RunSummaryInput): RunSummary {
  const targets = input.targets.map(summarizeTarget);
  const failed = targets.filter((t) => t.status === 'failed').length;
  const regions = targets.flatMap((t) => t.regions);
  const warnings: string[] = [];
  if (targets.length === 0) warnings.push('no targets discovered');
  const deferred = regions.reduce((n, r) => n + (r.rotation?.deferredBackups ?? 0), 0);
  if (deferred > 0) warnings.push(`${deferred} backup(s) due for deletion deferred by maxDeletesPerRun`);
  return {
    policy: input.policy,
    runId: input.runId,
    dryRun: input.dryRun,
    overallStatus: failed > 0 ? 'failed' : 'succeeded',
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    durationSeconds: seconds(input.startedAt, input.finishedAt) ?? 0,
    targets,
    totals: {
      targets: targets.length,
      succeeded: targets.length - failed,
      failed,
      images: regions.filter((r) => r.imageId !== undefined).length,
      snapshots: regions.reduce((n, r) => n + r.snapshotIds.length, 0),
      deleted: regions.reduce((n, r) => n + (r.rotation?.deleted.length ?? 0), 0),
      rotationFailures: input.targets
        .flatMap((t) => t.regions)
        .reduce((n, r) => n + (r.rotation?.failed.length ?? 0), 0),
    },
    warnings,
  };
}

/**
 * Turns a Step Functions `Catch` result (`{ Error, Cause }`, where a Lambda error's
 * `Cause` is JSON with `errorMessage`) into a {@link Failure}.
 *
 * @example
 * failureFromCatch({ Error: 'SnapshotFailed', Cause: '{"errorType":"SnapshotFailed","errorMessage":"snap-1: disk"}' }, 'snapshot');
 * // { error: 'SnapshotFailed', reason: 'snap-1: disk', step: 'snapshot' }
 */
export function failureFromCatch(caught: { Error?: string; Cause?: string }, step?: string): Failure {
  let reason = caught.Cause ?? '';
  try {
    const parsed: unknown = JSON.parse(reason);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'errorMessage' in parsed &&
      typeof parsed.errorMessage === 'string'
    ) {
      reason = parsed.errorMessage;
    }
  } catch {
    // Not JSON: keep the cause as is.
  }
  const failure: Failure = { error: caught.Error ?? 'Unknown', reason };
  if (step !== undefined) failure.step = step;
  return failure;
}
