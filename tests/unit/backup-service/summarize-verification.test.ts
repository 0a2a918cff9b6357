/**
 * The run summary shows each target's restore-test status in the policy's verify regions —
 * verified (date, seconds) / failed (reason) / never verified — the same as `backup list`,
 * and the CLI prints it on the region's line.
 */
import { describe, expect, it } from 'vitest';
import { executionText } from '../../../cli/backup/render.ts';
import { makeHandler } from '../../../functions/backup-summarize/handler.ts';
import type { VerificationRecord } from '../../../shared/backup/verification-record.ts';
import { silentLogger } from '../../../shared/backup-service/deps.ts';
import type { BackupState } from '../../../shared/backup-service/state.ts';
import {
  deployed,
  exportedResults,
  memoryRunFiles,
  runOf,
  unusedRunRecords,
} from '../../helpers/backup-deps.ts';
import { COPY_A, policy, SOURCE } from '../../workflow/backup/scenario.ts';

const T0 = '2026-02-01T00:30:00.000Z';
const TARGET = 'i-0aaaaaaaaaaaaaaa1';
const poll = { attempt: 2, startedAt: T0, waitSeconds: 0, completedAt: '2026-02-01T00:40:00.000Z' };
const verifying = policy({
  copyRegions: [{ region: COPY_A }],
  share: undefined,
  verify: {
    regions: [
      { region: SOURCE, subnetId: 'subnet-0a1b2c3d', securityGroupId: 'sg-0a1b2c3d' },
      { region: COPY_A, subnetId: 'subnet-0a1b2c3e', securityGroupId: 'sg-0a1b2c3e' },
    ],
  },
});
const done: BackupState = {
  target: { id: TARGET, kind: 'instance', form: 'image' },
  snapshots: {
    ...poll,
    createdAt: T0,
    state: 'completed',
    region: SOURCE,
    snapshots: [{ snapshotId: 'snap-00000001', volumeId: 'vol-00000001', sizeGiB: 8 }],
  },
  image: { ...poll, createdAt: T0, state: 'available', region: SOURCE, imageId: 'ami-00000001', name: 'n' },
  copies: [{ ...poll, state: 'available', region: COPY_A, imageId: 'ami-00000002', name: 'n' }],
};
const passed: VerificationRecord = {
  verificationId: 'verify-nightly-1',
  policy: 'nightly',
  target: TARGET,
  region: SOURCE,
  imageId: 'ami-00000000',
  imageCreatedAt: '2026-01-31T00:30:00.000Z',
  ours: true,
  status: 'passed',
  secondsToPass: 95,
  finishedAt: '2026-01-31T03:05:00.000Z',
};

const summarizeWith = async (records: VerificationRecord[] | undefined) => {
  const files = memoryRunFiles();
  const handler = makeHandler({
    ec2: () => {
      throw new Error('no EC2 here');
    },
    logger: silentLogger,
    now: () => new Date('2026-02-01T01:00:00Z'),
    policies: deployed(verifying),
    runRecords: unusedRunRecords,
    runFiles: files,
    ...(records === undefined ? {} : { verifications: { results: async () => records } }),
  });
  return handler({
    run: runOf(verifying, 'nightly-2026-02-01', T0),
    files: { bucket: files.bucket(), itemsKey: 'items/x.json', resultsPrefix: 'results' },
    targetCount: 1,
    results: await exportedResults(files, [done]),
  });
};

describe('summarize: restore-test status per target', () => {
  it('verified in the source region, never verified in the copy region', async () => {
    const { summary } = await summarizeWith([passed]);
    const regions = summary.targets[0]?.regions ?? [];
    expect(regions.map((r) => [r.region, r.verification])).toEqual([
      [
        SOURCE,
        { status: 'verified', imageId: 'ami-00000000', at: '2026-01-31T03:05:00.000Z', secondsToPass: 95 },
      ],
      [COPY_A, { status: 'never verified' }],
    ]);
    const text = executionText({
      execution: { name: 'n', executionArn: 'arn', status: 'SUCCEEDED' },
      progress: { summary, targets: [] },
      maps: [],
    } as unknown as Parameters<typeof executionText>[0]);
    expect(text).toContain(
      `${SOURCE} (source) succeeded: ami-00000001; restore test verified 2026-01-31 (95 s)`,
    );
    expect(text).toContain(`${COPY_A} (copy) succeeded: ami-00000002; never verified`);
  });

  it('a failed latest test shows its reason; without a store there is no status', async () => {
    const failed = {
      ...passed,
      status: 'failed' as const,
      reason: 'instance status check impaired',
      finishedAt: '2026-01-31T04:00:00.000Z',
    };
    const { summary } = await summarizeWith([passed, failed]);
    expect(summary.targets[0]?.regions[0]?.verification).toMatchObject({
      status: 'failed',
      reason: 'instance status check impaired',
    });
    const without = await summarizeWith(undefined);
    expect(without.summary.targets[0]?.regions.every((r) => r.verification === undefined)).toBe(true);
  });
});
