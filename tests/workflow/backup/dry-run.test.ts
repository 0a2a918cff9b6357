/**
 * The dry run and the target cap inside the real workflow: a dry run returns what the run
 * would do for every target and makes no create, copy, share, tag or delete call; a
 * selection over `maxTargetsPerRun` fails the run before anything is created.
 */

import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../shared/backup/summary.ts';
import { createBackupWorkflow } from '../../helpers/backup-workflow.ts';
import { ec2Calls, inventory } from './inventory.ts';
import {
  COPY_A,
  COPY_B,
  INSTANCE_A,
  INSTANCE_B,
  INSTANCE_C,
  KEY_A,
  KEY_B,
  type OldBackup,
  policy,
  runInput,
  SHARE_WITH,
  SOURCE,
  seedFleet,
  seedOldBackups,
  VOLUMES_B,
} from './scenario.ts';

const RUN = 'nightly-dry-2026-02-01';
const REGIONS = [SOURCE, COPY_A, COPY_B];
/** Every EC2 action that creates, copies, shares, tags or deletes. */
const MUTATING = [
  'CreateSnapshot',
  'CreateSnapshots',
  'RegisterImage',
  'CopyImage',
  'ModifyImageAttribute',
  'DeregisterImage',
  'DeleteSnapshot',
  'CreateTags',
];

const old = (day: number, region = SOURCE): OldBackup => ({
  policy: 'nightly',
  target: INSTANCE_A,
  runId: `nightly-2026-01-${String(day).padStart(2, '0')}`,
  createdAt: `2026-01-${String(day).padStart(2, '0')}T00:30:00.000Z`,
  hex: `0${region === SOURCE ? '1' : '2'}${String(day).padStart(2, '0')}0000000000000`,
});

/** Images and snapshots per region (a region first read during the run appears, empty). */
const snapshotOf = async (local: () => { control: Parameters<typeof inventory>[0] }) =>
  Promise.all(
    REGIONS.map(async (r) => {
      const { images, snapshots } = await inventory(local().control, r);
      return { images, snapshots };
    }),
  );

