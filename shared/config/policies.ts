/**
 * Backup policies in the config file. Every object is strict (unknown keys are typos and
 * fail), and the checks below catch mistakes that would otherwise surface at 2 a.m. in
 * production: a copy "to" the source region, a KMS key from another region, an account id
 * with 11 digits, a retention that keeps nothing, a misspelt time zone. Each issue carries
 * its path.
 */

import { cronBody, firesOnSomeDay, firesPerDay, parseSchedulerCron } from '@shipyard/aws-cron';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { volumeExclusionsSchema } from '../backup/block-devices.ts';
import { retentionKeepsSomething, retentionRuleSchema } from '../backup/retention-rules.ts';
import { partitionOf, REGIONS_AS_OF } from './regions.ts';
import { verifySchema } from './verify.ts';

/**
 * The most targets one run may back up. Every target's outcome travels in the Step Functions
 * state (the Map result, then Summarize's input and output), which AWS caps at 256 KiB
 * (States.DataLimitExceeded, not catchable). Measured at the largest supported shape —
 * 5 volumes, 3 copy regions, a filled retention deleting up to maxDeletesPerRun (20) per
 * region — a target costs about 4.3 KB (60 targets measured 257,107 bytes, just under the
 * limit). 40 targets stay near 172 KB, two thirds of the limit: the margin covers longer ids,
 * names and failure reasons (tests/workflow/backup/state-size.test.ts holds it under 75%).
 */
export const MAX_TARGETS_PER_RUN = 40;
/** The per-target-and-region deletion cap MAX_TARGETS_PER_RUN was measured with. */
const MAX_DELETES_PER_RUN = 20;
const MAX_TARGETS_MESSAGE = `at most ${MAX_TARGETS_PER_RUN} targets per run (Step Functions' 256 KiB state limit: every target's outcome travels in the run's state): split the fleet into several policies`;

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

const timeZoneSchema = z
  .string()
  .refine((tz) => IANAZone.isValidZone(tz), { message: 'not an IANA time zone (e.g. Europe/Berlin)' });

/**
 * Scheduled runs are named `<policy>-<local date>` (backupStart), so a second run on the same
 * local day would find ExecutionAlreadyExists and be lost: a schedule fires at most once a day.
 */
const schedulerCronSchema = z
  .string()
  .superRefine((value, ctx) => {
    const parsed = parseSchedulerCron(value);
    if (!parsed.ok) {
      for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', message: `cron: ${problem}` });
      return;
    }
    const perDay = firesPerDay(parsed.cron);
    if (perDay > 1)
      ctx.addIssue({
        code: 'custom',
        message: `cron: fires ${perDay} times a day, expected at most once a day: scheduled runs are named <policy>-<local date>, so every run after the first on a day would be refused as already started and lost`,
      });
    if (!firesOnSomeDay(parsed.cron))
      ctx.addIssue({
        code: 'custom',
        message: `cron: never fires: no date from 1970 to 2199 matches its day-of-month, month, day-of-week and year fields`,
      });
  })
  .transform(cronBody);

export const instanceIdSchema = z
  .string()
  .regex(/^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'not an instance id (i-…)');
export const volumeIdSchema = z
  .string()
  .regex(/^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'not a volume id (vol-…)');
const accountIdSchema = z.string().regex(/^\d{12}$/, 'an AWS account id is exactly 12 digits');

const KMS_KEY_ARN =
  /^arn:aws(?:-[a-z]+)*:kms:([a-z0-9-]+):(\d{12}):(?:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|alias\/[A-Za-z0-9/_-]{1,250})$/;
const KMS_ALIAS = /^alias\/[A-Za-z0-9/_-]{1,250}$/;

const kmsKeyIdSchema = z.string().refine((v) => KMS_KEY_ARN.test(v) || KMS_ALIAS.test(v), {
  message: 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), an alias ARN or alias/<name>',
});

