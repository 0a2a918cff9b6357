import { describe, expect, it } from 'vitest';
import { planRetention } from '../../../shared/backup/retention.ts';
import {
  actionTargetId,
  interpretDeleteSnapshot,
  interpretDeregisterImage,
  rotationReport,
} from '../../../shared/backup/rotation-outcomes.ts';
import { baseInput, imageBackup } from './inventory-builders.ts';

describe('interpretDeleteSnapshot', () => {
  it.each([
    { error: undefined, expected: { resource: 'snapshot', id: 'snap-1', outcome: 'deleted' } },
    {
      error: { code: 'InvalidSnapshot.InUse', message: 'The snapshot snap-1 is currently in use by ami-9' },
      expected: {
        resource: 'snapshot',
        id: 'snap-1',
        outcome: 'skipped-in-use',
        detail: 'InvalidSnapshot.InUse: The snapshot snap-1 is currently in use by ami-9',
      },
    },
    {
      error: { code: 'InvalidSnapshot.NotFound' },
      expected: {
        resource: 'snapshot',
        id: 'snap-1',
        outcome: 'already-gone',
        detail: 'InvalidSnapshot.NotFound',
      },
    },
    {
      error: { code: 'RequestLimitExceeded', message: 'slow down' },
      expected: {
        resource: 'snapshot',
        id: 'snap-1',
        outcome: 'failed',
        detail: 'RequestLimitExceeded: slow down',
        retryable: true,
      },
    },
    {
      error: { code: 'UnauthorizedOperation' },
      expected: {
        resource: 'snapshot',
        id: 'snap-1',
        outcome: 'failed',
        detail: 'UnauthorizedOperation',
        retryable: false,
      },
    },
  ])('$error.code', ({ error, expected }) => {
    expect(interpretDeleteSnapshot('snap-1', error)).toEqual(expected);
  });
});

describe('interpretDeregisterImage', () => {
  it('reports the AMI and each associated snapshot', () => {
    expect(
      interpretDeregisterImage('ami-1', {
        deleteSnapshotResults: [
          { snapshotId: 'snap-a', returnCode: 'success' },
          { snapshotId: 'snap-b', returnCode: 'skipped' },
          { snapshotId: 'snap-c', returnCode: 'missing-permissions' },
          { snapshotId: 'snap-d', returnCode: 'internal-error' },
        ],
      }),
    ).toEqual([
      { resource: 'image', id: 'ami-1', outcome: 'deleted' },
      { resource: 'snapshot', id: 'snap-a', outcome: 'deleted' },
      { resource: 'snapshot', id: 'snap-b', outcome: 'skipped-in-use', detail: 'skipped' },
      {
        resource: 'snapshot',
        id: 'snap-c',
        outcome: 'failed',
        detail: 'missing-permissions',
        retryable: false,
      },
      { resource: 'snapshot', id: 'snap-d', outcome: 'failed', detail: 'internal-error', retryable: true },
    ]);
  });

  it.each([
    ['InvalidAMIID.NotFound', 'already-gone'],
    ['InvalidAMIID.Unavailable', 'already-gone'],
    ['UnauthorizedOperation', 'failed'],
  ])('%s → %s', (code, outcome) => {
    expect(interpretDeregisterImage('ami-1', { error: { code } })[0]?.outcome).toBe(outcome);
  });
});

describe('rotationReport', () => {
  const backups = ['d0', 'd1', 'd2'].map((r, i) => imageBackup(r, `2026-11-${20 - i}T01:00:00Z`));
  const plan = planRetention(
    baseInput({
      retention: { keepLast: 1 },
      images: backups.map((b) => b.image),
      snapshots: backups.flatMap((b) => b.snapshots),
    }),
  );

  it('on a dry run lists what the plan would delete and touches nothing', () => {
    expect(rotationReport(plan)).toEqual({
      dryRun: true,
      deleted: ['ami-d1', 'snap-d1-0', 'ami-d2', 'snap-d2-0'],
      keptBackups: 1, // ami-d0 with snap-d0-0: one backup, not two resources
      notOurs: 0,
      skippedInUse: [],
      alreadyGone: [],
      failed: [],
      deferredBackups: 0,
    });
  });

  it('folds executed outcomes: in-use and gone are reported, not failures', () => {
    const outcomes = [
      ...interpretDeregisterImage('ami-d2', {
        deleteSnapshotResults: [{ snapshotId: 'snap-d2-0', returnCode: 'skipped' }],
      }),
      ...interpretDeregisterImage('ami-d1', { error: { code: 'InvalidAMIID.NotFound' } }),
    ];
    const report = rotationReport(plan, outcomes);
    expect(report).toMatchObject({
      dryRun: false,
      deleted: ['ami-d2'],
      skippedInUse: ['snap-d2-0'],
      alreadyGone: ['ami-d1'],
      failed: [],
    });
  });

  it('names the resource of each action', () => {
    expect(plan.actions.map(actionTargetId)).toEqual(['ami-d2', 'ami-d1']);
  });
});
