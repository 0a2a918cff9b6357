import { describe, expect, it } from 'vitest';
import { InvalidBackupInput } from '../../../shared/backup/errors.ts';
import { countBackups, planRetention } from '../../../shared/backup/retention.ts';
import { retentionForRegion, retentionKeepsSomething } from '../../../shared/backup/retention-rules.ts';
import { baseInput, deletedIds, imageBackup, managedTagRecord } from './inventory-builders.ts';

const day = (n: number): string =>
  new Date(Date.parse('2026-11-20T01:00:00Z') - n * 86_400_000).toISOString();

/** Backups made `0…count-1` days before 2026-11-20 01:00Z, run ids `d0`, `d1`, … */
function daily(count: number, volumes = 1) {
  const backups = Array.from({ length: count }, (_, i) => imageBackup(`d${i}`, day(i), { volumes }));
  return { images: backups.map((b) => b.image), snapshots: backups.flatMap((b) => b.snapshots) };
}

const imageRuns = (items: { resource: string; runId?: string }[]) =>
  items.filter((i) => i.resource === 'image').map((i) => i.runId);

describe('planRetention rules', () => {
  it.each([
    { name: 'keepLast 3', retention: { keepLast: 3 }, kept: ['d0', 'd1', 'd2'] },
    { name: 'keepLast 0 still keeps the newest', retention: { keepLast: 0 }, kept: ['d0'] },
    { name: 'no rule at all still keeps the newest', retention: {}, kept: ['d0'] },
    // now = 2026-11-20T12:00Z: d2 is 2 days 11 h old, d3 3 days 11 h.
    { name: 'maxAgeDays 3', retention: { maxAgeDays: 3 }, kept: ['d0', 'd1', 'd2'] },
    {
      name: 'union keepLast 2 + maxAgeDays 4',
      retention: { keepLast: 2, maxAgeDays: 4 },
      kept: ['d0', 'd1', 'd2', 'd3'],
    },
    { name: 'gfs daily 2', retention: { gfs: { daily: 2 } }, kept: ['d0', 'd1'] },
    // 2026-11-20 is a Friday; d0…d4 are W47, d5…d9 W46 (Sun 11-15 = d5).
    { name: 'gfs weekly 2', retention: { gfs: { weekly: 2 } }, kept: ['d0', 'd5'] },
    { name: 'gfs monthly 2', retention: { gfs: { monthly: 2 } }, kept: ['d0'] },
  ])('$name', ({ retention, kept }) => {
    // Prepare
    const inventory = daily(10);
    // Act
    const plan = planRetention(baseInput({ retention, ...inventory }));
    // Assess
    expect(imageRuns(plan.keep)).toEqual(kept);
    expect(imageRuns(plan.delete)).toHaveLength(10 - kept.length);
  });

  it('explains each decision in one line', () => {
    const plan = planRetention(
      baseInput({ retention: { keepLast: 2, maxAgeDays: 1, gfs: { weekly: 1 } }, ...daily(4) }),
    );
    expect(plan.keep.filter((i) => i.resource === 'image').map((i) => i.reason)).toEqual([
      'kept: newest available backup, among the newest 2, not older than 1 days, gfs weekly 2026-W47',
      'kept: among the newest 2',
    ]);
    expect(plan.delete.find((i) => i.resource === 'image')?.reason).toBe(
      'delete: not among the newest 2, older than 1 days, not a gfs keeper (weekly 1); no keep rule applies',
    );
  });

  it('deregisters with DeleteAssociatedSnapshots, oldest first, and deletes no snapshot separately', () => {
    const plan = planRetention(baseInput({ retention: { keepLast: 1 }, ...daily(3, 2) }));
    expect(plan.actions).toEqual([
      {
        type: 'deregister-image',
        imageId: 'ami-d2',
        deleteAssociatedSnapshots: true,
        associatedSnapshotIds: ['snap-d2-0', 'snap-d2-1'],
        reason: 'not among the newest 1; no keep rule applies',
      },
      {
        type: 'deregister-image',
        imageId: 'ami-d1',
        deleteAssociatedSnapshots: true,
        associatedSnapshotIds: ['snap-d1-0', 'snap-d1-1'],
        reason: 'not among the newest 1; no keep rule applies',
      },
    ]);
    expect(plan.delete.find((i) => i.id === 'snap-d1-0')?.reason).toMatch(
      /^delete: with AMI ami-d1 \(DeleteAssociatedSnapshots\)/,
    );
  });
});