/** The region of a KMS key or alias ARN, `undefined` for a bare alias. */
function kmsKeyRegion(kmsKeyId: string): string | undefined {
  return KMS_KEY_ARN.exec(kmsKeyId)?.[1];
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
    schedule: z.object({ cron: schedulerCronSchema, timeZone: timeZoneSchema }).strict(),
    sourceRegion: regionSchema,
    targets: targetsSchema,
    copyRegions: z.array(copyRegionSchema).default([]),
    share: shareSchema.default({ public: false }),
    retention: retentionSchema,
    /**
     * Cap on resources rotation deletes per target and region in one run (0: never delete). At most
     * 20: the deleted ids travel in the run's state, and MAX_TARGETS_PER_RUN was measured with 20.
     * A larger backlog is worked off over several runs.
     */
    maxDeletesPerRun: z
      .number()
      .int()
      .min(0)
      .max(
        MAX_DELETES_PER_RUN,
        `at most ${MAX_DELETES_PER_RUN} per target and region (Step Functions' 256 KiB state limit: the deleted ids travel in the run's state); a larger backlog is deleted over several runs`,
      )
      .default(20),
    /**
     * Targets backed up in parallel (Map MaxConcurrency). 40, the inline Map ceiling, by default:
     * a target holds its iteration through hours of snapshot and copy waits while making a
     * handful of API calls, so fewer slots only serialise waiting (the scale benchmark: 200
     * instances took 4× the lower bound at 10) and stay far below the copy limit per region.
     */
    mapConcurrency: z.number().int().min(1).max(40).default(40),
    /**
     * Cap on the targets one run may back up: a larger selection fails the run (TooManyTargets)
     * before anything is created, so a tag that suddenly matches hundreds of instances cannot
     * bill hundreds of snapshots, AMIs and copies. A dry run reports the count and the cap.
     */
    maxTargetsPerRun: z
      .number()
      .int()
      .min(1)
      .max(MAX_TARGETS_PER_RUN, MAX_TARGETS_MESSAGE)
      .default(MAX_TARGETS_PER_RUN),
    /** Copy regions handled in parallel per target. */
    copyConcurrency: z.number().int().min(1).max(20).default(5),
    /** Restore tests of the newest backups (shared/config/verify.ts). */
    verify: verifySchema.optional(),
  })
  .strict()
  .superRefine((policy, ctx) => {
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
    const backupRegions = [policy.sourceRegion, ...policy.copyRegions.map((c) => c.region)];
    policy.verify?.regions.forEach((entry, index) => {
      if (!backupRegions.includes(entry.region))
        ctx.addIssue({
          code: 'custom',
          message: `verify region ${entry.region} holds no backup of this policy: expected the source region or a copy region (${backupRegions.join(', ')})`,
          path: ['verify', 'regions', index, 'region'],
        });
    });
    const seen = new Map<string, number>();
    const sharedWithOthers =
      (policy.share.accountIds?.length ?? 0) +
        (policy.share.organizationArns?.length ?? 0) +
        (policy.share.organizationalUnitArns?.length ?? 0) >
      0;
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
      if (copy.kmsKeyId !== undefined) {
        const keyRegion = kmsKeyRegion(copy.kmsKeyId);
        if (keyRegion !== undefined && keyRegion !== copy.region) {
          ctx.addIssue({
            code: 'custom',
            message: `KMS key is in ${keyRegion}, but CopyImage needs a key in the destination region ${copy.region}`,
            path: ['copyRegions', index, 'kmsKeyId'],
          });
        }
        if (sharedWithOthers && isAwsManagedEbsKey(copy.kmsKeyId)) {
          ctx.addIssue({
            code: 'custom',
            message:
              'AMIs encrypted with the AWS managed key alias/aws/ebs cannot be shared with other accounts',
            path: ['copyRegions', index, 'kmsKeyId'],
          });
        }
      }
    });
  });

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
