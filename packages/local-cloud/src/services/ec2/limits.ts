import * as z from 'zod';

/**
 * Account limits the EC2 service enforces, overridable through the seed `limits` section.
 * The copy-concurrency figures are AWS's current ones (see the constants below).
 */
/**
 * Concurrent AMI copies per destination Region: EC2 User Guide, "How Amazon EC2 AMI copy
 * works" (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/how-ami-copy-works.html), 300
 * (it was 100 until the page's 2026 revision).
 */
export const CONCURRENT_AMI_COPIES_PER_REGION = 300;
/** Concurrent snapshot copies per destination Region: same page (20). */
export const CONCURRENT_SNAPSHOT_COPIES_PER_REGION = 20;

export const LimitsSchema = z
  .object({
    /** In-progress snapshots per volume before ConcurrentSnapshotLimitExceeded (documented: 5). */
    pendingSnapshotsPerVolume: z.number().int().min(1),
    /** Volumes in one CreateSnapshots multi-volume set (documented: 40). */
    createSnapshotsMaxVolumes: z.number().int().min(1),
    /** In-flight CopyImage operations per destination region ({@link CONCURRENT_AMI_COPIES_PER_REGION}). */
    concurrentImageCopies: z.number().int().min(0),
    /** In-flight CopySnapshot operations per destination region ({@link CONCURRENT_SNAPSHOT_COPIES_PER_REGION}). */
    concurrentSnapshotCopies: z.number().int().min(0),
  })
  .strict();
export type Ec2Limits = z.infer<typeof LimitsSchema>;

export const DEFAULT_LIMITS: Ec2Limits = {
  pendingSnapshotsPerVolume: 5,
  createSnapshotsMaxVolumes: 40,
  concurrentImageCopies: CONCURRENT_AMI_COPIES_PER_REGION,
  concurrentSnapshotCopies: CONCURRENT_SNAPSHOT_COPIES_PER_REGION,
};

/** Tags per resource (documented: 50). */
export const MAX_TAGS_PER_RESOURCE = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
/** Snapshot descriptions (documented: 255 characters). */
export const MAX_DESCRIPTION_LENGTH = 255;
/** CopyImage ClientToken length [assumed: 64 ASCII characters]. */
export const MAX_CLIENT_TOKEN_LENGTH = 64;

/** MaxResults ranges; larger values are clamped to the maximum as the API reference documents. */
export const PAGE_RANGES = {
  snapshots: { min: 5, max: 1000 },
  volumes: { min: 5, max: 1000 },
  instances: { min: 5, max: 1000 },
  /** DescribeImages documents no range; 1–1000 is an assumption [unconfirmed]. */
  images: { min: 1, max: 1000 },
} as const;
