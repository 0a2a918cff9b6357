import { describe, expect, it } from 'vitest';
import type { SnapshotRecord } from '../../../shared/backup/inventory.ts';
import { CLOCK_SKEW_MS, CREATED_AT_WINDOW_MS, LONGEST_RUN_MS } from '../../../shared/backup/ownership.ts';
import { planRetention } from '../../../shared/backup/retention.ts';
import { baseInput, deletedIds, imageBackup, managedTagRecord } from './inventory-builders.ts';

const VOLUME = 'vol-0a0000000000000a0';
const day = (n: number): string =>
  new Date(Date.parse('2026-11-20T01:00:00Z') - n * 86_400_000).toISOString();

/** Backups d0 (newest) … d(count-1), one a day, each recorded, snapshots of VOLUME. */
function recorded(count: number) {
  const backups = Array.from({ length: count }, (_, i) => imageBackup(`d${i}`, day(i)));
  const snapshots = backups.flatMap((b) => b.snapshots.map((s) => ({ ...s, volumeId: VOLUME })));
  return {
    images: backups.map((b) => b.image),
    snapshots,
    recordedRunIds: backups.map((b) => b.image.tags['shipyard:run'] ?? ''),
    sourceVolumeIds: [VOLUME],
  };
}

const notOursReason = (plan: ReturnType<typeof planRetention>, id: string) =>
  plan.notOurs.find((i) => i.id === id)?.reason;

