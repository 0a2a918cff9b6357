/** Rotation inside the real workflow: its dry-run plan, and never touching what is not this policy's and target's. */

import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import type { TargetPlan } from '../../../shared/backup/plan.ts';
import type { RotationResult } from '../../../shared/backup-service/state.ts';
import { createBackupWorkflow } from '../../helpers/backup-workflow.ts';
import { ec2Calls, ids, inventory, ofTarget } from './inventory.ts';
import {
  INSTANCE_A,
  INSTANCE_C,
  type OldBackup,
  policy,
  runInput,
  SOURCE,
  seedFleet,
  seedOldBackups,
} from './scenario.ts';

const old = (day: number, more: Partial<OldBackup> = {}): OldBackup => ({
  policy: 'nightly',
  target: INSTANCE_A,
  runId: `nightly-2026-01-${String(day).padStart(2, '0')}`,
  createdAt: `2026-01-${String(day).padStart(2, '0')}T00:30:00.000Z`,
  hex: `0${String(day).padStart(2, '0')}00000000000000`,
  ...more,
});

describe('rotation in the backup workflow', () => {
  const local = useLocalCloud();
  const keepTwo = policy({ copyRegions: [], share: {}, retention: { keepLast: 2 } });

  it('a dry run returns the plan with a reason per item, creates and deletes nothing, and the next run carries it out', async () => {
    // Prepare: five earlier nightly backups of instance A.
    await seedFleet(local().control);
    const earlier = [20, 21, 22, 23, 24].map((d) => old(d));
    await seedOldBackups(local().control, SOURCE, earlier);
    const before = await inventory(local().control, SOURCE);
    const workflow = await createBackupWorkflow(local);
    local().cloud.counters.reset();
    // Act
    const dry = await workflow.run(
      runInput(keepTwo, 'nightly-2026-02-01', { dryRun: true, targets: [INSTANCE_A] }),
    );
    const dryCalls = await ec2Calls(local().control);
    const afterDry = await inventory(local().control, SOURCE);
    // Assess: a dry run is read-only (this used to snapshot, register and copy: an intended change).
    expect(dry.status).toBe('succeeded');
    expect(Object.keys(dryCalls).filter((action) => !action.startsWith('Describe'))).toEqual([]);
    expect(afterDry.images).toEqual(before.images);
    expect(afterDry.snapshots).toEqual(before.snapshots);
    expect(dry.invocations.Rotate).toBeUndefined();
    const plan = (dry.lastOutput.PlanTarget as TargetPlan).rotation[0]?.wouldDelete ?? [];
    // keepLast 2 counts the backup this run would make: the four oldest go.
    const oldest = earlier.slice(0, 4);
    const planned = plan.map((i) => i.id).sort();
    expect(planned).toEqual(
      [...oldest.map((b) => `ami-${b.hex}`), ...oldest.map((b) => `snap-${b.hex}`)].sort(),
    );
    for (const item of plan) expect(item.reason).toMatch(/^delete: /);
    // The same plan, carried out by the next (real) run.
    const real = await workflow.run(runInput(keepTwo, 'nightly-2026-02-02', { targets: [INSTANCE_A] }));
    expect(real.status).toBe('succeeded');
    const afterReal = await inventory(local().control, SOURCE);
    const gone = [...ids(before.images), ...ids(before.snapshots)].filter(
      (id) => ![...ids(afterReal.images), ...ids(afterReal.snapshots)].includes(id),
    );
    expect(gone.sort()).toEqual(planned);
    expect(ofTarget(afterReal.images, INSTANCE_A).map((i) => i.tags['shipyard:run'])).toEqual(
      expect.arrayContaining([earlier[4]?.runId, 'nightly-2026-02-02']),
    );
    expect(ofTarget(afterReal.images, INSTANCE_A)).toHaveLength(2);
  });

  it('never touches unmanaged, other-policy or other-target snapshots and AMIs', async () => {
    // Prepare
    await seedFleet(local().control);
    const ours = [old(10), old(11)];
    const foreign = [
      old(12, { policy: 'weekly', runId: 'weekly-2026-01-12' }),
      old(13, { target: INSTANCE_C }),
      old(14, { managed: false }),
    ];
    await seedOldBackups(local().control, SOURCE, [...ours, ...foreign]);
    // Someone registered their own AMI from one of our old snapshots: it must survive, and so must the snapshot.
    await local().control.seed({
      ec2: { images: [{ region: SOURCE, name: 'team-restore', snapshotIds: [`snap-${old(10).hex}`] }] },
    });
    const before = await inventory(local().control, SOURCE);
    const workflow = await createBackupWorkflow(local);
    const keepOne = policy({ copyRegions: [], share: {}, retention: { keepLast: 1 } });
    // Act
    const result = await workflow.run(runInput(keepOne, 'nightly-2026-02-01', { targets: [INSTANCE_A] }));
    // Assess
    expect(result.status).toBe('succeeded');
    const after = await inventory(local().control, SOURCE);
    for (const b of foreign) {
      expect(ids(after.images)).toContain(`ami-${b.hex}`);
      expect(ids(after.snapshots)).toContain(`snap-${b.hex}`);
    }
    expect(after.images.filter((i) => i.name === 'team-restore')).toHaveLength(1);
    expect(ids(after.images)).not.toContain(`ami-${old(10).hex}`);
    expect(ids(after.images)).not.toContain(`ami-${old(11).hex}`);
    expect(ids(after.snapshots)).toContain(`snap-${old(10).hex}`);
    expect(ids(after.snapshots)).not.toContain(`snap-${old(11).hex}`);
    const report = (result.lastOutput.Rotate as RotationResult).regions[0]?.report;
    expect(report?.skippedInUse).toEqual([`snap-${old(10).hex}`]);
    expect(before.images.length - after.images.length).toBe(2 - 1);
  });

  it('a hand-made AMI and a hand-made snapshot with our tags push out no backup and are left alone', async () => {
    // Prepare: three earlier backups of instance A, and an attacker's AMI and snapshot carrying our
    // managed/policy/target tags: the AMI claims a run and a created-at in the future (2027), the
    // snapshot (taken now, of no target volume) claims no run.
    await seedFleet(local().control);
    const earlier = [20, 21, 22].map((d) => old(d));
    await seedOldBackups(local().control, SOURCE, earlier);
    const ourTags = {
      'shipyard:managed': 'true',
      'shipyard:policy': 'nightly',
      'shipyard:target': INSTANCE_A,
    };
    const forgedSnapshot = 'snap-0f00000000000000a';
    const handSnapshot = 'snap-0f00000000000000b';
    const future = {
      'shipyard:run': 'nightly-2027-06-01',
      'shipyard:created-at': '2027-06-01T00:30:00.000Z',
    };
    await local().control.seed({
      ec2: {
        snapshots: [
          { region: SOURCE, snapshotId: forgedSnapshot, sizeGiB: 8, tags: { ...ourTags, ...future } },
          { region: SOURCE, snapshotId: handSnapshot, sizeGiB: 8, tags: ourTags },
        ],
        images: [
          {
            region: SOURCE,
            imageId: 'ami-0f00000000000000a',
            name: 'golden-by-hand',
            snapshotIds: [forgedSnapshot],
            tags: { ...ourTags, ...future },
          },
        ],
      },
    });
    const workflow = await createBackupWorkflow(local);
    // Act: keepLast 2 counts this run's backup, so one earlier backup stays.
    const result = await workflow.run(runInput(keepTwo, 'nightly-2026-02-01', { targets: [INSTANCE_A] }));
    // Assess: the newest earlier backup is kept (the forged "2027" AMI did not outrank it) and
    // neither hand-made resource is touched.
    expect(result.status).toBe('succeeded');
    const after = await inventory(local().control, SOURCE);
    expect(ids(after.images)).toContain(`ami-${old(22).hex}`);
    expect(ids(after.images)).not.toContain(`ami-${old(21).hex}`);
    expect(ids(after.images)).not.toContain(`ami-${old(20).hex}`);
    expect(ids(after.images)).toContain('ami-0f00000000000000a');
    expect(ids(after.snapshots)).toEqual(expect.arrayContaining([forgedSnapshot, handSnapshot]));
    const report = (result.lastOutput.Rotate as RotationResult).regions[0]?.report;
    expect(report).toMatchObject({ keptBackups: 2, notOurs: 3 });
  });
});
