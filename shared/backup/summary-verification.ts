/**
 * The run summary's restore-test status per target and region — the same verified / failed /
 * never verified that `shipyard backup list` shows — for the policy's verify regions only.
 */
import type { RunSummary } from './summary.ts';
import { targetVerification, type VerificationRecord } from './verification-record.ts';

/**
 * The summary with `verification` on each region result that is a verify region.
 *
 * @example
 * withVerificationStatus(summary, records, ['ap-south-1']);
 * // targets[0].regions[0].verification: { status: 'verified', imageId: 'ami-…', at: '…', secondsToPass: 95 }
 */
export function withVerificationStatus(
  summary: RunSummary,
  records: readonly VerificationRecord[],
  verifyRegions: readonly string[],
): RunSummary {
  if (verifyRegions.length === 0) return summary;
  return {
    ...summary,
    targets: summary.targets.map((t) => ({
      ...t,
      regions: t.regions.map((r) =>
        verifyRegions.includes(r.region)
          ? {
              ...r,
              verification: targetVerification(records, {
                policy: summary.policy,
                target: t.target,
                region: r.region,
              }),
            }
          : r,
      ),
    })),
  };
}
