/**
 * The state that travels through `statemachines/backup.asl.yaml`. These schemas are the
 * contract between the ASL paths (`$.backup.snapshots.state`, `…waitSeconds`) and the
 * handlers; every handler parses its input with them.
 *
 * Per-target state: `{ run, backup: { target, snapshots?, image?, copies?, share?, rotation?, error? } }`.
 * Each Task writes its record under `$.backup.<step>` (ResultPath), the last state outputs
 * `$.backup`, so the Map result is one compact outcome per target.
 */
import * as z from 'zod';
import { imageMethodSchema } from '../backup/image-method.ts';
import { isValidExecutionName } from '../backup/naming.ts';
import { planItemSchema, targetPlanSchema } from '../backup/plan.ts';
import { rotationReportSchema } from '../backup/rotation-report.ts';
import { SHARE_KINDS } from '../backup/share.ts';
import { backupPolicySchema, regionSchema, volumeIdSchema } from '../config/policies.ts';

const instant = z.iso.datetime({ offset: true });
// Ids and regions are checked here, at the boundary: a malformed one must fail the step as
// InvalidBackupInput before any EC2 call is made with it.
const imageIdSchema = z.string().regex(/^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'not an AMI id (ami-…)');
const snapshotIdSchema = z
  .string()
  .regex(/^snap-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'not a snapshot id (snap-…)');
const waitSeconds = z.number().int().min(0);

export const runSchema = z
  .object({
    policy: backupPolicySchema,
    runId: z
      .string()
      .refine(isValidExecutionName, 'not a valid execution name (1–80 chars, no spaces or brackets)'),
    /** `sha256:<hex>` of the deployed policy's canonical JSON (policy-version.ts), as DiscoverTargets loaded it. */
    policyVersion: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'not a policy version (sha256:<64 hex>)'),
    dryRun: z.boolean(),
    /** The run's instant: the service clock when DiscoverTargets recorded the run. */
    startedAt: instant,
  })
  .strict();
export type Run = z.infer<typeof runSchema>;

export const targetSchema = z
  .object({
    id: z.string().regex(/^(i|vol)-[0-9a-f]{8,17}$/, 'expected an instance or volume id'),
    kind: z.enum(['instance', 'volume']),
    /** `image`: AMI + copies; `snapshots-only`: a standalone volume or an instance without its boot volume. */
    form: z.enum(['image', 'snapshots-only']),
    excludeBootVolume: z.boolean().optional(),
    excludeDataVolumeIds: z.array(volumeIdSchema).optional(),
  })
  .strict();
export type Target = z.infer<typeof targetSchema>;

/** Fields of every Wait-state loop: the Choice reads `state`, the Wait reads `waitSeconds`. */
const pollFields = {
  state: z.enum(['pending', 'completed', 'available']),
  attempt: z.number().int().min(0),
  startedAt: instant,
  waitSeconds,
  completedAt: instant.optional(),
  progress: z.number().min(0).max(100).optional(),
};

