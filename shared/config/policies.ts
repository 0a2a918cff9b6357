/**
 * Backup policies in the config file. Every object is strict (unknown keys are typos and
 * fail), and the checks below catch mistakes that would otherwise surface at 2 a.m. in
 * production: a copy "to" the source region, a KMS key from another region, an account id
 * with 11 digits, a retention that keeps nothing, a misspelt time zone. Each issue carries
 * its path.
 */

import * as z from 'zod';
import { volumeExclusionsSchema } from '../backup/block-devices.ts';
import { retentionKeepsSomething, retentionRuleSchema } from '../backup/retention-rules.ts';
import { partitionOf, REGIONS_AS_OF } from './regions.ts';
import { scheduleSchema } from './schedule.ts';
import { verifySchema } from './verify.ts';

/**
 * The largest `maxTargetsPerRun` a policy may set. The run's state never carries the fleet
 * (DiscoverTargets writes the target list to S3, the Distributed Map runs one child execution
 * per target and writes the results to S3), so this is a safety valve on billing, not a
 * payload limit: a tag that suddenly matches a whole account must not be backed up blindly.
 */
export const MAX_TARGETS_PER_RUN = 100_000;
/** The default cap: well above a real fleet of one policy, far below an accident. */
const DEFAULT_TARGETS_PER_RUN = 10_000;
/**
 * Distributed Map: at most 10,000 child executions run in parallel (Step Functions Developer
 * Guide, "Using Map state in Distributed mode", MaxConcurrency).
 */
const MAX_CHILD_CONCURRENCY = 10_000;
/** The per-target-and-region deletion cap: the deleted ids travel in the target's child state. */
const MAX_DELETES_PER_RUN = 20;

/**
 * The longest a target may wait out limits: two days. It also bounds the child execution's
 * history (every retry is ~3 events; the ASL's limit retries average ≥150 s, so 48 hours are
 * at most ~1,150 retries, far below the 25,000-event quota).
 */
export const MAX_TARGET_DEADLINE_HOURS = 48;

/** Policy names are slugs ≤48 chars, so `<name>-manual-<timestamp>` stays a valid 80-char execution name. */
export const policyNameSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/,
    'must be a slug: 1–48 of a-z, 0-9 and -, not starting or ending with -',
  );

export const regionSchema = z
  .string()
  .regex(
    /^(?:us|eu|ap|sa|ca|me|af|il|mx|cn|eusc)(?:-gov|-iso|-isob)?-(?:[a-z]{2}-)?(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/,
    { message: 'not an AWS region name (e.g. eu-west-1)', abort: true },
  )
  .refine((region) => partitionOf(region) !== undefined, {
    abort: true,
    error: (issue) =>
      `not an AWS region: ${String(issue.input)} is not in Shipyard's region list (of ${REGIONS_AS_OF}; e.g. eu-west-1)`,
  });

export const instanceIdSchema = z
  .string()
  .regex(/^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'not an instance id (i-…)');
export const volumeIdSchema = z
  .string()
  .regex(/^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'not a volume id (vol-…)');
const accountIdSchema = z.string().regex(/^\d{12}$/, 'an AWS account id is exactly 12 digits');

const KMS_KEY_ARN =
  /^arn:(aws(?:-[a-z]+)*):kms:([a-z0-9-]+):(\d{12}):(?:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|alias\/[A-Za-z0-9/_-]{1,250})$/;
const KMS_ALIAS = /^alias\/[A-Za-z0-9/_-]{1,250}$/;

const kmsKeyIdSchema = z.string().refine((v) => KMS_KEY_ARN.test(v) || KMS_ALIAS.test(v), {
  message: 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), an alias ARN or alias/<name>',
});

/** The region of a KMS key or alias ARN, `undefined` for a bare alias. */
function kmsKeyRegion(kmsKeyId: string): string | undefined {
  return KMS_KEY_ARN.exec(kmsKeyId)?.[2];
}

/** The partition of a KMS key or alias ARN, `undefined` for a bare alias. */
function kmsKeyPartition(kmsKeyId: string): string | undefined {
  return KMS_KEY_ARN.exec(kmsKeyId)?.[1];
}

