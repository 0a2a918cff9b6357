/**
 * Retention rules of a policy. Rules are a **union**: a backup is kept when any rule keeps
 * it (and the newest available backup is always kept, whatever the rules say).
 */
import * as z from 'zod';

const count = z.number().int().min(0).max(10_000);

const gfsRuleSchema = z
  .object({
    /** Newest backup of each of the last N local days that have a backup. */
    daily: count.optional(),
    /** Newest backup of each of the last N ISO weeks (local time) that have a backup. */
    weekly: count.optional(),
    monthly: count.optional(),
    yearly: count.optional(),
  })
  .strict();

export const retentionRuleSchema = z
  .object({
    /** Keep the N newest available backups. */
    keepLast: count.optional(),
    /** Keep every available backup at most this many days (× 24 h) old. */
    maxAgeDays: z.number().int().min(1).max(36_500).optional(),
    gfs: gfsRuleSchema.optional(),
  })
  .strict();

export type RetentionRule = z.infer<typeof retentionRuleSchema>;

/**
 * True when the rule keeps at least one backup beyond the always-kept newest one
 * (a rule like `{}` or `{ keepLast: 0 }` is almost certainly a configuration mistake).
 *
 * @example
 * retentionKeepsSomething({ keepLast: 0 });        // false
 * retentionKeepsSomething({ gfs: { weekly: 4 } }); // true
 */
export function retentionKeepsSomething(rule: RetentionRule): boolean {
  const gfs = rule.gfs ?? {};
  return (
    (rule.keepLast ?? 0) > 0 ||
    (rule.maxAgeDays ?? 0) > 0 ||
    (gfs.daily ?? 0) > 0 ||
    (gfs.weekly ?? 0) > 0 ||
    (gfs.monthly ?? 0) > 0 ||
    (gfs.yearly ?? 0) > 0
  );
}

/** The parts of a policy that decide retention per region. */
export interface RegionalRetentionSource {
  sourceRegion: string;
  retention: RetentionRule;
  copyRegions: readonly { region: string; retention?: RetentionRule | undefined }[];
}

/**
 * The retention that applies in `region`: a copy region's override **replaces** the
 * policy's retention as a whole (no field-by-field merge); otherwise the policy's.
 *
 * @example
 * retentionForRegion({ sourceRegion: 'eu-west-1', retention: { keepLast: 7 },
 *   copyRegions: [{ region: 'us-east-1', retention: { keepLast: 2 } }] }, 'us-east-1'); // { keepLast: 2 }
 */
export function retentionForRegion(policy: RegionalRetentionSource, region: string): RetentionRule {
  if (region === policy.sourceRegion) return policy.retention;
  return policy.copyRegions.find((c) => c.region === region)?.retention ?? policy.retention;
}