const snapshotSetSchema = z
  .object({
    ...pollFields,
    region: regionSchema,
    /** The backup's instant (tag `shipyard:created-at`): the first attempt's, on a re-run of the same run id. */
    createdAt: instant,
    snapshots: z
      .array(
        z
          .object({
            snapshotId: snapshotIdSchema,
            volumeId: volumeIdSchema.optional(),
            sizeGiB: z.number().int().min(0),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type SnapshotSet = z.infer<typeof snapshotSetSchema>;

const imageStateSchema = z
  .object({
    ...pollFields,
    region: regionSchema,
    imageId: imageIdSchema,
    name: z.string().min(1),
    /** Same as the snapshots'; copies carry it so that they bucket like their source. */
    createdAt: instant,
    /** The snapshot set's size: the copy queue starts the largest copies first (shared/backup/copy-queue.ts). */
    sizeGiB: z.number().int().min(0).optional(),
    /** How the AMI is made (RegisterImage from the snapshots, or CreateImage) and why. */
    method: imageMethodSchema.optional(),
    methodReason: z.string().optional(),
    /** RegisterImage only: the instance's billing, compared with the AMI's once available. */
    expectedBilling: z
      .object({ platformDetails: z.string().optional(), usageOperation: z.string().optional() })
      .strict()
      .optional(),
    /** Set by CheckImage when the registered AMI's billing differs: RegisterImage replaces it by CreateImage. */
    rejected: z
      .object({ reason: z.string().min(1) })
      .strict()
      .optional(),
    /** The registered AMI deregistered in favour of CreateImage. */
    discardedImageId: imageIdSchema.optional(),
    /** The CreateSnapshots set deleted once CreateImage took its own snapshots. */
    supersededSnapshotIds: z.array(snapshotIdSchema).optional(),
    /** The AMI's own snapshots, once it is available. */
    snapshotIds: z.array(snapshotIdSchema).optional(),
    /** A Marketplace product code: the AMI can never be made public. */
    marketplace: z.boolean().optional(),
    /** Instance attributes the AMI keeps, and those it cannot (reported in the summary). */
    attributes: z
      .object({ carried: z.array(z.string()), notCarried: z.array(z.string()) })
      .strict()
      .optional(),
  })
  .strict();
export type ImageState = z.infer<typeof imageStateSchema>;

/** A Catch result as Step Functions writes it. */
const caughtErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() }).passthrough();

/** One copy region: `{ region }` before CopyImage, the copy's poll state after, `error` if it failed. */
const copyStateSchema = z
  .object({
    region: regionSchema,
    imageId: imageIdSchema.optional(),
    name: z.string().optional(),
    state: pollFields.state.optional(),
    attempt: pollFields.attempt.optional(),
    startedAt: instant.optional(),
    waitSeconds: waitSeconds.optional(),
    completedAt: instant.optional(),
    progress: pollFields.progress,
    error: caughtErrorSchema.optional(),
  })
  .strict();
export type CopyState = z.infer<typeof copyStateSchema>;

const shareKindResultSchema = z
  .object({
    kind: z.enum(SHARE_KINDS),
    status: z.enum(['shared', 'refused']),
    /** The AWS error code (or the code AWS answers with, when the refusal was known before calling). */
    code: z.string().optional(),
    reason: z.string().optional(),
  })
  .strict();
export type ShareKindResult = z.infer<typeof shareKindResultSchema>;

const shareResultSchema = z
  .object({
    regions: z.array(
      z
        .object({
          region: z.string(),
          imageId: z.string(),
          /** `failed` when an account, organization or OU share was refused (a refused public share is a note). */
          status: z.enum(['shared', 'failed']),
          detail: z.string().optional(),
          /** One ModifyImageAttribute call per kind of principal, each with its own outcome. */
          kinds: z.array(shareKindResultSchema).optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type ShareResult = z.infer<typeof shareResultSchema>;

const rotationResultSchema = z
  .object({
    regions: z.array(
      z
        .object({
          region: z.string(),
          report: rotationReportSchema,
          /** Dry run only: what the plan would delete, with the reason per item. */
          wouldDelete: z.array(planItemSchema).optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type RotationResult = z.infer<typeof rotationResultSchema>;

export const backupStateSchema = z
  .object({
    target: targetSchema,
    snapshots: snapshotSetSchema.optional(),
    image: imageStateSchema.optional(),
    copies: z.array(copyStateSchema).optional(),
    share: shareResultSchema.optional(),
    rotation: rotationResultSchema.optional(),
    /** Dry run only (PlanTarget): what the run would do for this target. */
    plan: targetPlanSchema.optional(),
    error: caughtErrorSchema.optional(),
  })
  .strict();
export type BackupState = z.infer<typeof backupStateSchema>;

/** The input of every per-target Task. */
export const targetTaskSchema = z.object({ run: runSchema, backup: backupStateSchema }).strict();

/** The input of the copy iteration's Tasks. */
export const copyTaskSchema = z
  .object({ run: runSchema, target: targetSchema, source: imageStateSchema, copy: copyStateSchema })
  .strict();