describe('dry run of the backup workflow', () => {
  const local = useLocalCloud();

  it('plans every target (volumes, AMI, copies with KMS keys, sharing, rotation) and makes no mutating EC2 call', async () => {
    // Prepare: 3 instances (B with 3 volumes, one excluded), 2 copy regions, old backups of A
    // in the source and in one copy region.
    await seedFleet(local().control);
    const sourceOld = [20, 21, 22].map((d) => old(d));
    const copyOld = [20, 21].map((d) => old(d, COPY_A));
    await seedOldBackups(local().control, SOURCE, sourceOld);
    await seedOldBackups(local().control, COPY_A, copyOld);
    const dryPolicy = policy({
      retention: { keepLast: 2 },
      targets: {
        instanceIds: [INSTANCE_A],
        tags: { Backup: 'nightly' },
        instanceOptions: { [INSTANCE_B]: { excludeDataVolumeIds: [VOLUMES_B[2] ?? ''] } },
      },
    });
    const before = await snapshotOf(local);
    const workflow = await createBackupWorkflow(local);
    local().cloud.counters.reset();
    // Act
    const result = await workflow.run(runInput(dryPolicy, RUN, { dryRun: true }));
    // Assess: nothing mutated, only Describe calls, the inventory unchanged.
    const calls = await ec2Calls(local().control);
    expect(MUTATING.filter((action) => (calls[action] ?? 0) > 0)).toEqual([]);
    expect(Object.keys(calls).every((action) => action.startsWith('Describe'))).toBe(true);
    expect(await snapshotOf(local)).toEqual(before);
    expect(result.status).toBe('succeeded');
    expect(Object.keys(result.invocations).sort()).toEqual(['DiscoverTargets', 'PlanTarget', 'Summarize']);

    // The summary says it was a dry run and lists the plan.
    const summary = result.output as RunSummary;
    expect(summary).toMatchObject({ dryRun: true, overallStatus: 'succeeded', runId: RUN });
    expect(summary.totals).toMatchObject({ targets: 3, succeeded: 3, images: 0, snapshots: 0, deleted: 0 });
    expect(summary.warnings).toContain('dry run: nothing was created, copied, shared or deleted');
    const plan = summary.plan;
    expect(plan?.selection).toEqual({ found: 3, maxTargetsPerRun: 10_000, exceeded: false });
    expect(plan?.totals).toEqual({ snapshots: 4, totalGiB: 86, images: 3, copies: 6, wouldDelete: 6 });
    const byTarget = new Map(plan?.targets.map((t) => [t.target, t.plan]));
    expect([...byTarget.keys()].sort()).toEqual([INSTANCE_A, INSTANCE_B, INSTANCE_C].sort());

    // Instance B: two volumes to snapshot, the excluded one listed, the AMI as RegisterImage would make it.
    const b = byTarget.get(INSTANCE_B);
    expect(b?.snapshots).toEqual({
      region: SOURCE,
      call: 'CreateSnapshots',
      volumes: [
        { volumeId: VOLUMES_B[0], deviceName: '/dev/xvda', sizeGiB: 20, volumeType: 'gp3' },
        { volumeId: VOLUMES_B[1], deviceName: '/dev/sdf', sizeGiB: 50, volumeType: 'gp3' },
      ],
      excluded: [{ volumeId: VOLUMES_B[2], deviceName: '/dev/sdg', reason: 'excludeDataVolumeIds' }],
      totalGiB: 70,
    });
    expect(b?.image).toEqual({
      region: SOURCE,
      name: `shipyard/nightly/${INSTANCE_B}/${RUN}`,
      // The method the real run would choose, and why (plain Linux: RegisterImage).
      method: 'register',
      methodReason: 'Linux/UNIX (RunInstances) has no billing product: registered from the snapshots',
      rootDeviceName: '/dev/xvda',
      architecture: 'arm64',
      virtualizationType: 'hvm',
      enaSupport: true,
      bootMode: 'uefi',
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          volumeId: VOLUMES_B[0],
          sizeGiB: 20,
          volumeType: 'gp3',
          deleteOnTermination: true,
        },
        {
          deviceName: '/dev/sdf',
          volumeId: VOLUMES_B[1],
          sizeGiB: 50,
          volumeType: 'gp3',
          deleteOnTermination: true,
        },
      ],
    });
    expect(b?.copies).toEqual([
      { region: COPY_A, kmsKeyId: KEY_A },
      { region: COPY_B, kmsKeyId: KEY_B },
    ]);
    expect(b?.share).toEqual({
      regions: REGIONS,
      accountIds: [SHARE_WITH],
      organizationArns: [],
      organizationalUnitArns: [],
      public: false,
    });

    // Instance A: rotation planned per region as the real run's rotation would see it (this
    // run's backup counted as the newest): keepLast 2 keeps the newest old one.
    const a = byTarget.get(INSTANCE_A);
    expect(a?.rotation.map((r) => r.region)).toEqual(REGIONS);
    const wouldDelete = (region: string) =>
      (a?.rotation.find((r) => r.region === region)?.wouldDelete ?? []).map((i) => i.id).sort();
    const idsOf = (backups: OldBackup[]) => backups.flatMap((x) => [`ami-${x.hex}`, `snap-${x.hex}`]).sort();
    expect(wouldDelete(SOURCE)).toEqual(idsOf(sourceOld.slice(0, 2)));
    expect(wouldDelete(COPY_A)).toEqual(idsOf(copyOld.slice(0, 1)));
    expect(wouldDelete(COPY_B)).toEqual([]);
    for (const r of a?.rotation ?? []) {
      for (const item of r.wouldDelete) expect(item.reason).toMatch(/^delete: /);
      expect(r.report.dryRun).toBe(true);
    }
    // sourceOld[2] (its ami-… and snap-… are one backup): the planned backup stands in for
    // the inventory only, it is never counted as kept.
    expect(a?.rotation.find((r) => r.region === SOURCE)?.report.keptBackups).toBe(1);
  });

  it('records a target the real run would fail, plans the others, and fails the dry run', async () => {
    // Prepare
    await seedFleet(local().control);
    const missing = 'i-0fffffffffffffff9';
    const workflow = await createBackupWorkflow(local);
    local().cloud.counters.reset();
    // Act
    // The policy lists an instance that is gone: targets may name it (it is in the selection).
    const listsMissing = policy({
      targets: { instanceIds: [INSTANCE_A, missing], tags: { Backup: 'nightly' } },
    });
    const result = await workflow.run(
      runInput(listsMissing, RUN, { dryRun: true, targets: [INSTANCE_A, missing] }),
    );
    // Assess
    expect(result.status).toBe('failed');
    expect(result.error).toBe('BackupRunFailed');
    expect(result.cause).toMatch(
      /dry run, nothing created: 1\/2 targets planned; would fail: .*TargetNotFound/,
    );
    const summary = (result.lastOutput.Summarize as { summary: RunSummary }).summary;
    expect(summary.plan?.targets.find((t) => t.target === missing)?.failure).toMatch(/^TargetNotFound: /);
    expect(summary.plan?.targets.find((t) => t.target === INSTANCE_A)?.plan?.image).toBeDefined();
    const calls = await ec2Calls(local().control);
    expect(MUTATING.filter((action) => (calls[action] ?? 0) > 0)).toEqual([]);
  });
});

