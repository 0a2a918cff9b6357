import { describe, expect, it } from 'vitest';
import type { ImageRecord, SnapshotRecord } from '../../../shared/backup/inventory.ts';
import { planRetention, type RetentionPlan } from '../../../shared/backup/retention.ts';
import { retentionForRegion } from '../../../shared/backup/retention-rules.ts';
import { baseInput, imageBackup, POLICY, REGION, TARGET } from './inventory-builders.ts';

/** Calendar dates from `first`, `count` days (plain UTC date arithmetic, no time zones involved). */
function dates(first: string, count: number): string[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}

/** Applies a plan to an in-memory region the way EC2 would, refusing to delete a snapshot in use. */
function execute(plan: RetentionPlan, region: { images: ImageRecord[]; snapshots: SnapshotRecord[] }): void {
  for (const action of plan.actions) {
    if (action.type === 'deregister-image') {
      region.images = region.images.filter((i) => i.imageId !== action.imageId);
      const gone = new Set(action.associatedSnapshotIds);
      region.snapshots = region.snapshots.filter((s) => !gone.has(s.snapshotId));
    } else {
      const inUse = region.images.some((i) => i.snapshotIds.includes(action.snapshotId));
      expect(inUse, `${action.snapshotId} is in use`).toBe(false);
      region.snapshots = region.snapshots.filter((s) => s.snapshotId !== action.snapshotId);
    }
  }
}

describe('60 simulated nights under a GFS policy (Europe/Berlin, across the October DST change)', () => {
  // Prepare
  const SOURCE = REGION; // eu-central-1
  const COPY = 'us-east-1';
  const policy = {
    sourceRegion: SOURCE,
    retention: { gfs: { daily: 7, weekly: 4, monthly: 3 } },
    copyRegions: [{ region: COPY, retention: { keepLast: 3 } }],
  };
  const nights = dates('2026-09-01', 60); // 2026-09-01 … 2026-10-30
  /**
   * Nightly at 00:30 Berlin time: 22:30 UTC the previous day in summer time (CEST, +2, until
   * 2026-10-25 03:00 local), 23:30 UTC from 2026-10-26 (CET, +1). Local and UTC dates always
   * differ, so UTC bucketing would keep different backups.
   */
  const backupInstant = (localDate: string): string => {
    const offsetHours = localDate <= '2026-10-25' ? 2 : 1;
    return new Date(Date.parse(`${localDate}T00:30:00Z`) - offsetHours * 3_600_000).toISOString();
  };

  const foreign = [
    imageBackup('manual-1', '2026-01-10T10:00:00Z', { owner: { managed: false }, idSuffix: 'handmade' }),
    imageBackup('weekly-1', '2026-02-10T10:00:00Z', { owner: { policy: 'weekly' }, idSuffix: 'otherpolicy' }),
    imageBackup('nightly-x', '2026-03-10T10:00:00Z', {
      owner: { target: 'i-0fedcba9876543210' },
      idSuffix: 'othertarget',
    }),
  ];
  const source = {
    images: foreign.map((b) => b.image),
    snapshots: foreign.flatMap((b) => b.snapshots),
  };
  const copy = { images: [] as ImageRecord[], snapshots: [] as SnapshotRecord[] };
  const maxDeletesPerRun = 20;

  // Act: every night, back up, copy, then rotate both regions.
  for (const night of nights) {
    const runId = `${POLICY}-${night}`;
    const at = backupInstant(night);
    const made = imageBackup(runId, at, { volumes: 2 });
    source.images.push(made.image);
    source.snapshots.push(...made.snapshots);
    const copied = imageBackup(runId, at, { volumes: 2, idSuffix: `${runId}-copy` });
    copied.image.creationDate = new Date(Date.parse(at) + 40 * 60_000).toISOString();
    copy.images.push(copied.image);
    copy.snapshots.push(...copied.snapshots);
    const now = new Date(Date.parse(at) + 60 * 60_000).toISOString();
    for (const [region, inventory] of [
      [SOURCE, source],
      [COPY, copy],
    ] as const) {
      const plan = planRetention(
        baseInput({
          region,
          runId,
          now,
          retention: retentionForRegion(policy, region),
          maxDeletesPerRun,
          images: inventory.images,
          snapshots: inventory.snapshots,
        }),
      );
      expect(plan.delete.length).toBeLessThanOrEqual(maxDeletesPerRun);
      expect(plan.delete.map((i) => i.runId)).not.toContain(runId);
      execute(plan, inventory);
    }
  }

  const remainingNights = (inventory: { images: ImageRecord[] }) =>
    inventory.images
      .filter((i) => i.tags['shipyard:policy'] === POLICY && i.tags['shipyard:target'] === TARGET)
      .map((i) => (i.tags['shipyard:run'] ?? '').replace(`${POLICY}-`, ''))
      .sort();

  it('keeps exactly the daily, weekly and monthly keepers in the source region', () => {
    // Assess. Derivation, in Berlin dates:
    //   daily 7   → 10-24 … 10-30
    //   weekly 4  → newest of ISO weeks W44 (10-30, a Friday), W43 (Sun 10-25), W42 (Sun 10-18), W41 (Sun 10-11)
    //   monthly 3 → newest of 2026-10 (10-30) and 2026-09 (09-30); no earlier month has a backup
    expect(remainingNights(source)).toEqual([
      '2026-09-30',
      '2026-10-11',
      '2026-10-18',
      '2026-10-24',
      '2026-10-25',
      '2026-10-26',
      '2026-10-27',
      '2026-10-28',
      '2026-10-29',
      '2026-10-30',
    ]);
  });

  it('keeps every snapshot of a remaining AMI and no other snapshot of ours', () => {
    const ours = source.snapshots.filter(
      (s) => s.tags['shipyard:policy'] === POLICY && s.tags['shipyard:target'] === TARGET,
    );
    const used = new Set(source.images.flatMap((i) => i.snapshotIds));
    expect(ours.every((s) => used.has(s.snapshotId))).toBe(true);
    expect(ours).toHaveLength(10 * 2);
  });

  it("applies the copy region's override (keep last 3) in the copy region", () => {
    expect(remainingNights(copy)).toEqual(['2026-10-28', '2026-10-29', '2026-10-30']);
    expect(copy.snapshots).toHaveLength(3 * 2);
  });

  it('never touches unmanaged, other-policy or other-target resources', () => {
    for (const b of foreign) {
      expect(source.images.map((i) => i.imageId)).toContain(b.image.imageId);
      for (const s of b.snapshots) expect(source.snapshots.map((x) => x.snapshotId)).toContain(s.snapshotId);
    }
  });
});

