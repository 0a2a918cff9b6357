/**
 * What the backup handlers get besides EC2 in the tests: the deployed policies (what the
 * packaged config would hold), run records in a bucket of the local cloud (the real S3
 * adapter over HTTP), and runs as DiscoverTargets records them.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { RunningLocalCloud } from '@shipyard/local-cloud';
import { clientConfig } from '@shipyard/local-cloud/testing';
import { createS3CopyQueue } from '../../shared/aws/s3-copy-queue.ts';
import { createS3EventWaits } from '../../shared/aws/s3-event-waits.ts';
import { createS3RunFiles } from '../../shared/aws/s3-run-files.ts';
import { createS3RunRecords, runRecordKey } from '../../shared/aws/s3-run-records.ts';
import { RunFileUnreadable } from '../../shared/backup/errors.ts';
import { type DeployedPolicies, deployedPoliciesOf } from '../../shared/backup-service/deployed-policies.ts';
import { policyVersion } from '../../shared/backup-service/policy-version.ts';
import type { CopyQueue } from '../../shared/backup-service/ports/copy-queue.ts';
import type { WaitStore } from '../../shared/backup-service/ports/event-waits.ts';
import type { RunFiles } from '../../shared/backup-service/run-files.ts';
import type { RunRecord, RunRecords } from '../../shared/backup-service/run-records.ts';
import type { Run, Target } from '../../shared/backup-service/state.ts';
import type { BackupPolicy } from '../../shared/config/policies.ts';
import { RESULTS_BUCKET } from './backup-asl.ts';

/** The execution ARN the test harnesses give `$$.Execution.Id`. */
export const executionArnOf = (name: string) =>
  `arn:aws:states:eu-west-1:123456789012:execution:shipyard-dev-backup:${name}`;

/** The run records bucket of the tests (the stack's is BackupRunsBucket). */
const RUNS_BUCKET = 'shipyard-test-backup-runs';

export const deployed = (...policies: BackupPolicy[]): DeployedPolicies => deployedPoliciesOf(policies);

/**
 * Creates a bucket in the local cloud once per state of it (a reset forgets the record with
 * the bucket): a fleet of child executions must not seed it a thousand times.
 */
const ensureBucket = (cloud: RunningLocalCloud, bucket: string): Promise<unknown> => {
  const seeded = cloud.cloud.store(
    'shipyard-tests:seeded-buckets',
    () => new Map<string, Promise<unknown>>(),
  );
  let done = seeded.get(bucket);
  if (done === undefined) {
    done = cloud.control.seed({ s3: { buckets: [{ name: bucket }] } });
    seeded.set(bucket, done);
  }
  return done;
};

/** Run records in the local cloud (the bucket is created, idempotently, on first use). */
export function localRunRecords(local: () => RunningLocalCloud, bucket = RUNS_BUCKET): RunRecords {
  const records = async () => {
    const cloud = local();
    await ensureBucket(cloud, bucket);
    return createS3RunRecords({ bucket, client: localS3(local) });
  };
  return {
    record: async (record) => (await records()).record(record),
    recordedRunIds: async (policy) => (await records()).recordedRunIds(policy),
  };
}

/**
 * One S3 client per local cloud: a client per call would resolve its configuration and open
 * a connection each time (a thousand-target run makes thousands of these calls).
 */
const s3Clients = new Map<string, S3Client>();

/** The S3 client of the local cloud (path-style, us-east-1). */
export const localS3 = (local: () => RunningLocalCloud): S3Client => {
  const { url } = local();
  let client = s3Clients.get(url);
  if (client === undefined) {
    client = new S3Client({ ...clientConfig(url, 'us-east-1'), maxAttempts: 2 });
    s3Clients.set(url, client);
  }
  return client;
};

/** The run's files in the local cloud's results bucket (created, idempotently, on first use). */
export function localRunFiles(local: () => RunningLocalCloud, bucket = RESULTS_BUCKET): RunFiles {
  const files = async () => {
    await ensureBucket(local(), bucket);
    return createS3RunFiles({ bucket, client: localS3(local) });
  };
  return {
    bucket: () => bucket,
    putJson: async (key, body) => (await files()).putJson(key, body),
    getJson: async (location) => (await files()).getJson(location),
  };
}

/**
 * An S3 adapter over a bucket of the local cloud, made on first use (the bucket created then)
 * and again when the cloud restarts: one client for every call (a fleet parks thousands).
 */
