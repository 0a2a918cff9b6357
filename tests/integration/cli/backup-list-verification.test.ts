/**
 * `shipyard backup list`'s restore-test status per target, read from the verification store
 * in the local cloud: verified (date, seconds to restore) / failed (reason) / never verified,
 * for the targets with a backup of ours in each verify region and the foreign AMIs the store
 * has results for; `--json` carries the same rows.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { listWithVerification, verificationStatusText } from '../../../cli/backup/verification-status.ts';
import type { Output } from '../../../cli/output.ts';
import type { VerificationRecord } from '../../../shared/backup/verification-record.ts';
import { writeConfig } from './harness.ts';

const local = useLocalCloud({ clock: { speed: 0 } });
const SOURCE = 'ap-south-1';
const COPY = 'us-west-1';
const BUCKET = 'shipyard-records';

const CONFIG = `
backupPolicies:
  - name: nightly
    schedule: { cron: 'cron(0 2 * * ? *)', timeZone: UTC }
    sourceRegion: ${SOURCE}
    targets: { tags: { Backup: nightly } }
    copyRegions: [{ region: ${COPY} }]
    retention: { keepLast: 2 }
    verify:
      regions:
        - { region: ${SOURCE}, subnetId: subnet-0a1b2c3d, securityGroupId: sg-0a1b2c3d }
        - { region: ${COPY}, subnetId: subnet-0a1b2c3e, securityGroupId: sg-0a1b2c3e }
`;

const ours = (region: string, target: string) => ({
  region,
  name: `shipyard/nightly/${target}/nightly-2026-12-01`,
  blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }],
  tags: { 'shipyard:managed': 'true', 'shipyard:policy': 'nightly', 'shipyard:target': target },
});

const record = (over: Partial<VerificationRecord>): VerificationRecord => ({
  verificationId: 'verify-nightly-1',
  policy: 'nightly',
  target: 'i-0aaaaaaaaaaaaaaa1',
  region: SOURCE,
  imageId: 'ami-0000000000000000a',
  imageCreatedAt: '2026-12-01T20:30:00.000Z',
  ours: true,
  status: 'passed',
  secondsToPass: 95,
  finishedAt: '2026-12-02T03:05:00.000Z',
  ...over,
});

class CapturingOutput implements Output {
  json = false;
  data: unknown;
  text = '';
  result(data: unknown, human: () => string) {
    this.data = data;
    this.text = human();
  }
  progress() {}
}

describe('backup list: restore-test status per target', () => {
  it('shows verified / failed / never verified per target and region, in text and JSON', async () => {
    // Prepare: two targets with backups in both regions; results for three of the four pairs and a foreign AMI.
    await local().control.seed({
      s3: { buckets: [{ name: BUCKET }] },
      ec2: {
        images: [
          ours(SOURCE, 'i-0aaaaaaaaaaaaaaa1'),
          ours(COPY, 'i-0aaaaaaaaaaaaaaa1'),
          ours(SOURCE, 'i-0bbbbbbbbbbbbbbb2'),
          ours(COPY, 'i-0bbbbbbbbbbbbbbb2'),
        ],
      },
    });
    const s3 = new S3Client({ ...clientConfig(local().url, SOURCE), forcePathStyle: true });
    const records = [
      record({
        status: 'failed',
        reason: 'instance status check impaired',
        finishedAt: '2026-12-01T03:05:00.000Z',
        verificationId: 'v0',
      }),
      record({}),
      record({
        region: COPY,
        status: 'failed',
        reason: 'timeout: not passed within 900 s',
        secondsToPass: undefined,
      }),
      record({ target: 'i-0bbbbbbbbbbbbbbb2', region: SOURCE, secondsToPass: 130 }),
      record({
        target: 'ami-0123456789abcdef0',
        imageId: 'ami-0123456789abcdef0',
        region: COPY,
        ours: false,
        secondsToPass: 80,
      }),
    ];
    for (const r of records)
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `verifications/${r.region}/${r.imageId}/${r.verificationId}-${r.target}.json`,
          Body: JSON.stringify(r),
        }),
      );
    const output = new CapturingOutput();
    // Act
    await listWithVerification(
      { endpoint: local().url, region: SOURCE, config: writeConfig(CONFIG) },
      { recordsBucket: BUCKET },
      output,
      { executions: [] },
      () => 'no executions',
      {},
    );
    // Assess
    expect((output.data as { verification: unknown[] }).verification).toEqual([
      {
        policy: 'nightly',
        target: 'ami-0123456789abcdef0',
        region: COPY,
        status: 'verified',
        imageId: 'ami-0123456789abcdef0',
        at: '2026-12-02T03:05:00.000Z',
        secondsToPass: 80,
      },
      {
        policy: 'nightly',
        target: 'i-0aaaaaaaaaaaaaaa1',
        region: SOURCE,
        status: 'verified',
        imageId: 'ami-0000000000000000a',
        at: '2026-12-02T03:05:00.000Z',
        secondsToPass: 95,
      },
      {
        policy: 'nightly',
        target: 'i-0aaaaaaaaaaaaaaa1',
        region: COPY,
        status: 'failed',
        imageId: 'ami-0000000000000000a',
        at: '2026-12-02T03:05:00.000Z',
        reason: 'timeout: not passed within 900 s',
      },
      {
        policy: 'nightly',
        target: 'i-0bbbbbbbbbbbbbbb2',
        region: SOURCE,
        status: 'verified',
        imageId: 'ami-0000000000000000a',
        at: '2026-12-02T03:05:00.000Z',
        secondsToPass: 130,
      },
      { policy: 'nightly', target: 'i-0bbbbbbbbbbbbbbb2', region: COPY, status: 'never verified' },
    ]);
    expect(output.text).toBe(
      [
        'no executions',
        '',
        'restore tests (policy  target  region  status):',
        `  nightly  ami-0123456789abcdef0  ${COPY}  verified 2026-12-02 (restored in 80 s)  ami-0123456789abcdef0`,
        `  nightly  i-0aaaaaaaaaaaaaaa1  ${SOURCE}  verified 2026-12-02 (restored in 95 s)  ami-0000000000000000a`,
        `  nightly  i-0aaaaaaaaaaaaaaa1  ${COPY}  FAILED 2026-12-02: timeout: not passed within 900 s  ami-0000000000000000a`,
        `  nightly  i-0bbbbbbbbbbbbbbb2  ${SOURCE}  verified 2026-12-02 (restored in 130 s)  ami-0000000000000000a`,
        `  nightly  i-0bbbbbbbbbbbbbbb2  ${COPY}  never verified`,
      ].join('\n'),
    );
  });

  it('without a records bucket the list is as before (no verification rows)', async () => {
    const output = new CapturingOutput();
    await listWithVerification({ region: SOURCE }, {}, output, { executions: [] }, () => 'no executions', {});
    expect(output.data).toEqual({ executions: [] });
    expect(output.text).toBe('no executions');
  });

  it('says so when no policy verifies', () => {
    expect(verificationStatusText([])).toBe('restore tests: no policy with verify, or no backups yet');
  });
});
