/**
 * What the backup handlers get besides EC2 in the tests: the deployed policies (what the
 * packaged config would hold), run records in a bucket of the local cloud (the real S3
 * adapter over HTTP), and runs as DiscoverTargets records them.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { RunningLocalCloud } from '@shipyard/local-cloud';
import { clientConfig } from '@shipyard/local-cloud/testing';
import { createS3RunRecords, runRecordKey } from '../../shared/aws/s3-run-records.ts';
import { type DeployedPolicies, deployedPoliciesOf } from '../../shared/backup-service/deployed-policies.ts';
import { policyVersion } from '../../shared/backup-service/policy-version.ts';
import type { RunRecord, RunRecords } from '../../shared/backup-service/run-records.ts';
import type { Run } from '../../shared/backup-service/state.ts';
import type { BackupPolicy } from '../../shared/config/policies.ts';

/** The execution ARN the test harnesses give `$$.Execution.Id`. */
export const executionArnOf = (name: string) =>
  `arn:aws:states:eu-west-1:123456789012:execution:shipyard-dev-backup:${name}`;

/** The run records bucket of the tests (the stack's is BackupRunsBucket). */
const RUNS_BUCKET = 'shipyard-test-backup-runs';

export const deployed = (...policies: BackupPolicy[]): DeployedPolicies => deployedPoliciesOf(policies);

/** Run records in the local cloud (the bucket is created, idempotently, on first use). */
export function localRunRecords(local: () => RunningLocalCloud, bucket = RUNS_BUCKET): RunRecords {
  const records = () => {
    const cloud = local();
    return cloud.control.seed({ s3: { buckets: [{ name: bucket }] } }).then(() =>
      createS3RunRecords({
        bucket,
        client: new S3Client({ ...clientConfig(cloud.url, 'us-east-1'), maxAttempts: 2 }),
      }),
    );
  };
  return {
    record: async (record) => (await records()).record(record),
    recordedRunIds: async (policy) => (await records()).recordedRunIds(policy),
  };
}

/** For handlers that must never touch run records (any use fails the test). */
export const unusedRunRecords: RunRecords = {
  record: () => Promise.reject(new Error('this step must not record runs')),
  recordedRunIds: () => Promise.reject(new Error('this step must not read run records')),
};

/** A run as DiscoverTargets hands it to the later steps. */
export const runOf = (policy: BackupPolicy, runId: string, startedAt: string, dryRun = false): Run => ({
  policy,
  runId,
  policyVersion: policyVersion(policy),
  dryRun,
  startedAt,
});

/**
 * The `s3` seed recording earlier runs of a policy (as their DiscoverTargets would have), so
 * rotation knows their backups for Shipyard's.
 */
export const runRecordsSeed = (runs: { policy: string; runId: string; startedAt: string }[]) => ({
  buckets: [
    {
      name: RUNS_BUCKET,
      objects: runs.map((r) => ({
        key: runRecordKey(r.policy, r.runId),
        contentType: 'application/json',
        body: JSON.stringify({
          policy: r.policy,
          runId: r.runId,
          policyVersion: `sha256:${'0'.repeat(64)}`,
          startedAt: r.startedAt,
          dryRun: false,
          targets: [],
          execution: { id: executionArnOf(r.runId), startTime: r.startedAt },
        } satisfies RunRecord),
      })),
    },
  ],
});

/**
 * Run records in memory, create-only like the S3 adapter (unit tests without a local
 * cloud; the adapter itself is tested against the local cloud's S3).
 */
export function memoryRunRecords(): RunRecords & { stored: Map<string, RunRecord> } {
  const stored = new Map<string, RunRecord>();
  return {
    stored,
    record: async (record) => {
      const key = runRecordKey(record.policy, record.runId);
      const existing = stored.get(key);
      if (existing !== undefined) return { created: false, existing };
      stored.set(key, record);
      return { created: true };
    },
    recordedRunIds: async (policy) =>
      [...stored.values()]
        .filter((r) => r.policy === policy)
        .map((r) => r.runId)
        .sort(),
  };
}

/** DiscoverTargets' task input: the execution input and the execution's identity. */
export const discoverEvent = (input: unknown, name: string, startTime = '2026-01-01T00:00:00.000Z') => ({
  input,
  execution: { name, id: executionArnOf(name), startTime },
});