/**
 * Where a configured key must live (`region`, the policy's source region or a copy region)
 * and in which partition (that region's): problems at `path`, none for a bare alias.
 */
function checkKeyPlace(
  kmsKeyId: string,
  expected: { region: string; role: string },
  ctx: z.RefinementCtx,
  path: (string | number)[],
): void {
  const keyRegion = kmsKeyRegion(kmsKeyId);
  if (keyRegion !== undefined && keyRegion !== expected.region)
    ctx.addIssue({
      code: 'custom',
      message: `KMS key is in ${keyRegion}, but ${expected.role} ${expected.region}`,
      path,
    });
  const keyPartition = kmsKeyPartition(kmsKeyId);
  const regionPartition = partitionOf(expected.region);
  if (keyPartition !== undefined && regionPartition !== undefined && keyPartition !== regionPartition)
    ctx.addIssue({
      code: 'custom',
      message: `KMS key ARN is in partition ${keyPartition}, but ${expected.region} is in ${regionPartition}: expected arn:${regionPartition}:kms:…`,
      path,
    });
}

/** True for the AWS managed EBS key (AMIs encrypted with it cannot be shared with other accounts). */
export const isAwsManagedEbsKey = (kmsKeyId: string): boolean => /(?:^|:)alias\/aws\/ebs$/.test(kmsKeyId);

const retentionSchema = retentionRuleSchema.refine(retentionKeepsSomething, {
  message: 'retention keeps nothing: set keepLast, maxAgeDays or a gfs count above 0',
});

const tagKey = z.string().min(1).max(128);
const tagValue = z.string().max(256);

const targetsSchema = z
  .object({
    instanceIds: z.array(instanceIdSchema).optional(),
    volumeIds: z.array(volumeIdSchema).optional(),
    /** Instances carrying **all** these tags (key: value). */
    tags: z.record(tagKey, tagValue).optional(),
    /** Per instance (listed or discovered by tags): volumes to leave out. Excluding the boot volume means snapshots only, no AMI. */
    instanceOptions: z
      .record(
        instanceIdSchema,
        volumeExclusionsSchema.extend({ excludeDataVolumeIds: z.array(volumeIdSchema).optional() }).strict(),
      )
      .optional(),
  })
  .strict()
  .superRefine((targets, ctx) => {
    const count =
      (targets.instanceIds?.length ?? 0) +
      (targets.volumeIds?.length ?? 0) +
      Object.keys(targets.tags ?? {}).length;
    if (count === 0)
      ctx.addIssue({ code: 'custom', message: 'select at least one target: instanceIds, volumeIds or tags' });
    for (const key of ['instanceIds', 'volumeIds'] as const) {
      const seen = new Set<string>();
      (targets[key] ?? []).forEach((id, index) => {
        if (seen.has(id)) ctx.addIssue({ code: 'custom', message: `duplicate ${id}`, path: [key, index] });
        seen.add(id);
      });
    }
  });

const copyRegionSchema = z
  .object({
    region: regionSchema,
    /** Encrypt the copy with this key (must live in the copy's region). */
    kmsKeyId: kmsKeyIdSchema.optional(),
    /** Replaces the policy's retention in this region. */
    retention: retentionSchema.optional(),
  })
  .strict();

const shareSchema = z
  .object({
    accountIds: z.array(accountIdSchema).optional(),
    organizationArns: z
      .array(
        z
          .string()
          .regex(
            /^arn:aws(?:-[a-z]+)*:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/,
            'not an organization ARN',
          ),
      )
      .optional(),
    organizationalUnitArns: z
      .array(
        z
          .string()
          .regex(
            /^arn:aws(?:-[a-z]+)*:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$/,
            'not an organizational unit ARN',
          ),
      )
      .optional(),
    /** Makes the AMIs public. Only ever true when written explicitly. */
    public: z.boolean().default(false),
  })
  .strict()
  .superRefine((share, ctx) => {
    const seen = new Set<string>();
    (share.accountIds ?? []).forEach((id, index) => {
      if (seen.has(id))
        ctx.addIssue({ code: 'custom', message: `duplicate account id ${id}`, path: ['accountIds', index] });
      seen.add(id);
    });
  });

