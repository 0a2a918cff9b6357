/**
 * What Shipyard records of each restore test (in its own store, so AMIs it did not make
 * are never written to), and the per-target status shown by `shipyard backup list` and the
 * run summary: verified / failed / never verified.
 */
import * as z from 'zod';

const instant = z.iso.datetime({ offset: true });

export const verificationRecordSchema = z
  .object({
    verificationId: z.string().min(1),
    policy: z.string().min(1),
    target: z.string().min(1),
    region: z.string().min(1),
    imageId: z.string().min(1),
    /** The AMI's backup instant (`shipyard:created-at`, else `CreationDate`). */
    imageCreatedAt: instant,
    ours: z.boolean(),
    instanceId: z.string().min(1).optional(),
    status: z.enum(['passed', 'failed']),
    reason: z.string().optional(),
    /** From RunInstances to pass: the measured restore time. */
    secondsToPass: z.number().int().min(0).optional(),
    launchedAt: instant.optional(),
    finishedAt: instant,
    /** The HTTP probe (verify.httpProbe), when configured: its last answer. */
    httpProbe: z
      .object({
        url: z.string().min(1),
        expectStatus: z.number().int(),
        status: z.enum(['passed', 'failed', 'not run']),
        /** The status code the service answered (absent without an HTTP answer). */
        httpStatus: z.number().int().optional(),
        detail: z.string().optional(),
        /** Probe commands sent (each failed one is retried until the deadline). */
        attempts: z.number().int().min(0),
      })
      .strict()
      .optional(),
  })
  .strict();

export type VerificationRecord = z.infer<typeof verificationRecordSchema>;

export type TargetVerification =
  | { status: 'verified'; imageId: string; at: string; secondsToPass?: number }
  | { status: 'failed'; imageId: string; at: string; reason?: string }
  | { status: 'never verified' };

/**
 * The status of one target in one region: its latest restore test decides.
 *
 * @example
 * targetVerification(records, { policy: 'nightly', target: 'i-1', region: 'ap-south-1' });
 * // { status: 'verified', imageId: 'ami-…', at: '2026-12-02T03:04:05.000Z', secondsToPass: 95 }
 */
export function targetVerification(
  records: readonly VerificationRecord[],
  key: { policy: string; target: string; region: string },
): TargetVerification {
  const latest = records
    .filter((r) => r.policy === key.policy && r.target === key.target && r.region === key.region)
    .sort((a, b) => Date.parse(b.finishedAt) - Date.parse(a.finishedAt))[0];
  if (latest === undefined) return { status: 'never verified' };
  if (latest.status === 'passed')
    return {
      status: 'verified',
      imageId: latest.imageId,
      at: latest.finishedAt,
      ...(latest.secondsToPass === undefined ? {} : { secondsToPass: latest.secondsToPass }),
    };
  return {
    status: 'failed',
    imageId: latest.imageId,
    at: latest.finishedAt,
    ...(latest.reason === undefined ? {} : { reason: latest.reason }),
  };
}

/**
 * AMIs that passed a restore test: what rotation keeps as the newest verified backup.
 *
 * @example
 * verifiedImageIds(records); // ['ami-0a…', 'ami-0b…']
 */
export function verifiedImageIds(records: readonly VerificationRecord[]): string[] {
  return [...new Set(records.filter((r) => r.status === 'passed').map((r) => r.imageId))].sort();
}

/**
 * The newest verified AMI of a target in a region younger than `maxAgeMs` (by its backup
 * instant): the parity gate of a failover drill.
 *
 * @example
 * freshVerifiedImage(records, { policy: 'nightly', target: 'i-1', region: 'us-west-1' }, { nowMs, maxAgeMs: 48 * 3_600_000 });
 */
export function freshVerifiedImage(
  records: readonly VerificationRecord[],
  key: { policy: string; target: string; region: string },
  at: { nowMs: number; maxAgeMs: number },
): VerificationRecord | undefined {
  return records
    .filter(
      (r) =>
        r.status === 'passed' &&
        r.policy === key.policy &&
        r.target === key.target &&
        r.region === key.region &&
        at.nowMs - Date.parse(r.imageCreatedAt) <= at.maxAgeMs,
    )
    .sort((a, b) => Date.parse(b.imageCreatedAt) - Date.parse(a.imageCreatedAt))[0];
}
