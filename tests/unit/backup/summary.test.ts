import { describe, expect, it } from 'vitest';
import {
  buildRunSummary,
  failureFromCatch,
  type RunSummaryInput,
  runSummaryInputSchema,
  type TargetResult,
} from '../../../shared/backup/summary.ts';

const rotation = {
  dryRun: false,
  deleted: ['ami-old'],
  keptBackups: 1,
  notOurs: 0,
  skippedInUse: [],
  alreadyGone: [],
  failed: [],
  deferredBackups: 0,
};

const okTarget: TargetResult = {
  target: 'i-1',
  kind: 'instance',
  startedAt: '2026-11-20T01:00:00Z',
  finishedAt: '2026-11-20T01:12:00Z',
  regions: [
    {
      region: 'eu-west-1',
      role: 'source',
      status: 'succeeded',
      imageId: 'ami-src',
      snapshotIds: ['snap-1', 'snap-2'],
      startedAt: '2026-11-20T01:00:00Z',
      finishedAt: '2026-11-20T01:05:00Z',
      rotation,
    },
    {
      region: 'us-east-1',
      role: 'copy',
      status: 'succeeded',
      imageId: 'ami-copy',
      snapshotIds: ['snap-3', 'snap-4'],
      rotation,
    },
  ],
};

const input = (targets: TargetResult[]): RunSummaryInput => ({
  policy: 'nightly',
  runId: 'nightly-2026-11-20',
  dryRun: false,
  startedAt: '2026-11-20T01:00:00Z',
  finishedAt: '2026-11-20T01:20:00Z',
  targets,
});

describe('buildRunSummary', () => {
  it('summarizes a fully successful run', () => {
    const summary = buildRunSummary(input([okTarget]));
    expect(summary.overallStatus).toBe('succeeded');
    expect(summary.durationSeconds).toBe(1200);
    expect(summary.totals).toEqual({
      targets: 1,
      succeeded: 1,
      failed: 0,
      images: 2,
      snapshots: 4,
      deleted: 2,
      rotationFailures: 0,
    });
    expect(summary.targets[0]).toMatchObject({
      target: 'i-1',
      status: 'succeeded',
      durationSeconds: 720,
      failures: [],
    });
    expect(summary.targets[0]?.regions[0]).toMatchObject({
      region: 'eu-west-1',
      imageId: 'ami-src',
      durationSeconds: 300,
    });
  });

  it.each([
    {
      name: 'a snapshot error fails the target',
      target: {
        ...okTarget,
        regions: [],
        failure: { error: 'SnapshotFailed', reason: 'snap-1: volume unavailable', step: 'snapshot' },
      },
      failures: ['snapshot: SnapshotFailed: snap-1: volume unavailable'],
    },
    {
      name: 'one failed copy region fails the target, the other region stays',
      target: {
        ...okTarget,
        regions: [
          okTarget.regions[0],
          {
            region: 'us-east-1',
            role: 'copy',
            status: 'failed',
            failure: { error: 'ImageCopyFailed', reason: 'bad key', step: 'copy' },
          },
        ],
      } as TargetResult,
      failures: ['us-east-1: copy: ImageCopyFailed: bad key'],
    },
    {
      name: 'a failed rotation deletion fails the target',
      target: {
        ...okTarget,
        regions: [
          {
            ...okTarget.regions[0],
            rotation: {
              ...rotation,
              failed: [{ id: 'snap-9', detail: 'UnauthorizedOperation', retryable: false }],
            },
          },
        ],
      } as TargetResult,
      failures: ['eu-west-1: rotate: snap-9: UnauthorizedOperation'],
    },
  ])('$name; the run is failed', ({ target, failures }) => {
    const summary = buildRunSummary(input([okTarget, target]));
    expect(summary.overallStatus).toBe('failed');
    expect(summary.totals.failed).toBe(1);
    expect(summary.targets[0]?.status).toBe('succeeded');
    expect(summary.targets[1]?.failures).toEqual(failures);
  });

  it('does not fail on in-use and already-gone rotation items', () => {
    const target = {
      ...okTarget,
      regions: [
        {
          ...okTarget.regions[0],
          rotation: { ...rotation, skippedInUse: ['snap-x'], alreadyGone: ['ami-y'] },
        },
      ],
    } as TargetResult;
    expect(buildRunSummary(input([target])).overallStatus).toBe('succeeded');
  });

  it('warns when nothing was discovered or deletions were deferred', () => {
    expect(buildRunSummary(input([])).warnings).toEqual(['no targets discovered']);
    const deferred = {
      ...okTarget,
      regions: [{ ...okTarget.regions[0], rotation: { ...rotation, deferredBackups: 2 } }],
    } as TargetResult;
    expect(buildRunSummary(input([deferred])).warnings).toEqual([
      '2 backup(s) due for deletion deferred by maxDeletesPerRun',
    ]);
  });

  it('validates its input strictly at the boundary', () => {
    expect(runSummaryInputSchema.safeParse(input([okTarget])).success).toBe(true);
    expect(runSummaryInputSchema.safeParse({ ...input([okTarget]), dryrun: true }).success).toBe(false);
  });
});

describe('failureFromCatch', () => {
  it.each([
    {
      caught: {
        Error: 'SnapshotFailed',
        Cause: '{"errorType":"SnapshotFailed","errorMessage":"snap-1: disk","trace":[]}',
      },
      expected: { error: 'SnapshotFailed', reason: 'snap-1: disk', step: 'snapshot' },
    },
    {
      caught: { Error: 'States.Timeout', Cause: 'Task timed out' },
      expected: { error: 'States.Timeout', reason: 'Task timed out', step: 'snapshot' },
    },
    { caught: {}, expected: { error: 'Unknown', reason: '', step: 'snapshot' } },
  ])('$caught.Error', ({ caught, expected }) => {
    expect(failureFromCatch(caught, 'snapshot')).toEqual(expected);
  });
});