describe('planRetention safety', () => {
  it('lists unmanaged, other-policy and other-target resources as ignored and never selects them', () => {
    // Prepare
    const ours = daily(3);
    const strangers = [
      imageBackup('x1', day(30), { owner: { managed: false }, idSuffix: 'unmanaged' }),
      imageBackup('x2', day(30), { owner: { policy: 'weekly' }, idSuffix: 'policy' }),
      imageBackup('x3', day(30), { owner: { target: 'vol-0123456789abcdef0' }, idSuffix: 'target' }),
    ];
    // Act
    const plan = planRetention(
      baseInput({
        retention: { keepLast: 1 },
        images: [...ours.images, ...strangers.map((s) => s.image)],
        snapshots: [...ours.snapshots, ...strangers.flatMap((s) => s.snapshots)],
      }),
    );
    // Assess
    expect(plan.ignored.map((i) => i.id)).toEqual([
      'ami-policy',
      'ami-target',
      'ami-unmanaged',
      'snap-policy-0',
      'snap-target-0',
      'snap-unmanaged-0',
    ]);
    expect(plan.ignored.every((i) => i.reason.startsWith('ignored: not tagged as Shipyard'))).toBe(true);
    expect([...deletedIds(plan)].some((id) => /unmanaged|policy|target/.test(id))).toBe(false);
  });

  it('keeps what this run created even when it failed, and anything listed in protectedIds', () => {
    const current = imageBackup('nightly-current', day(0), { imageState: 'failed' });
    const older = imageBackup('d5', day(5));
    const plan = planRetention(
      baseInput({
        retention: { keepLast: 1 },
        protectedIds: [older.snapshots[0]?.snapshotId ?? ''],
        images: [current.image, older.image],
        snapshots: [...current.snapshots, ...older.snapshots],
      }),
    );
    expect(plan.delete).toEqual([]);
    expect(plan.keep.find((i) => i.id === 'ami-nightly-current')?.reason).toBe('kept: created by this run');
    expect(plan.keep.find((i) => i.id === 'ami-d5')?.reason).toBe('kept: created by this run');
  });

  it.each([
    { state: 'pending', reason: 'kept: in progress (pending), never touched' },
    { state: 'transient', reason: 'kept: in progress (pending), never touched' },
    { state: 'disabled', reason: 'kept: state disabled/completed is left to an operator' },
  ])('never touches an AMI in state $state', ({ state, reason }) => {
    const odd = imageBackup('odd', day(20), { imageState: state });
    const inventory = daily(2);
    const plan = planRetention(
      baseInput({
        retention: { keepLast: 1 },
        images: [...inventory.images, odd.image],
        snapshots: [...inventory.snapshots, ...odd.snapshots],
      }),
    );
    expect(plan.keep.find((i) => i.id === 'ami-odd')?.reason).toBe(reason);
    expect(deletedIds(plan).has('snap-odd-0')).toBe(false);
  });

  it('deletes failed AMIs and error snapshots as garbage, with the failure in the reason', () => {
    const failedImage = imageBackup('f1', day(1), { imageState: 'failed' });
    failedImage.image.stateReason = 'Client.InvalidKMSKey.InvalidState';
    const failedSnap = {
      snapshotId: 'snap-err',
      state: 'error',
      startTime: day(2),
      tags: managedTagRecord('f2', day(2)),
      stateMessage: 'disk gone',
    };
    const inventory = daily(1);
    const plan = planRetention(
      baseInput({
        retention: { keepLast: 5 },
        images: [...inventory.images, failedImage.image],
        snapshots: [...inventory.snapshots, ...failedImage.snapshots, failedSnap],
      }),
    );
    expect(plan.delete.find((i) => i.id === 'ami-f1')?.reason).toBe(
      'delete: failed backup: AMI failed (Client.InvalidKMSKey.InvalidState)',
    );
    expect(plan.delete.find((i) => i.id === 'snap-err')?.reason).toBe(
      'delete: failed backup: snapshot error (disk gone)',
    );
    expect(plan.actions.map((a) => a.type)).toEqual(['deregister-image', 'delete-snapshot']);
  });

  it('keeps a snapshot of a deleted backup that another AMI still uses, and deregisters without DeleteAssociatedSnapshots', () => {
    const old = imageBackup('old', day(10), { volumes: 2 });
    const operatorsAmi = {
      imageId: 'ami-operator',
      state: 'available',
      creationDate: day(9),
      tags: {},
      snapshotIds: ['snap-old-1'],
    };
    const inventory = daily(1);
    const plan = planRetention(
      baseInput({
        retention: { keepLast: 1 },
        images: [...inventory.images, old.image, operatorsAmi],
        snapshots: [...inventory.snapshots, ...old.snapshots],
      }),
    );
    expect(plan.actions).toEqual([
      {
        type: 'deregister-image',
        imageId: 'ami-old',
        deleteAssociatedSnapshots: false,
        associatedSnapshotIds: [],
        reason: expect.any(String),
      },
      { type: 'delete-snapshot', snapshotId: 'snap-old-0', reason: expect.any(String) },
    ]);
    expect(plan.keep.find((i) => i.id === 'snap-old-1')?.reason).toBe(
      'kept: used by AMI ami-operator that remains',
    );
  });

  it('deletes a managed snapshot of a deleted backup that its AMI does not use, after deregistering', () => {
    const old = imageBackup('old', day(10));
    const stray = {
      snapshotId: 'snap-stray',
      state: 'completed',
      startTime: day(10),
      tags: managedTagRecord('old', day(10)),
    };
    const inventory = daily(1);
    const plan = planRetention(
      baseInput({
        retention: { keepLast: 1 },
        images: [...inventory.images, old.image],
        snapshots: [...inventory.snapshots, ...old.snapshots, stray],
      }),
    );
    expect(plan.actions.map((a) => (a.type === 'deregister-image' ? a.imageId : a.snapshotId))).toEqual([
      'ami-old',
      'snap-stray',
    ]);
  });

  it('caps deletions at maxDeletesPerRun, deleting whole backups oldest first and deferring the rest', () => {
    // 6 backups of 3 resources (AMI + 2 snapshots); keep 1; cap 7 → the 2 oldest go.
    const plan = planRetention(
      baseInput({ retention: { keepLast: 1 }, maxDeletesPerRun: 7, ...daily(6, 2) }),
    );
    expect(imageRuns(plan.delete)).toEqual(['d4', 'd5']);
    expect(plan.deferredBackups).toBe(3);
    expect(plan.keep.find((i) => i.id === 'ami-d3')?.reason).toBe(
      'kept: deferred by maxDeletesPerRun (7); due for deletion: not among the newest 1; no keep rule applies',
    );
  });

  it('deletes nothing when maxDeletesPerRun is 0', () => {
    const plan = planRetention(baseInput({ retention: { keepLast: 1 }, maxDeletesPerRun: 0, ...daily(4) }));
    expect(plan.actions).toEqual([]);
    expect(plan.deferredBackups).toBe(3);
  });

  it('rotates snapshot-only backups (volume targets) with DeleteSnapshot', () => {
    const snaps = [0, 1, 2].map((i) => ({
      snapshotId: `snap-v${i}`,
      state: 'completed',
      startTime: day(i),
      tags: managedTagRecord(`v${i}`, day(i), { target: 'vol-0123456789abcdef0' }),
    }));
    const plan = planRetention(
      baseInput({ target: 'vol-0123456789abcdef0', retention: { keepLast: 2 }, snapshots: snaps }),
    );
    expect(plan.actions).toEqual([
      {
        type: 'delete-snapshot',
        snapshotId: 'snap-v2',
        reason: 'not among the newest 2; no keep rule applies',
      },
    ]);
  });

  it('never lets snapshots without an AMI stand in for an AMI backup of an image target', () => {
    // Prepare: d1's registration failed (its snapshots completed, no AMI), d4 is 16 h old
    // and has no AMI yet either (a run that may still be registering it).
    const inventory = daily(4);
    const orphan = (runId: string, at: string) => ({
      snapshotId: `snap-${runId}-orphan`,
      state: 'completed',
      startTime: at,
      tags: { ...managedTagRecord(runId, at), 'shipyard:kind': 'snapshot' },
    });
    const d1 = inventory.images.findIndex((i) => i.tags['shipyard:run'] === 'd1');
    const [failedRun] = inventory.images.splice(d1, 1);
    const young = orphan('d-young', '2026-11-19T20:00:00Z');
    // Act
    const plan = planRetention(
      baseInput({
        form: 'image',
        retention: { keepLast: 2 },
        images: inventory.images,
        snapshots: [...inventory.snapshots, young],
      }),
    );
    // Assess: the two newest AMI backups are d0 and d2; d3 goes, and so do d1's orphans.
    expect(failedRun?.imageId).toBe('ami-d1');
    expect(imageRuns(plan.keep)).toEqual(['d0', 'd2']);
    expect(imageRuns(plan.delete)).toEqual(['d3']);
    expect(plan.delete.find((i) => i.id === 'snap-d1-0')?.reason).toBe(
      'delete: incomplete backup: snapshots without an AMI (not restorable as a machine)',
    );
    expect(plan.keep.find((i) => i.id === young.snapshotId)?.reason).toMatch(
      /^kept: snapshots without an AMI yet/,
    );
    expect(plan.actions).toContainEqual({
      type: 'delete-snapshot',
      snapshotId: 'snap-d1-0',
      reason: 'incomplete backup: snapshots without an AMI (not restorable as a machine)',
    });
  });

  it('buckets a backup by its shipyard:created-at tag, so copies rotate like their source', () => {
    const copy = imageBackup('c1', '2026-11-15T23:30:00Z'); // Monday 00:30 Berlin
    copy.image.creationDate = '2026-11-16T02:00:00Z';
    const newer = imageBackup('c0', '2026-11-19T23:30:00Z');
    const plan = planRetention(
      baseInput({
        retention: { gfs: { daily: 5 } },
        images: [copy.image, newer.image],
        snapshots: [...copy.snapshots, ...newer.snapshots],
      }),
    );
    expect(plan.keep.find((i) => i.id === 'ami-c1')?.reason).toBe('kept: gfs daily 2026-11-16');
  });

  it('rejects an invalid time zone', () => {
    expect(() => planRetention(baseInput({ timeZone: 'Europe/Berlinn' }))).toThrow(InvalidBackupInput);
  });

  it('rejects an evaluation instant that is not one, naming it', () => {
    const plan = () => planRetention(baseInput({ now: 'tomorrow' }));
    expect(plan).toThrow(InvalidBackupInput);
    expect(plan).toThrow('invalid instant: tomorrow');
  });
});