describe('GFS buckets follow the policy time zone across DST changes', () => {
  const kept = (plan: RetentionPlan) => plan.keep.filter((i) => i.resource === 'image').map((i) => i.runId);

  it('America/New_York, March DST start: a Sunday 23:30 backup belongs to that (local) ISO week', () => {
    // Prepare: nightly at 23:30 New York time, 2026-03-01 … 2026-03-14. DST starts Sun 2026-03-08
    // 02:00: 23:30 is 04:30 UTC the next day until 03-07, 03:30 UTC the next day from 03-08.
    const backups = dates('2026-03-01', 14).map((night) => {
      const offsetHours = night < '2026-03-08' ? 5 : 4;
      const at = new Date(Date.parse(`${night}T23:30:00Z`) + offsetHours * 3_600_000).toISOString();
      return imageBackup(`n-${night}`, at);
    });
    // Act
    const plan = planRetention(
      baseInput({
        timeZone: 'America/New_York',
        now: '2026-03-15T12:00:00Z',
        retention: { gfs: { weekly: 2 } },
        images: backups.map((b) => b.image),
        snapshots: backups.flatMap((b) => b.snapshots),
      }),
    );
    // Assess: local ISO weeks W11 (03-09…03-15) → Sat 03-14; W10 (03-02…03-08) → Sun 03-08.
    // (Bucketing in UTC would have kept 03-07 instead: 03-08 23:30 EDT is Monday 03-09 in UTC.)
    expect(kept(plan)).toEqual(['n-2026-03-14', 'n-2026-03-08']);
    expect(plan.keep.find((i) => i.runId === 'n-2026-03-08')?.reason).toBe('kept: gfs weekly 2026-W10');
  });

  it('Europe/Berlin, last Sunday of October: both 02:30 backups of the repeated hour are one local day', () => {
    // Prepare: 02:30 happens twice on 2026-10-25 (00:30Z in CEST, 01:30Z in CET).
    const backups = [
      imageBackup('n-10-24', '2026-10-24T00:30:00Z'),
      imageBackup('n-10-25-cest', '2026-10-25T00:30:00Z'),
      imageBackup('n-10-25-cet', '2026-10-25T01:30:00Z'),
    ];
    // Act
    const plan = planRetention(
      baseInput({
        now: '2026-10-25T12:00:00Z',
        retention: { gfs: { daily: 2 } },
        images: backups.map((b) => b.image),
        snapshots: backups.flatMap((b) => b.snapshots),
      }),
    );
    // Assess
    expect(kept(plan)).toEqual(['n-10-25-cet', 'n-10-24']);
    expect(plan.delete.find((i) => i.resource === 'image')?.runId).toBe('n-10-25-cest');
    expect(plan.keep.find((i) => i.runId === 'n-10-25-cet')?.reason).toBe(
      'kept: newest available backup, gfs daily 2026-10-25',
    );
  });

  it('monthly buckets use the local month: 00:30 on the 1st in Berlin is still the previous month in UTC', () => {
    const backups = [
      imageBackup('n-09-30', '2026-09-29T22:30:00Z'), // 2026-09-30 00:30 CEST
      imageBackup('n-10-01', '2026-09-30T22:30:00Z'), // 2026-10-01 00:30 CEST
      imageBackup('n-10-02', '2026-10-01T22:30:00Z'),
    ];
    const plan = planRetention(
      baseInput({
        now: '2026-10-02T12:00:00Z',
        retention: { gfs: { monthly: 2 } },
        images: backups.map((b) => b.image),
        snapshots: backups.flatMap((b) => b.snapshots),
      }),
    );
    expect(kept(plan)).toEqual(['n-10-02', 'n-09-30']);
  });
});
