import * as z from 'zod';

/**
 * EC2 request-rate throttling as AWS documents it, for the local cloud (opt-in).
 *
 * Source for every figure below unless marked otherwise: Amazon EC2 Developer Guide,
 * "Request throttling for the Amazon EC2 API", sections "How throttling is applied" and
 * "Request token bucket sizes and refill rates"
 * (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html, text as published
 * in 2026). What it says and this module follows:
 * - per account and Region, "each API is evaluated individually": one bucket per action,
 *   sized by the action's category, so a DescribeSnapshots burst never throttles
 *   CreateSnapshot ("Limits are applied to individual API actions, not API action categories");
 * - each request removes one token; an empty bucket answers `RequestLimitExceeded`;
 * - buckets refill at a set rate up to their maximum capacity;
 * - "Uncategorized actions" have their own sizes (CreateSnapshot, CopyImage, …).
 * Resource token buckets (RunInstances & co.) and console buckets do not apply: the local
 * cloud implements none of those actions and has no console.
 * Not in the text, chosen here: the smaller unfiltered-and-unpaginated bucket is kept per
 * action like the others [unconfirmed]; requests that then fail validation or are DryRun
 * still take a token [unconfirmed]; refill is continuous rather than once a second.
 */

/** A bucket's maximum capacity (burst) and refill rate (sustained, tokens per second). */
export interface BucketSpec {
  bucket: number;
  refillPerSecond: number;
}

/** Non-mutating actions: Describe*, List*, Search*, Get* not in another category. */
const NON_MUTATING: BucketSpec = { bucket: 100, refillPerSecond: 20 };
/** The unfiltered-and-unpaginated subset (DescribeInstances, DescribeSnapshots, DescribeVolumes, …). */
const UNFILTERED_NON_MUTATING: BucketSpec = { bucket: 50, refillPerSecond: 10 };
/** Mutating actions not resource-intensive nor uncategorized (RegisterImage, CopySnapshot here). */
const MUTATING: BucketSpec = { bucket: 50, refillPerSecond: 5 };
/** Resource-intensive actions (AuthorizeSecurityGroupIngress, RequestSpotInstances, …; none implemented). */
const RESOURCE_INTENSIVE: BucketSpec = { bucket: 50, refillPerSecond: 5 };

/** Uncategorized actions the local cloud implements: their own documented figures. */
const CREATE_SNAPSHOT: BucketSpec = { bucket: 100, refillPerSecond: 5 };
const CREATE_SNAPSHOTS: BucketSpec = { bucket: 100, refillPerSecond: 5 };
const COPY_IMAGE: BucketSpec = { bucket: 100, refillPerSecond: 1 };
const DELETE_SNAPSHOT: BucketSpec = { bucket: 100, refillPerSecond: 5 };
const DEREGISTER_IMAGE: BucketSpec = { bucket: 100, refillPerSecond: 5 };
const MODIFY_IMAGE_ATTRIBUTE: BucketSpec = { bucket: 100, refillPerSecond: 5 };
const CREATE_TAGS: BucketSpec = { bucket: 100, refillPerSecond: 10 };
const DELETE_TAGS: BucketSpec = { bucket: 100, refillPerSecond: 10 };
const CREATE_VOLUME: BucketSpec = { bucket: 100, refillPerSecond: 5 };

const CATEGORIES = ['nonMutating', 'unfilteredNonMutating', 'mutating', 'resourceIntensive'] as const;
export type ThrottlingCategory = (typeof CATEGORIES)[number];

const CATEGORY_DEFAULTS: Record<ThrottlingCategory, BucketSpec> = {
  nonMutating: NON_MUTATING,
  unfilteredNonMutating: UNFILTERED_NON_MUTATING,
  mutating: MUTATING,
  resourceIntensive: RESOURCE_INTENSIVE,
};

/**
 * Every action the local EC2 implements (service.ts types its table with these names, so
 * a new action cannot go unclassified): a category or its own documented bucket.
 * `unfilteredNonMutating` marks the documented subset: they use the smaller bucket only
 * when called with neither a filter nor pagination (MaxResults / NextToken).
 */
