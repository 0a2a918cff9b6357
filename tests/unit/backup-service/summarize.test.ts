import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/backup-summarize/handler.ts';
import { silentLogger } from '../../../shared/backup-service/deps.ts';
import { failedStep } from '../../../shared/backup-service/outcome.ts';
import type { BackupState } from '../../../shared/backup-service/state.ts';
import { createMemoryMetrics } from '../../../shared/logging/metrics.ts';
import {
  deployed,
  exportedResults,
  memoryRunFiles,
  runOf,
  unusedRunRecords,
} from '../../helpers/backup-deps.ts';
import { COPY_A, COPY_B, policy, SOURCE } from '../../workflow/backup/scenario.ts';

const T0 = '2026-02-01T00:30:00.000Z';
const run = runOf(policy(), 'nightly-2026-02-01', T0);
const target = { id: 'i-0aaaaaaaaaaaaaaa1', kind: 'instance' as const, form: 'image' as const };
const poll = { attempt: 2, startedAt: T0, waitSeconds: 0, completedAt: '2026-02-01T00:40:00.000Z' };
const report = {
  dryRun: false,
  deleted: ['ami-old'],
  keptBackups: 0,
  notOurs: 0,
  skippedInUse: [],
  alreadyGone: [],
  failed: [],
  deferredBackups: 0,
};
const done: BackupState = {
  target,
  snapshots: {
    ...poll,
    createdAt: T0,
    state: 'completed',
    region: SOURCE,
    snapshots: [{ snapshotId: 'snap-00000001', volumeId: 'vol-00000001', sizeGiB: 8 }],
  },
  image: {
    ...poll,
    createdAt: T0,
    state: 'available',
    region: SOURCE,
    imageId: 'ami-00000001',
    name: 'shipyard/nightly/i-1/r',
  },
  copies: [
    { ...poll, state: 'available', region: COPY_A, imageId: 'ami-00000002', name: 'n' },
    {
      region: COPY_B,
      error: { Error: 'ImageCopyFailed', Cause: 'eu-central-1: ami-3: Client.InvalidKMSKey: bad key' },
    },
  ],
  share: { regions: [{ region: SOURCE, imageId: 'ami-00000001', status: 'shared' }] },
  rotation: { regions: [{ region: SOURCE, report }] },
};
const files = memoryRunFiles();
const summarize = makeHandler({
  ec2: () => {
    throw new Error('no EC2 here');
  },
  logger: silentLogger,
  now: () => new Date('2026-02-01T01:00:00Z'),
  policies: deployed(policy()),
  runRecords: unusedRunRecords,
  runFiles: files,
});
/** Summarize's input after the Distributed Map exported these outcomes. */
const exportedInput = async (outcomes: BackupState[], r = run) => ({
  run: r,
  files: { bucket: files.bucket(), itemsKey: 'items/x.json', resultsPrefix: 'results' },
  targetCount: outcomes.length,
  results: await exportedResults(files, outcomes),
});

describe('summarize', () => {
  it('a failed copy region fails its target (and the run) but keeps the other regions', async () => {
    const { summary, failed, message } = await summarize(await exportedInput([done]));
    expect(failed).toBe(true);
    expect(message).toContain('Client.InvalidKMSKey');
    const [result] = summary.targets;
    expect(result?.regions.map((r) => [r.region, r.status, r.imageId])).toEqual([
      [SOURCE, 'succeeded', 'ami-00000001'],
      [COPY_A, 'succeeded', 'ami-00000002'],
      [COPY_B, 'failed', undefined],
    ]);
    expect(result?.regions[0]?.rotation?.deleted).toEqual(['ami-old']);
  });

  it('a snapshot failure is the source region\'s failure at step "snapshot", copies skipped', async () => {
    const failedTarget: BackupState = {
      target,
      error: { Error: 'SnapshotFailed', Cause: 'snap-1: disk error' },
    };
    expect(failedStep(failedTarget)).toBe('snapshot');
    const { summary } = await summarize(await exportedInput([failedTarget]));
    expect(summary.targets[0]?.failures).toEqual([`${SOURCE}: snapshot: SnapshotFailed: snap-1: disk error`]);
    expect(summary.targets[0]?.regions.map((r) => r.status)).toEqual(['failed', 'skipped', 'skipped']);
  });

  it('succeeds when every target succeeded', async () => {
    const ok: BackupState = { ...done, copies: done.copies?.slice(0, 1), share: { regions: [] } };
    const { failed, message } = await summarize(
      await exportedInput([ok], { ...run, policy: policy({ copyRegions: [{ region: COPY_A }] }) }),
    );
    expect(failed).toBe(false);
    expect(message).toBe('nightly nightly-2026-02-01: 1/1 targets backed up');
  });
});

