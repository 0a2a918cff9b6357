/**
 * `shipyard backup list`'s restore-test status per target: verified (date, seconds to
 * restore) / failed (reason) / never verified, for each policy with `verify` and each of its
 * verify regions, read from Shipyard's verification store (the run records bucket). The
 * targets are those with a backup of ours in the region (by tag) and those the store has a
 * result for (AMIs Shipyard did not make).
 */
import { MANAGED_TAG_VALUE, TAG_KEYS } from '../../shared/backup/tags.ts';
import { targetVerification, type VerificationRecord } from '../../shared/backup/verification-record.ts';
import type { VerificationEc2, VerificationStore } from '../../shared/backup-service/ports/verification.ts';
import type { BackupPolicy } from '../../shared/config/policies.ts';
import { DEFAULT_CONFIG_FILE, type GlobalOptions, loadConfigFile } from '../context.ts';
import type { Output } from '../output.ts';
import { verifyDeps } from '../verification/deps.ts';

export interface TargetStatus {
  policy: string;
  target: string;
  region: string;
  status: 'verified' | 'failed' | 'never verified';
  imageId?: string;
  /** When the latest restore test ended. */
  at?: string;
  secondsToPass?: number;
  reason?: string;
}

/** The status rows of the given policies (only those with `verify`), sorted by policy, target, region. */
async function verificationStatuses(
  deps: {
    ec2: (region: string) => Pick<VerificationEc2, 'describeImages'>;
    store: Pick<VerificationStore, 'results'>;
  },
  policies: readonly BackupPolicy[],
): Promise<TargetStatus[]> {
  const rows: TargetStatus[] = [];
  const records: VerificationRecord[] = await deps.store.results();
  for (const policy of policies) {
    for (const { region } of policy.verify?.regions ?? []) {
      const images = await deps.ec2(region).describeImages({
        tags: { [TAG_KEYS.managed]: MANAGED_TAG_VALUE, [TAG_KEYS.policy]: policy.name },
      });
      const targets = new Set<string>();
      for (const image of images) {
        const target = image.tags[TAG_KEYS.target];
        if (target !== undefined) targets.add(target);
      }
      for (const r of records) if (r.policy === policy.name && r.region === region) targets.add(r.target);
      for (const target of targets) {
        const status = targetVerification(records, { policy: policy.name, target, region });
        rows.push({ policy: policy.name, target, region, ...status });
      }
    }
  }
  return rows.sort(
    (a, b) =>
      a.policy.localeCompare(b.policy) ||
      a.target.localeCompare(b.target) ||
      a.region.localeCompare(b.region),
  );
}

const describe = (row: TargetStatus): string => {
  const day = row.at?.slice(0, 10) ?? '';
  if (row.status === 'verified')
    return `verified ${day}${row.secondsToPass === undefined ? '' : ` (restored in ${row.secondsToPass} s)`}  ${row.imageId ?? ''}`;
  if (row.status === 'failed')
    return `FAILED ${day}: ${row.reason ?? 'no reason recorded'}  ${row.imageId ?? ''}`;
  return 'never verified';
};

/** The text block printed under the executions. */
export function verificationStatusText(rows: readonly TargetStatus[]): string {
  if (rows.length === 0) return 'restore tests: no policy with verify, or no backups yet';
  return [
    'restore tests (policy  target  region  status):',
    ...rows.map((r) => `  ${r.policy}  ${r.target}  ${r.region}  ${describe(r)}`.trimEnd()),
  ].join('\n');
}

/** `--records-bucket` on `backup list`: with it (or SHIPYARD_RECORDS_BUCKET) the list shows restore tests. */
export const RECORDS_BUCKET_OPTION = [
  '--records-bucket <bucket>',
  'also show the restore-test status of every target (the run records bucket; or SHIPYARD_RECORDS_BUCKET)',
] as const;

/**
 * Prints the list result, with `verification` rows (JSON) and a restore-test block (text)
 * when a records bucket is known; without one the list is as before.
 */
export async function listWithVerification(
  global: GlobalOptions,
  options: { recordsBucket?: string },
  output: Output,
  data: Record<string, unknown>,
  text: () => string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const bucket = options.recordsBucket ?? (env.SHIPYARD_RECORDS_BUCKET || undefined);
  if (bucket === undefined) {
    output.result(data, text);
    return;
  }
  const config = loadConfigFile(global.config ?? DEFAULT_CONFIG_FILE);
  const rows = await verificationStatuses(verifyDeps(global, bucket), config.backupPolicies);
  output.result({ ...data, verification: rows }, () => `${text()}\n\n${verificationStatusText(rows)}`);
}
