/**
 * `verify` in a backup policy: restore tests of the newest backup of each target, per
 * region, in an isolated subnet, under a hard deadline and a cost cap. Whether the subnet
 * really has no route to the internet and the security group no inbound rule is checked
 * against EC2 by the first step of a verification (the file cannot show it).
 */
import * as z from 'zod';
import { scheduleSchema } from './schedule.ts';

const subnetIdSchema = z
  .string()
  .regex(/^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'not a subnet id (subnet-…)');
const securityGroupIdSchema = z
  .string()
  .regex(/^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'not a security group id (sg-…)');
const imageIdSchema = z.string().regex(/^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'not an AMI id (ami-…)');
/** EC2 instance type names: family, generation and attributes, a dot, a size (t3.micro, m7g.large). */
const instanceTypeSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'not an EC2 instance type (e.g. t3.micro)');

/** The instance types a verification launches by default: the smallest burstable of each architecture. */
export const DEFAULT_VERIFY_INSTANCE_TYPES = { x86_64: 't3.micro', arm64: 't4g.micro' } as const;
/** The most verification instances a policy may allow at once in one region, and per run. */
const MAX_VERIFY_CONCURRENCY = 10;
const MAX_VERIFY_PER_RUN = 50;
/** The longest a verification instance may live: its deadline, also the sweep's cut-off. */
export const MAX_VERIFY_DEADLINE_SECONDS = 3_600;

/**
 * The HTTP probe: a GET of `http://localhost:<port><path>` run on the verification instance
 * itself through SSM Run Command (its security group admits nothing from outside). The path
 * goes into a single-quoted shell word, so quotes, spaces and backslashes are refused.
 */
const httpProbeSchema = z
  .object({
    port: z
      .number({ message: 'expected a TCP port number (1–65535)' })
      .int('expected a whole TCP port number (1–65535)')
      .min(1, 'expected a TCP port number (1–65535)')
      .max(65_535, 'expected a TCP port number (1–65535)'),
    path: z
      .string()
      .max(1024, 'at most 1024 characters')
      .regex(
        /^\/[A-Za-z0-9\-._~!$&()*+,;=:@%/?]*$/,
        'expected a URL path starting with / (letters, digits and URL characters; no quotes, spaces or backslashes)',
      )
      .default('/'),
    expectStatus: z
      .number({ message: 'expected an HTTP status code (100–599)' })
      .int('expected an HTTP status code (100–599)')
      .min(100, 'expected an HTTP status code (100–599)')
      .max(599, 'expected an HTTP status code (100–599)')
      .default(200),
  })
  .strict();

export const verifyRegionSchema = z
  .object({
    /** The policy's source region or one of its copy regions (checked with the policy). */
    region: z.string().min(1),
    /** A subnet with no route to an internet gateway (checked against EC2 before launching). */
    subnetId: subnetIdSchema,
    /** A security group with no inbound rule (checked against EC2 before launching). */
    securityGroupId: securityGroupIdSchema,
    instanceTypes: z
      .object({ x86_64: instanceTypeSchema.optional(), arm64: instanceTypeSchema.optional() })
      .strict()
      .optional(),
  })
  .strict();

export const verifySchema = z
  .object({
    /** Regions where the newest backup of each target is launched (the source or a copy region). */
    regions: z.array(verifyRegionSchema).min(1, 'name at least one region to verify in'),
    probes: z
      .object({
        /** Also wait for the instance to be an `Online` SSM managed instance. */
        ssm: z.boolean().default(false),
      })
      .strict()
      .default({ ssm: false }),
    /** Also GET a URL on the instance (through SSM Run Command, so it waits for SSM `Online` too). */
    httpProbe: httpProbeSchema.optional(),
    /** AMIs Shipyard did not make, verified read-only (results recorded by Shipyard, never tagged). */
    images: z
      .object({
        imageIds: z.array(imageIdSchema).optional(),
        tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
      })
      .strict()
      .optional(),
    /** Verification instances at once in one region; more wait for a slot. */
    maxConcurrentPerRegion: z.number().int().min(1).max(MAX_VERIFY_CONCURRENCY).default(2),
    /** Verification instances per run; a larger selection is refused before anything launches. */
    maxPerRun: z.number().int().min(1).max(MAX_VERIFY_PER_RUN).default(10),
    /** From launch to pass; past it the instance fails and is terminated. */
    deadlineSeconds: z.number().int().min(120).max(MAX_VERIFY_DEADLINE_SECONDS).default(900),
    /** Its own schedule (e.g. weekly), a Scheduler schedule starting the verification state machine. */
    schedule: scheduleSchema.optional(),
    /** Also verify after every (non dry-run) backup execution of the policy ends. */
    afterRun: z.boolean().default(false),
  })
  .strict()
  .superRefine((verify, ctx) => {
    const seen = new Map<string, number>();
    verify.regions.forEach((entry, index) => {
      const first = seen.get(entry.region);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          message: `duplicate verify region ${entry.region} (also regions[${first}])`,
          path: ['regions', index, 'region'],
        });
      else seen.set(entry.region, index);
    });
  });

export type VerifyConfig = z.infer<typeof verifySchema>;