export const backupPolicySchema = z
  .object({
    name: policyNameSchema,
    schedule: scheduleSchema,
    sourceRegion: regionSchema,
    targets: targetsSchema,
    copyRegions: z.array(copyRegionSchema).default([]),
    /**
     * The customer managed keys that encrypt the targets' volumes (hence the source snapshots and
     * AMIs), in the source region: copying their snapshots needs them too (kms:Decrypt,
     * DescribeKey, CreateGrant for EC2, ReEncrypt* when the copy is re-encrypted with the copy
     * region's key). Key ARNs, alias ARNs or alias/<name>; the AWS managed alias/aws/ebs needs
     * no grant and is not listed.
     */
    sourceKmsKeys: z.array(kmsKeyIdSchema).optional(),
    share: shareSchema.default({ public: false }),
    retention: retentionSchema,
    /**
     * Cap on resources rotation deletes per target and region in one run (0: never delete). At most
     * 20: the deleted ids travel in the target's child execution state (256 KiB at most).
     * A larger backlog is worked off over several runs.
     */
    maxDeletesPerRun: z
      .number()
      .int()
      .min(0)
      .max(
        MAX_DELETES_PER_RUN,
        `at most ${MAX_DELETES_PER_RUN} per target and region (Step Functions' 256 KiB state limit: the deleted ids travel in the target's state); a larger backlog is deleted over several runs`,
      )
      .default(20),
    /**
     * Targets backed up at once: the Distributed Map's MaxConcurrency (child executions in
     * parallel). 1,000 by default: a target spends hours waiting on snapshots and copies while
     * making a handful of API calls, and AWS's own limits (300 concurrent AMI copies per
     * destination region, throttling) are waited out per target, never failed.
     */
    maxConcurrency: z
      .number()
      .int('expected a whole number of targets')
      .min(1, 'at least 1 target at a time')
      .max(
        MAX_CHILD_CONCURRENCY,
        `at most ${MAX_CHILD_CONCURRENCY} (a Distributed Map runs at most 10,000 child executions in parallel)`,
      )
      .default(1_000),
    /** Replaced by maxConcurrency: named, so an old config fails with the fix rather than "unrecognized key". */
    mapConcurrency: z
      .never({
        error:
          'mapConcurrency was replaced by maxConcurrency (targets backed up at once, one child execution each, up to 10,000)',
      })
      .optional(),
    /**
     * Cap on the targets one run may back up: a larger selection fails the run (TooManyTargets)
     * before anything is created, so a tag that suddenly matches a whole account cannot bill
     * thousands of snapshots, AMIs and copies. A dry run reports the count and the cap.
     */
    maxTargetsPerRun: z
      .number()
      .int()
      .min(1)
      .max(
        MAX_TARGETS_PER_RUN,
        `at most ${MAX_TARGETS_PER_RUN} targets per run (a safety valve on billing; split larger fleets into several policies)`,
      )
      .default(DEFAULT_TARGETS_PER_RUN),
    /** Copy regions handled in parallel per target. */
    copyConcurrency: z.number().int().min(1).max(20).default(5),
    /**
     * Hours after the run's start during which a target waits out AWS limits (copy and
     * snapshot concurrency, throttling) before it fails, named. 20 by default: a nightly
     * run's targets end before the next night's run of the policy starts.
     */
    targetDeadlineHours: z
      .number()
      .int('expected whole hours')
      .min(1, 'at least 1 hour: AMI copies alone take tens of minutes to hours')
      .max(
        MAX_TARGET_DEADLINE_HOURS,
        `at most ${MAX_TARGET_DEADLINE_HOURS} hours: a target still limited after two days has a quota to raise, not a wait to extend`,
      )
      .default(20),
    /** Restore tests of the newest backups (shared/config/verify.ts). */
    verify: verifySchema.optional(),
  })
  .strict()
  .superRefine(checkPolicyPlaces);