describe('retention rules helpers', () => {
  const policy = {
    sourceRegion: 'eu-west-1',
    retention: { keepLast: 7 },
    copyRegions: [{ region: 'us-east-1', retention: { keepLast: 2 } }, { region: 'ap-south-1' }],
  };

  it.each([
    ['eu-west-1', { keepLast: 7 }],
    ['us-east-1', { keepLast: 2 }],
    ['ap-south-1', { keepLast: 7 }],
  ])('retentionForRegion(%s)', (region, expected) => {
    expect(retentionForRegion(policy, region)).toEqual(expected);
  });

  it.each([
    [{}, false],
    [{ keepLast: 0 }, false],
    [{ gfs: { daily: 0, weekly: 0 } }, false],
    [{ keepLast: 1 }, true],
    [{ maxAgeDays: 1 }, true],
    [{ gfs: { yearly: 1 } }, true],
  ])('retentionKeepsSomething(%j) is %s', (rule, expected) => {
    expect(retentionKeepsSomething(rule)).toBe(expected);
  });
});

describe('countBackups', () => {
  it('counts one backup per run, and each resource without a run on its own', () => {
    const item = (id: string, runId?: string) => ({
      resource: 'snapshot' as const,
      id,
      reason: 'kept',
      ...(runId === undefined ? {} : { runId }),
    });
    expect(countBackups([item('ami-1', 'r1'), item('snap-1', 'r1'), item('snap-2', 'r2')])).toBe(2);
    expect(countBackups([item('snap-3'), item('snap-4'), item('snap-5', 'r1')])).toBe(3);
    expect(countBackups([])).toBe(0);
  });
});
