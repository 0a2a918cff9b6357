/**
 * S3 conditional writes in the local cloud, and the run records adapter on top of them.
 * Source: PutObject API reference, IfNoneMatch (botocore s3 model): "Uploads the object only
 * if the object key name does not already exist in the bucket specified. Otherwise, Amazon S3
 * returns a 412 Precondition Failed error"; S3 User Guide, "How to prevent object overwrites
 * with conditional writes" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { recordRun } from '../../../shared/backup-service/run-records.ts';
import { localRunRecords } from '../../helpers/backup-deps.ts';

const local = useLocalCloud();
const record = (startTime: string) => ({
  policy: 'nightly',
  runId: 'nightly-2026-02-01',
  policyVersion: `sha256:${'a'.repeat(64)}`,
  startedAt: '2026-02-01T00:30:00.000Z',
  dryRun: false,
  targets: ['i-0aaaaaaaaaaaaaaa1'],
  execution: { id: 'arn:aws:states:eu-west-1:123456789012:execution:m:nightly-2026-02-01', startTime },
});

describe('S3 PutObject with If-None-Match: * (local cloud)', () => {
  it('stores a new key, refuses an existing one with 412 PreconditionFailed and keeps the first body', async () => {
    // Prepare
    await local().control.seed({ s3: { buckets: [{ name: 'conditional' }] } });
    const s3 = new S3Client({ ...clientConfig(local().url), maxAttempts: 1 });
    const put = (body: string) =>
      s3.send(new PutObjectCommand({ Bucket: 'conditional', Key: 'k', Body: body, IfNoneMatch: '*' }));
    // Act
    await put('first');
    const second = await put('second').catch((e: unknown) => e);
    // Assess
    expect(second).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'conditional', Key: 'k' }));
    expect(await got.Body?.transformToString()).toBe('first');
  });
});

describe('run records over S3 conditional writes', () => {
  it('records a run once: another execution is refused, the same execution (a retry) gets its record back', async () => {
    // Prepare
    const records = localRunRecords(local);
    // Act
    const first = await recordRun(records, record('2026-02-01T00:30:00.000Z'));
    const retry = await recordRun(records, {
      ...record('2026-02-01T00:30:00.000Z'),
      startedAt: '2026-02-01T00:31:00.000Z',
    });
    const other = await recordRun(records, record('2026-05-02T00:30:00.000Z')).catch((e: unknown) => e);
    // Assess
    expect(retry).toEqual(first);
    expect(other).toMatchObject({ name: 'RunAlreadyRecorded' });
    expect(await records.recordedRunIds('nightly')).toEqual(['nightly-2026-02-01']);
    expect(await records.recordedRunIds('weekly')).toEqual([]);
    const puts = (await local().control.counters()).calls.filter(
      (c) => c.service === 's3' && c.action === 'PutObject',
    );
    expect(puts.reduce((n, c) => n + c.count, 0)).toBe(3);
  });
});