/** The fields the cross-field checks of a policy read. */
interface PolicyPlaces {
  sourceRegion: string;
  copyRegions: { region: string; kmsKeyId?: string | undefined }[];
  share: {
    public: boolean;
    accountIds?: string[] | undefined;
    organizationArns?: string[] | undefined;
    organizationalUnitArns?: string[] | undefined;
  };
  verify?: { regions: { region: string }[] } | undefined;
  sourceKmsKeys?: string[] | undefined;
}

/** The checks that span fields: regions, partitions, keys and sharing must fit together. */
function checkPolicyPlaces(policy: PolicyPlaces, ctx: z.RefinementCtx): void {
  checkPartitions(policy, ctx);
  checkPublicEncryption(policy, ctx);
  checkVerifyRegions(policy, ctx);
  const sharedWithOthers =
    (policy.share.accountIds?.length ?? 0) +
      (policy.share.organizationArns?.length ?? 0) +
      (policy.share.organizationalUnitArns?.length ?? 0) >
    0;
  checkCopyRegions(policy, sharedWithOthers, ctx);
  checkSourceKeys(policy, sharedWithOthers, ctx);
}

function checkPartitions(policy: PolicyPlaces, ctx: z.RefinementCtx): void {
  const sourcePartition = partitionOf(policy.sourceRegion);
  policy.copyRegions.forEach((copy, index) => {
    const partition = partitionOf(copy.region);
    if (partition !== undefined && sourcePartition !== undefined && partition !== sourcePartition)
      ctx.addIssue({
        code: 'custom',
        message: `copy region ${copy.region} is in partition ${partition}, the source region ${policy.sourceRegion} in ${sourcePartition}: CopyImage does not copy across partitions`,
        path: ['copyRegions', index, 'region'],
      });
  });
}

function checkPublicEncryption(policy: PolicyPlaces, ctx: z.RefinementCtx): void {
  const encryptingKeys = policy.copyRegions.flatMap((copy, index) =>
    copy.kmsKeyId === undefined ? [] : [`copyRegions[${index}].kmsKeyId`],
  );
  // EC2 "Make your AMI publicly available": an AMI with encrypted volumes or snapshots of
  // encrypted volumes cannot be made public.
  if (policy.share.public && encryptingKeys.length > 0)
    ctx.addIssue({
      code: 'custom',
      message: `AMIs with encrypted snapshots cannot be made public, and ${encryptingKeys.join(', ')} encrypts the copies: expected share.public false (share with accountIds or organizationArns instead) or no kmsKeyId`,
      path: ['share', 'public'],
    });
}

function checkVerifyRegions(policy: PolicyPlaces, ctx: z.RefinementCtx): void {
  const backupRegions = [policy.sourceRegion, ...policy.copyRegions.map((c) => c.region)];
  policy.verify?.regions.forEach((entry, index) => {
    if (!backupRegions.includes(entry.region))
      ctx.addIssue({
        code: 'custom',
        message: `verify region ${entry.region} holds no backup of this policy: expected the source region or a copy region (${backupRegions.join(', ')})`,
        path: ['verify', 'regions', index, 'region'],
      });
  });
}

function checkCopyRegions(policy: PolicyPlaces, sharedWithOthers: boolean, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  policy.copyRegions.forEach((copy, index) => {
    if (copy.region === policy.sourceRegion) {
      ctx.addIssue({
        code: 'custom',
        message: `copy region ${copy.region} is the source region`,
        path: ['copyRegions', index, 'region'],
      });
    }
    const first = seen.get(copy.region);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `duplicate copy region ${copy.region} (also copyRegions[${first}])`,
        path: ['copyRegions', index, 'region'],
      });
    } else {
      seen.set(copy.region, index);
    }
    if (copy.kmsKeyId !== undefined) checkCopyKey(copy.kmsKeyId, copy.region, index, sharedWithOthers, ctx);
  });
}