describe('summarize metrics', () => {
  it('counts succeeded and failed targets per policy and flushes them', async () => {
    // Prepare
    const metrics = createMemoryMetrics();
    const withMetrics = makeHandler({
      ec2: () => {
        throw new Error('no EC2 here');
      },
      logger: silentLogger,
      now: () => new Date('2026-02-01T01:00:00Z'),
      policies: deployed(policy()),
      runRecords: unusedRunRecords,
      runFiles: files,
      metrics,
    });
    // Act: one target whose copy failed
    await withMetrics(await exportedInput([done]));
    // Assess
    expect(metrics.recorded).toEqual([
      { name: 'BackupsSucceeded', unit: 'Count', value: 0, dimensions: { policy: run.policy.name } },
      { name: 'BackupsFailed', unit: 'Count', value: 1, dimensions: { policy: run.policy.name } },
    ]);
    expect(metrics.flushes).toBe(1);
  });
});

/**
 * The outcomes come from what the Distributed Map's ResultWriter exported (Step Functions
 * Developer Guide, "ResultWriter (Map)": manifest.json lists SUCCEEDED / FAILED / PENDING
 * files, each an array of child executions with Input, Output or Error and Cause).
 */
describe('summarize reads the Map results from S3', () => {
  const manifestOf = async (failed: unknown[]) => {
    const base = await exportedResults(files, [done], 'results/failed-children');
    const failedFile = await files.putJson('results/failed-children/FAILED_0.json', failed);
    await files.putJson(base.ResultWriterDetails.Key, {
      DestinationBucket: files.bucket(),
      MapRunArn: base.MapRunArn,
      ResultFiles: {
        SUCCEEDED: [{ Key: 'results/failed-children/SUCCEEDED_0.json', Size: 1 }],
        FAILED: [{ Key: failedFile.key, Size: 1 }],
        PENDING: [],
      },
    });
    return base;
  };
  const other = { id: 'i-0bbbbbbbbbbbbbbb2', kind: 'instance' as const, form: 'image' as const };
  const third = { id: 'i-0ccccccccccccccc3', kind: 'instance' as const, form: 'image' as const };

  it('a failed child is a failed target: its record from the Cause, or Step Functions’ error when the child died', async () => {
    const snapshotFailed = { target: other, error: { Error: 'SnapshotFailed', Cause: 'snap-2: disk error' } };
    const results = await manifestOf([
      {
        Name: 'b',
        Status: 'FAILED',
        Input: JSON.stringify({ backup: { target: other } }),
        Error: 'SnapshotFailed',
        Cause: JSON.stringify(snapshotFailed),
      },
      {
        Name: 'c',
        Status: 'TIMED_OUT',
        Input: JSON.stringify({ backup: { target: third } }),
        Error: 'States.Timeout',
      },
    ]);
    const { summary, failed } = await summarize({
      ...(await exportedInput([done])),
      targetCount: 3,
      results,
    });
    expect(failed).toBe(true);
    expect(summary.targets.map((t) => [t.target, t.status])).toEqual([
      [target.id, 'failed'],
      [other.id, 'failed'],
      [third.id, 'failed'],
    ]);
    expect(summary.targets[1]?.failures).toEqual([`${SOURCE}: snapshot: SnapshotFailed: snap-2: disk error`]);
    expect(summary.targets[2]?.failures[0]).toContain('States.Timeout');
  });

  it.each([
    [
      'a missing manifest',
      { Bucket: 'shipyard-test-backup-results', Key: 'results/none/manifest.json' },
      'no such object',
    ],
  ])('%s is RunFileUnreadable naming the file', async (_name, details, message) => {
    const input = {
      ...(await exportedInput([done])),
      results: { MapRunArn: 'arn:x', ResultWriterDetails: details },
    };
    await expect(summarize(input)).rejects.toMatchObject({
      name: 'RunFileUnreadable',
      message: `s3://${details.Bucket}/${details.Key}: ${message}`,
    });
  });

  it('a malformed manifest or result file is RunFileUnreadable naming the file and the field', async () => {
    const input = await exportedInput([done]);
    const { Key } = input.results.ResultWriterDetails;
    await files.putJson(Key, { DestinationBucket: files.bucket(), MapRunArn: 'arn:x', ResultFiles: 'none' });
    await expect(summarize(input)).rejects.toMatchObject({
      name: 'RunFileUnreadable',
      message: expect.stringMatching(
        /^manifest s3:\/\/shipyard-test-backup-results\/results\/test\/manifest.json: ResultFiles: /,
      ),
    });
    const again = await exportedInput([done]);
    await files.putJson('results/test/SUCCEEDED_0.json', [{ Status: 'SUCCEEDED', Input: '{', Output: '{}' }]);
    await expect(summarize(again)).rejects.toMatchObject({
      name: 'RunFileUnreadable',
      message:
        'result file s3://shipyard-test-backup-results/results/test/SUCCEEDED_0.json: [0]: Input: not JSON',
    });
  });

  it('results that do not account for every target of the run are RunFileUnreadable', async () => {
    const input = { ...(await exportedInput([done])), targetCount: 2 };
    await expect(summarize(input)).rejects.toMatchObject({
      name: 'RunFileUnreadable',
      message: expect.stringContaining("the Map's results hold 1 targets, the run has 2"),
    });
  });

  it('the output lists the targets that fit 24 KiB, the failed ones always; the whole summary is in the results bucket', async () => {
    const ok: BackupState = { ...done, copies: done.copies?.slice(0, 1), share: { regions: [] } };
    const okRun = { ...run, policy: policy({ copyRegions: [{ region: COPY_A }] }) };
    const many = Array.from({ length: 120 }, (_, i): BackupState => {
      const id = `i-0${i.toString(16).padStart(16, '0')}`;
      return i === 77
        ? { target: { ...target, id }, error: { Error: 'SnapshotFailed', Cause: 'disk' } }
        : { ...ok, target: { ...target, id } };
    });
    const { summary, failed } = await summarize(await exportedInput(many, okRun));
    expect(failed).toBe(true);
    expect(summary.totals).toMatchObject({ targets: 120, succeeded: 119, failed: 1 });
    expect(Buffer.byteLength(JSON.stringify(summary.targets))).toBeLessThanOrEqual(24 * 1024);
    expect(summary.targets.length).toBeGreaterThan(10);
    const failedId = `i-0${(77).toString(16).padStart(16, '0')}`;
    expect(summary.targets.filter((t) => t.status === 'failed').map((t) => t.target)).toEqual([failedId]);
    expect(summary.targetsOmitted).toBe(120 - summary.targets.length);
    expect(summary.document).toEqual({
      bucket: files.bucket(),
      key: 'summaries/nightly/nightly-2026-02-01.json',
    });
    const whole = (await files.getJson(summary.document as { bucket: string; key: string })) as {
      targets: unknown[];
    };
    expect(whole.targets).toHaveLength(120);
  });
});