describe('planRetention ownership: tags alone do not make a resource ours', () => {
  it('a hand-made AMI with our three tags and a future created-at pushes no real backup out', () => {
    // Prepare: keepLast 2 over three real backups; the forged AMI claims 2027 and was made now.
    const inventory = recorded(3);
    const forged = imageBackup('d0', '2027-01-01T00:00:00.000Z', { idSuffix: 'forged' });
    forged.image.creationDate = '2026-11-20T11:00:00.000Z';
    forged.image.name = 'my-golden-image';
    // Act
    const plan = planRetention(
      baseInput({
        retention: { keepLast: 2 },
        ...inventory,
        images: [...inventory.images, forged.image],
        snapshots: [...inventory.snapshots, ...forged.snapshots],
      }),
    );
    // Assess: the same two real backups are kept as without it, and it is left alone.
    expect(plan.keep.filter((i) => i.resource === 'image').map((i) => i.runId)).toEqual(['d0', 'd1']);
    expect([...deletedIds(plan)].sort()).toEqual(['ami-d2', 'snap-d2-0']);
    expect(notOursReason(plan, 'ami-forged')).toBe(
      'not ours, left alone: shipyard:created-at 2027-01-01T00:00:00.000Z is in the future',
    );
    expect(notOursReason(plan, 'snap-forged-0')).toMatch(/^not ours, left alone: /);
  });

  it.each([
    {
      name: 'no run tag',
      tags: (() => {
        const { 'shipyard:run': _run, ...rest } = managedTagRecord('x', day(40));
        return rest;
      })(),
      volumeId: VOLUME,
      startTime: day(40),
      reason: 'no shipyard:run tag',
    },
    {
      name: 'a run Shipyard never recorded',
      tags: managedTagRecord('hand-run', day(40)),
      volumeId: VOLUME,
      startTime: day(40),
      reason: 'run hand-run is not a recorded Shipyard run',
    },
    {
      name: 'a volume that is not the target’s',
      tags: managedTagRecord('d2', day(2)),
      volumeId: 'vol-0f0f0f0f0f0f0f0f0',
      startTime: day(2),
      reason: "volume vol-0f0f0f0f0f0f0f0f0 is not one of the target's",
    },
    {
      name: 'created before the instant it claims',
      tags: managedTagRecord('d2', day(2)),
      volumeId: VOLUME,
      startTime: new Date(Date.parse(day(2)) - CLOCK_SKEW_MS - 1000).toISOString(),
      reason: `created at ${new Date(Date.parse(day(2)) - CLOCK_SKEW_MS - 1000).toISOString()}, before its shipyard:created-at ${day(2)}`,
    },
    {
      name: 'a created-at that is no instant',
      tags: { ...managedTagRecord('d2', day(2)), 'shipyard:created-at': 'last tuesday' },
      volumeId: VOLUME,
      startTime: day(2),
      reason: 'no valid shipyard:created-at tag',
    },
    {
      name: 'no volume id in the source region',
      tags: managedTagRecord('d2', day(2)),
      volumeId: undefined,
      startTime: day(2),
      reason: "volume (none) is not one of the target's",
    },
    {
      name: 'created long after the instant it claims (copied tags)',
      tags: managedTagRecord('d5', day(5)),
      volumeId: VOLUME,
      startTime: day(0),
      reason: `created at ${day(0)}, over 3 days after its shipyard:created-at`,
    },
  ])(
    'a snapshot taken by hand with our tags is never deleted: $name',
    ({ tags, volumeId, startTime, reason }) => {
      // Prepare: snapshots-only target, keepLast 1; the hand snapshot is older than the rule keeps.
      const inventory = recorded(6);
      const hand: SnapshotRecord = {
        snapshotId: 'snap-hand',
        state: 'completed',
        startTime,
        tags,
        ...(volumeId === undefined ? {} : { volumeId }),
      };
      // Act
      const plan = planRetention(
        baseInput({
          retention: { keepLast: 1 },
          form: 'snapshots-only',
          ...inventory,
          images: [],
          snapshots: [...inventory.snapshots, hand],
        }),
      );
      // Assess
      expect(deletedIds(plan).has('snap-hand')).toBe(false);
      expect(notOursReason(plan, 'snap-hand')).toBe(`not ours, left alone: ${reason}`);
      expect(plan.keep.map((i) => i.runId)).toEqual(['d0']);
    },
  );

  it('an AMI not named as Shipyard names that run is not ours (copies reuse the source name)', () => {
    const inventory = recorded(3);
    const renamed = imageBackup('d1', day(1), { idSuffix: 'renamed' });
    renamed.image.name = 'shipyard/nightly/i-0123456789abcdef0/d1-copy';
    const plan = planRetention(baseInput({ ...inventory, images: [...inventory.images, renamed.image] }));
    expect(notOursReason(plan, 'ami-renamed')).toBe(
      'not ours, left alone: name shipyard/nightly/i-0123456789abcdef0/d1-copy is not shipyard/nightly/i-0123456789abcdef0/d1',
    );
  });

  it('in a copy region, a snapshot is ours only through an AMI of ours of its run (its volume id is arbitrary)', () => {
    // "Snapshots created by the CopySnapshot action have an arbitrary volume ID that should not
    // be used for any purpose" (EC2 API Reference, Snapshot VolumeId; the same holds for the
    // snapshots CopyImage creates, EC2 User Guide "Copy an Amazon EC2 AMI").
    const copies = recorded(2);
    const snapshots = copies.snapshots.map((s) => ({ ...s, volumeId: 'vol-ffffffff' }));
    const stray: SnapshotRecord = {
      snapshotId: 'snap-stray',
      state: 'completed',
      startTime: day(1),
      tags: managedTagRecord('d1', day(1)),
      volumeId: 'vol-ffffffff',
    };
    const plan = planRetention(
      baseInput({
        retention: { keepLast: 1 },
        images: copies.images,
        snapshots: [...snapshots, stray],
        recordedRunIds: copies.recordedRunIds,
      }),
    );
    expect(notOursReason(plan, 'snap-stray')).toBe(
      'not ours, left alone: not used by an AMI of ours of its run',
    );
    expect([...deletedIds(plan)].sort()).toEqual(['ami-d1', 'snap-d1-0']);
  });

  it('a resource of a real run claiming another instant than the run’s first resource is not ours', () => {
    // Prepare: a snapshots-only target's run d3 gets a hand-made AMI named as Shipyard would
    // name it (no AMI holds the name), claiming to be newer than d0.
    const inventory = recorded(4);
    const late = imageBackup('d3', '2026-11-20T11:00:00.000Z', { idSuffix: 'late' });
    late.image.creationDate = '2026-11-20T11:05:00.000Z';
    const plan = planRetention(
      baseInput({
        retention: { keepLast: 1 },
        ...inventory,
        images: [late.image],
        form: 'snapshots-only',
      }),
    );
    expect(notOursReason(plan, 'ami-late')).toBe(
      `not ours, left alone: claims another instant than its run (${day(3)})`,
    );
    expect(plan.keep.map((i) => i.runId)).toEqual(['d0']);
  });

  it('a snapshot of a real run claiming another instant than the run’s first resource is not ours', () => {
    // Prepare: next to run d1's real snapshot, one on the target's volume, with d1's tags but a later instant.
    const inventory = recorded(3);
    const claim = new Date(Date.parse(day(1)) + 3_600_000).toISOString();
    const late: SnapshotRecord = {
      snapshotId: 'snap-late',
      state: 'completed',
      startTime: claim,
      tags: managedTagRecord('d1', claim),
      volumeId: VOLUME,
    };
    const plan = planRetention(
      baseInput({ retention: { keepLast: 1 }, ...inventory, snapshots: [...inventory.snapshots, late] }),
    );
    expect(notOursReason(plan, 'snap-late')).toBe(
      `not ours, left alone: claims another instant than its run (${day(1)})`,
    );
    expect(deletedIds(plan).has('snap-late')).toBe(false);
    expect([...deletedIds(plan)].sort()).toEqual(['ami-d1', 'ami-d2', 'snap-d1-0', 'snap-d2-0']);
  });

  it('an AMI without a name is not ours', () => {
    const inventory = recorded(2);
    const nameless = imageBackup('d1', day(1), { idSuffix: 'nameless' });
    delete nameless.image.name;
    const plan = planRetention(baseInput({ ...inventory, images: [...inventory.images, nameless.image] }));
    expect(notOursReason(plan, 'ami-nameless')).toBe(
      'not ours, left alone: name (none) is not shipyard/nightly/i-0123456789abcdef0/d1',
    );
  });

  it('without recordedRunIds and sourceVolumeIds it keeps the tag-and-time checks only (callers that predate them)', () => {
    const inventory = recorded(3);
    const unrecorded = imageBackup('older', day(9));
    const plan = planRetention(
      baseInput({
        retention: { keepLast: 3 },
        images: [...inventory.images, unrecorded.image],
        snapshots: [...inventory.snapshots, ...unrecorded.snapshots],
      }),
    );
    expect(plan.notOurs).toEqual([]);
    expect([...deletedIds(plan)].sort()).toEqual(['ami-older', 'snap-older-0']);
  });

  it('allows a run longer than any the wait policies permit before disowning late resources', () => {
    expect(CREATED_AT_WINDOW_MS).toBeGreaterThan(LONGEST_RUN_MS);
  });
});