function checkCopyKey(
  kmsKeyId: string,
  region: string,
  index: number,
  sharedWithOthers: boolean,
  ctx: z.RefinementCtx,
): void {
  checkKeyPlace(kmsKeyId, { region, role: 'CopyImage needs a key in the destination region' }, ctx, [
    'copyRegions',
    index,
    'kmsKeyId',
  ]);
  if (sharedWithOthers && isAwsManagedEbsKey(kmsKeyId)) {
    ctx.addIssue({
      code: 'custom',
      message: 'AMIs encrypted with the AWS managed key alias/aws/ebs cannot be shared with other accounts',
      path: ['copyRegions', index, 'kmsKeyId'],
    });
  }
}

function checkSourceKeys(policy: PolicyPlaces, sharedWithOthers: boolean, ctx: z.RefinementCtx): void {
  const sourceKeys = new Map<string, number>();
  (policy.sourceKmsKeys ?? []).forEach((key, index) => {
    const path = ['sourceKmsKeys', index];
    checkKeyPlace(
      key,
      { region: policy.sourceRegion, role: 'the source snapshots are in the source region' },
      ctx,
      path,
    );
    const first = sourceKeys.get(key);
    if (first !== undefined)
      ctx.addIssue({
        code: 'custom',
        message: `duplicate key ${key} (also sourceKmsKeys[${first}])`,
        path,
      });
    else sourceKeys.set(key, index);
    if (isAwsManagedEbsKey(key))
      ctx.addIssue({
        code: 'custom',
        message: sharedWithOthers
          ? 'AMIs whose snapshots are encrypted with the AWS managed key alias/aws/ebs cannot be shared with other accounts: re-encrypt the volumes with a customer managed key and list that key'
          : 'the AWS managed key alias/aws/ebs needs no grant: expected customer managed keys only',
        path,
      });
  });
}

const backupPoliciesSchema = z.array(backupPolicySchema).superRefine((policies, ctx) => {
  const seen = new Set<string>();
  policies.forEach((policy, index) => {
    if (seen.has(policy.name)) {
      ctx.addIssue({
        code: 'custom',
        message: `duplicate policy name ${policy.name}`,
        path: [index, 'name'],
      });
    }
    seen.add(policy.name);
  });
});

export type BackupPolicy = z.infer<typeof backupPolicySchema>;
export type BackupPolicyInput = z.input<typeof backupPolicySchema>;

/**
 * One stack lives in one partition: its roles' credentials do not reach another partition's
 * Regions. Problems for every policy whose source region is not in the first policy's partition.
 */
export function partitionProblems(
  policies: readonly Pick<BackupPolicy, 'sourceRegion'>[],
): { index: number; message: string }[] {
  const first = policies[0];
  const stackPartition = first === undefined ? undefined : partitionOf(first.sourceRegion);
  return policies.flatMap((policy, index) => {
    const partition = partitionOf(policy.sourceRegion);
    return index > 0 &&
      partition !== undefined &&
      stackPartition !== undefined &&
      partition !== stackPartition
      ? [
          {
            index,
            message: `source region ${policy.sourceRegion} is in partition ${partition}, backupPolicies[0]'s ${first?.sourceRegion} in ${stackPartition}: one deployment works in one partition (deploy a stack per partition)`,
          },
        ]
      : [];
  });
}

export type PoliciesParseResult = { ok: true; policies: BackupPolicy[] } | { ok: false; issues: string[] };

/**
 * Validates the `policies` of the config file, listing every problem as `path: message`.
 *
 * @example
 * parseBackupPolicies([{ name: 'nightly', … , copyRegions: [{ region: 'eu-west-1' }], sourceRegion: 'eu-west-1' }]);
 * // { ok: false, issues: ['[0].copyRegions[0].region: copy region eu-west-1 is the source region'] }
 */
export function parseBackupPolicies(raw: unknown): PoliciesParseResult {
  const result = backupPoliciesSchema.safeParse(raw);
  if (result.success) return { ok: true, policies: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => {
      const path = issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '');
      return `${path === '' ? '(root)' : path}: ${issue.message}`;
    }),
  };
}

/**
 * The EventBridge Scheduler expression of a policy.
 *
 * @example
 * scheduleExpression(policy); // 'cron(0 2 * * ? *)'
 */
export function scheduleExpression(policy: Pick<BackupPolicy, 'schedule'>): string {
  return `cron(${policy.schedule.cron})`;
}