function onLocalBucket<T>(
  local: () => RunningLocalCloud,
  bucket: string,
  make: (client: S3Client) => T,
): () => Promise<T> {
  let made: { url: string; adapter: T } | undefined;
  return async () => {
    await ensureBucket(local(), bucket);
    if (made?.url !== local().url) {
      // Thousands of children park at once: the SDK's standard retries ride out a reset socket.
      const client = new S3Client({ ...clientConfig(local().url, 'us-east-1'), maxAttempts: 4 });
      made = { url: local().url, adapter: make(client) };
    }
    return made.adapter;
  };
}

/** Parked waits in the local cloud's results bucket (the real S3 adapter). */
export function localWaitStore(local: () => RunningLocalCloud, bucket = RESULTS_BUCKET): WaitStore {
  const store = onLocalBucket(local, bucket, (client) => createS3EventWaits({ bucket, client }));
  return {
    put: async (region, id, wait) => (await store()).put(region, id, wait),
    get: async (region, id) => (await store()).get(region, id),
    delete: async (region, id) => (await store()).delete(region, id),
  };
}

/** The run's files in memory (unit tests), with the S3 adapter's errors for a missing or malformed object. */
export function memoryRunFiles(bucket = RESULTS_BUCKET): RunFiles & { stored: Map<string, string> } {
  const stored = new Map<string, string>();
  return {
    stored,
    bucket: () => bucket,
    putJson: async (key, body) => {
      stored.set(`${bucket}/${key}`, JSON.stringify(body));
      return { bucket, key };
    },
    getJson: async ({ bucket: b, key }) => {
      const text = stored.get(`${b}/${key}`);
      if (text === undefined) throw new RunFileUnreadable(`s3://${b}/${key}: no such object`);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new RunFileUnreadable(`s3://${b}/${key}: not JSON`);
      }
    },
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

/** The targets DiscoverTargets wrote for the Distributed Map (its ItemReader's items). */
export async function mapItemsOf(
  files: RunFiles,
  out: { files: { bucket: string; itemsKey: string } },
): Promise<Target[]> {
  return (await files.getJson({ bucket: out.files.bucket, key: out.files.itemsKey })) as Target[];
}

/**
 * What the Distributed Map's ResultWriter exports for these child outcomes (Step Functions
 * Developer Guide, "ResultWriter (Map)"): SUCCEEDED_0.json with each child's Output, the
 * manifest naming it; returns the Map's output. Unit tests of Summarize use it.
 */
export async function exportedResults(
  files: RunFiles,
  outcomes: { target: Target }[],
  prefix = 'results/test',
): Promise<{ MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } }> {
  const mapRunArn = 'arn:aws:states:eu-west-1:123456789012:mapRun:shipyard-dev-backup/BackupTargets:test';
  const children = outcomes.map((outcome, index) => ({
    ExecutionArn: `${mapRunArn}:${index}`,
    Name: String(index),
    Status: 'SUCCEEDED',
    Input: JSON.stringify({ backup: { target: outcome.target } }),
    Output: JSON.stringify(outcome),
  }));
  const succeeded = await files.putJson(`${prefix}/SUCCEEDED_0.json`, children);
  const manifest = await files.putJson(`${prefix}/manifest.json`, {
    DestinationBucket: succeeded.bucket,
    MapRunArn: mapRunArn,
    ResultFiles: { SUCCEEDED: [{ Key: succeeded.key, Size: 1 }], FAILED: [], PENDING: [] },
  });
  return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: manifest.bucket, Key: manifest.key } };
}

/** The copy queue in the local cloud's results bucket (the real S3 adapter). */
export function localCopyQueue(local: () => RunningLocalCloud, bucket = RESULTS_BUCKET): CopyQueue {
  const queue = onLocalBucket(local, bucket, (client) => createS3CopyQueue({ bucket, client }));
  return {
    put: async (region, key, entry) => (await queue()).put(region, key, entry),
    list: async (region, max) => (await queue()).list(region, max),
    get: async (region, key) => (await queue()).get(region, key),
    delete: async (region, key) => (await queue()).delete(region, key),
    claimSweep: async (region, now, everyMs) => (await queue()).claimSweep(region, now, everyMs),
    takeDrainLease: async (region, now, staleMs) => (await queue()).takeDrainLease(region, now, staleMs),
    renewDrainLease: async (region, lease) => (await queue()).renewDrainLease(region, lease),
    releaseDrainLease: async (region, lease) => (await queue()).releaseDrainLease(region, lease),
    requestDrain: async (region) => (await queue()).requestDrain(region),
    clearDrainRequest: async (region) => (await queue()).clearDrainRequest(region),
    drainRequested: async (region) => (await queue()).drainRequested(region),
  };
}