const ACTION_THROTTLING = {
  DescribeRegions: 'nonMutating',
  DescribeAvailabilityZones: 'nonMutating',
  DescribeInstances: 'unfilteredNonMutating',
  DescribeVolumes: 'unfilteredNonMutating',
  DescribeSnapshots: 'unfilteredNonMutating',
  DescribeImages: 'nonMutating',
  DescribeImageAttribute: 'nonMutating',
  RegisterImage: 'mutating',
  // Not found among the page's uncategorized figures: treated as mutating [unconfirmed].
  CreateImage: 'mutating',
  GetInstanceUefiData: 'nonMutating',
  CopySnapshot: 'mutating',
  CreateSnapshot: CREATE_SNAPSHOT,
  CreateSnapshots: CREATE_SNAPSHOTS,
  CopyImage: COPY_IMAGE,
  DeleteSnapshot: DELETE_SNAPSHOT,
  DeregisterImage: DEREGISTER_IMAGE,
  ModifyImageAttribute: MODIFY_IMAGE_ATTRIBUTE,
  CreateTags: CREATE_TAGS,
  DeleteTags: DELETE_TAGS,
  CreateVolume: CREATE_VOLUME,
  // RunInstances and TerminateInstances also have resource token buckets (not modelled); their
  // request buckets are taken as the mutating category [unconfirmed].
  RunInstances: 'mutating',
  TerminateInstances: 'mutating',
  DescribeInstanceStatus: 'unfilteredNonMutating',
  CreateLaunchTemplate: 'mutating',
  CreateLaunchTemplateVersion: 'mutating',
  ModifyLaunchTemplate: 'mutating',
  DescribeLaunchTemplates: 'nonMutating',
  DescribeLaunchTemplateVersions: 'nonMutating',
  DescribeVpcs: 'nonMutating',
  DescribeSubnets: 'nonMutating',
  DescribeRouteTables: 'nonMutating',
  DescribeInternetGateways: 'nonMutating',
  DescribeSecurityGroups: 'nonMutating',
} as const satisfies Record<string, ThrottlingCategory | BucketSpec>;
export type Ec2ActionName = keyof typeof ACTION_THROTTLING;
const ACTION_NAMES = Object.keys(ACTION_THROTTLING) as [Ec2ActionName, ...Ec2ActionName[]];

const BucketSpecSchema = z
  .object({
    bucket: z.number().int().min(1, 'at least 1 token (each request takes one)'),
    refillPerSecond: z.number().min(0, 'tokens per simulated second, 0 or more'),
  })
  .strict();

/**
 * The seed's `throttling`: off by default (many tests run the clock at speed 0, where a
 * bucket never refills); `'aws-default'` for the documented figures; an object overrides
 * some buckets per category or per action and keeps the documented figures for the rest.
 */
export const ThrottlingSeedSchema = z.union(
  [
    z.literal('off'),
    z.literal('aws-default'),
    z
      .object({
        nonMutating: BucketSpecSchema.optional(),
        unfilteredNonMutating: BucketSpecSchema.optional(),
        mutating: BucketSpecSchema.optional(),
        resourceIntensive: BucketSpecSchema.optional(),
        /** Per action, whatever its category (for the subset: both of its buckets). */
        actions: z.partialRecord(z.enum(ACTION_NAMES), BucketSpecSchema).optional(),
      })
      .strict(),
  ],
  {
    error:
      "expected 'off', 'aws-default' or an object of bucket overrides ({mutating: {bucket, refillPerSecond}, actions: {CreateSnapshot: …}})",
  },
);
export type ThrottlingSeed = z.infer<typeof ThrottlingSeedSchema>;

export interface ThrottlingConfig {
  categories: Record<ThrottlingCategory, BucketSpec>;
  actions: Partial<Record<Ec2ActionName, BucketSpec>>;
}

/** The buckets a seed asks for, or undefined when throttling is off. */
export function throttlingConfig(seed: ThrottlingSeed): ThrottlingConfig | undefined {
  if (seed === 'off') return undefined;
  if (seed === 'aws-default') return { categories: { ...CATEGORY_DEFAULTS }, actions: {} };
  const { actions, ...overrides } = seed;
  const categories = { ...CATEGORY_DEFAULTS };
  for (const c of CATEGORIES) categories[c] = overrides[c] ?? categories[c];
  return { categories, actions: { ...actions } };
}

export const isEc2ActionName = (action: string): action is Ec2ActionName =>
  Object.hasOwn(ACTION_THROTTLING, action);

/**
 * Which bucket a request draws from: its name (one per action, plus a separate smaller one
 * for the unfiltered-and-unpaginated calls of the subset) and its size.
 */
export function bucketFor(
  config: ThrottlingConfig,
  action: Ec2ActionName,
  filteredOrPaginated: boolean,
): { key: string; spec: BucketSpec } {
  const own = config.actions[action];
  const entry: ThrottlingCategory | BucketSpec = ACTION_THROTTLING[action];
  if (typeof entry !== 'string') return { key: action, spec: own ?? entry };
  // The subset filtered or paged uses the standard non-mutating bucket of that action.
  const category = entry === 'unfilteredNonMutating' && filteredOrPaginated ? 'nonMutating' : entry;
  const key = category === 'unfilteredNonMutating' ? `${action}(unfiltered)` : action;
  return { key, spec: own ?? config.categories[category] };
}
