/**
 * 60 simulated nights of the real workflow under a GFS policy (daily 7, weekly 4, monthly 3
 * in Europe/Berlin, across the March DST change), the copy region keeping its last 3.
 * The expectation is computed here, independently of the planner: for each period, the
 * newest backup of each of the last N local periods that have one.
 */

import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { createBackupWorkflow } from '../../helpers/backup-workflow.ts';
import { inventory, ofTarget } from './inventory.ts';
import { COPY_A, INSTANCE_A, KEY_A, policy, runInput, SOURCE, seedFleet } from './scenario.ts';

const ZONE = 'Europe/Berlin';
const NIGHTS = 60;
const STANDALONE = 'vol-0e0000000000000e1';
const first = DateTime.fromObject({ year: 2026, month: 2, day: 1, hour: 1, minute: 30 }, { zone: ZONE });
const nights = Array.from({ length: NIGHTS }, (_, i) => first.plus({ days: i }));

/** Newest instant in each of the last `count` buckets (instants sorted newest first). */
function newestPerBucket(instants: DateTime[], count: number, bucket: (t: DateTime) => string): DateTime[] {
  const seen = new Map<string, DateTime>();
  for (const t of instants) {
    const key = bucket(t);
    if (!seen.has(key) && seen.size < count) seen.set(key, t);
  }
  return [...seen.values()];
}

function expectedGfs(all: DateTime[]): string[] {
  const newestFirst = [...all].sort((a, b) => b.toMillis() - a.toMillis());
  const keep = new Set<string>([newestFirst[0]?.toUTC().toISO() ?? '']);
  const add = (ts: DateTime[]) => {
    for (const t of ts) keep.add(t.toUTC().toISO() ?? '');
  };
  add(newestPerBucket(newestFirst, 7, (t) => t.setZone(ZONE).toISODate() ?? ''));
  add(newestPerBucket(newestFirst, 4, (t) => `${t.setZone(ZONE).weekYear}-W${t.setZone(ZONE).weekNumber}`));
  add(newestPerBucket(newestFirst, 3, (t) => t.setZone(ZONE).toFormat('yyyy-MM')));
  return [...keep].map(toMinute).sort();
}

/** To the minute: the run's instant is the service clock when DiscoverTargets runs, just after the night's time. */
const toMinute = (iso: string) => new Date(iso).toISOString().slice(0, 16);
const createdAts = (items: { tags: Record<string, string> }[]) =>
  [...new Set(items.map((i) => toMinute(i.tags['shipyard:created-at'] ?? '')))].sort();

describe('60 nightly runs under a GFS policy', () => {
  const local = useLocalCloud({ clock: { start: first.minus({ hours: 6 }).toMillis() } });

  it('leaves exactly the expected backups in every region', async () => {
    // Prepare
    await seedFleet(local().control, {
      volumes: [{ region: SOURCE, volumeId: STANDALONE, sizeGiB: 4, volumeType: 'gp3' }],
    });
    const gfs = policy({
      targets: { instanceIds: [INSTANCE_A], volumeIds: [STANDALONE] },
      copyRegions: [{ region: COPY_A, kmsKeyId: KEY_A, retention: { keepLast: 3 } }],
      share: {},
      retention: { gfs: { daily: 7, weekly: 4, monthly: 3 } },
    });
    const workflow = await createBackupWorkflow(local);
    // Act
    for (const night of nights) {
      const at = night.toUTC().toISO() ?? '';
      await local().control.advance({ to: at });
      // The run's instant is the service clock when DiscoverTargets runs: the night's time.
      const result = await workflow.run(runInput(gfs, `nightly-${night.toISODate()}`));
      expect(result.status, `${night.toISODate()}: ${result.cause}`).toBe('succeeded');
    }
    // Assess
    const expected = expectedGfs(nights);
    expect(expected.length).toBeLessThan(15);
    const source = await inventory(local().control, SOURCE);
    const amis = ofTarget(source.images, INSTANCE_A);
    expect(createdAts(amis)).toEqual(expected);
    expect(amis).toHaveLength(expected.length);
    expect(ofTarget(source.snapshots, INSTANCE_A)).toHaveLength(expected.length);
    expect(createdAts(ofTarget(source.snapshots, STANDALONE))).toEqual(expected);
    expect(ofTarget(source.snapshots, STANDALONE)).toHaveLength(expected.length);
    const copy = await inventory(local().control, COPY_A);
    const lastThree = nights.slice(-3).map((n) => toMinute(n.toUTC().toISO() ?? ''));
    expect(createdAts(ofTarget(copy.images, INSTANCE_A))).toEqual(lastThree);
    expect(ofTarget(copy.snapshots, INSTANCE_A)).toHaveLength(3);
    // Nothing else is left behind: every snapshot in the source backs a kept AMI or a kept volume backup.
    expect(source.snapshots).toHaveLength(2 * expected.length);
    expect(copy.snapshots).toHaveLength(3);
  });
});