describe('maxTargetsPerRun', () => {
  const local = useLocalCloud();
  // Instance A by id plus B and C by tag: 3 targets against a cap of 2.
  const capped = policy({ maxTargetsPerRun: 2 });

  it('a selection over the cap fails the run with TooManyTargets and creates nothing', async () => {
    // Prepare
    await seedFleet(local().control);
    const before = await snapshotOf(local);
    const workflow = await createBackupWorkflow(local);
    local().cloud.counters.reset();
    // Act
    const result = await workflow.run(runInput(capped, RUN.replace('dry-', '')));
    // Assess
    expect(result.status).toBe('failed');
    expect(result.error).toBe('TooManyTargets');
    expect(result.cause).toMatch(/policy nightly selected 3 targets, more than maxTargetsPerRun \(2\)/);
    expect(result.invocations).toEqual({ DiscoverTargets: 1 });
    const calls = await ec2Calls(local().control);
    expect(Object.keys(calls)).toEqual(['DescribeInstances']);
    expect(await snapshotOf(local)).toEqual(before);
  });

  it('a dry run over the cap reports the count and the cap instead of failing', async () => {
    // Prepare
    await seedFleet(local().control);
    const workflow = await createBackupWorkflow(local);
    // Act
    const result = await workflow.run(runInput(capped, RUN, { dryRun: true }));
    // Assess
    expect(result.status).toBe('succeeded');
    const summary = result.output as RunSummary;
    expect(summary.plan?.selection).toEqual({
      found: 3,
      maxTargetsPerRun: 2,
      exceeded: true,
      notPlanned: [INSTANCE_C],
    });
    expect(summary.warnings).toEqual([
      'dry run: nothing was created, copied, shared or deleted',
      'a real run would fail with TooManyTargets: the selection found 3 targets, maxTargetsPerRun is 2',
      `1 target(s) beyond the cap not planned: ${INSTANCE_C}`,
    ]);
    // Planned up to the cap: a plan per target for a runaway selection would outgrow the state payload.
    expect(summary.plan?.targets.map((t) => t.target)).toEqual([INSTANCE_A, INSTANCE_B]);
    expect(Object.keys(await ec2Calls(local().control)).every((a) => a.startsWith('Describe'))).toBe(true);
  });
});
