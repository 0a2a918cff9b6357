import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/backup-summarize/handler.ts';
import { silentLogger } from '../../../shared/backup-service/deps.ts';
import { failedStep } from '../../../shared/backup-service/outcome.ts';
import type { BackupState } from '../../../shared/backup-service/state.ts';
import { createMemoryMetrics } from '../../../shared/logging/metrics.ts';
import { deployed, runOf, unusedRunRecords } from '../../helpers/backup-deps.ts';
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
const summarize = makeHandler({
  ec2: () => {
    throw new Error('no EC2 here');
  },
  logger: silentLogger,
  now: () => new Date('2026-02-01T01:00:00Z'),
  policies: deployed(policy()),
  runRecords: unusedRunRecords,
});

describe('summarize', () => {
  it('a failed copy region fails its target (and the run) but keeps the other regions', async () => {
    const { summary, failed, message } = await summarize({ run, targets: [target], results: [done] });
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
    const { summary } = await summarize({ run, targets: [target], results: [failedTarget] });
    expect(summary.targets[0]?.failures).toEqual([`${SOURCE}: snapshot: SnapshotFailed: snap-1: disk error`]);
    expect(summary.targets[0]?.regions.map((r) => r.status)).toEqual(['failed', 'skipped', 'skipped']);
  });

  it('succeeds when every target succeeded', async () => {
    const ok: BackupState = { ...done, copies: done.copies?.slice(0, 1), share: { regions: [] } };
    const { failed, message } = await summarize({
      run: { ...run, policy: policy({ copyRegions: [{ region: COPY_A }] }) },
      targets: [target],
      results: [ok],
    });
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
      metrics,
    });
    // Act: one target whose copy failed
    await withMetrics({ run, targets: [target], results: [done] });
    // Assess
    expect(metrics.recorded).toEqual([
      { name: 'BackupsSucceeded', unit: 'Count', value: 0, dimensions: { policy: run.policy.name } },
      { name: 'BackupsFailed', unit: 'Count', value: 1, dimensions: { policy: run.policy.name } },
    ]);
    expect(metrics.flushes).toBe(1);
  });
});
