/**
 * The real backup ASL, executed with aws-local-stepfunctions, every Task bound to its real
 * handler, the local cloud behind them (see tests/helpers/backup-workflow.ts).
 */

import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../shared/backup/summary.ts';
import { createBackupWorkflow } from '../../helpers/backup-workflow.ts';
import { ec2Calls, ids, inventory, ofTarget } from './inventory.ts';
import {
  COPY_A,
  COPY_B,
  INSTANCE_A,
  INSTANCE_B,
  INSTANCE_C,
  KEY_A,
  MISSING_KEY,
  policy,
  runInput,
  SHARE_WITH,
  SOURCE,
  seedFleet,
  VOLUMES_B,
} from './scenario.ts';

const RUN = 'nightly-2026-02-01';
const TARGETS = [INSTANCE_A, INSTANCE_B, INSTANCE_C];
const REGIONS = [SOURCE, COPY_A, COPY_B];

describe('backup workflow (3 instances, one with 3 volumes; copies to 2 regions; shared with one account)', () => {
  const local = useLocalCloud();
  const summaryOf = (result: { lastOutput: Record<string, unknown> }) =>
    (result.lastOutput.Summarize as { summary: RunSummary }).summary;

  it('makes one AMI per target in every region, shared, tagged, from the source instance', async () => {
    // Prepare
    await seedFleet(local().control);
    const workflow = await createBackupWorkflow(local);
    // Act
    const result = await workflow.run(runInput(policy(), RUN));
    // Assess
    expect(result.status).toBe('succeeded');
    expect((result.output as RunSummary).totals).toMatchObject({ targets: 3, succeeded: 3, failed: 0 });
    for (const region of REGIONS) {
      const { images, snapshots } = await inventory(local().control, region);
      for (const target of TARGETS) {
        const [image, ...more] = ofTarget(images, target);
        expect(more).toEqual([]);
        expect(image).toMatchObject({
          name: `shipyard/nightly/${target}/${RUN}`,
          state: 'available',
          public: false,
        });
        expect(image?.tags).toMatchObject({ 'shipyard:run': RUN, 'shipyard:source-region': SOURCE });
        expect(image?.launchPermissions).toEqual([{ userId: SHARE_WITH }]);
        // Copies' snapshots are tagged at creation too (rotation finds them in every region).
        expect(ofTarget(snapshots, target)).toHaveLength(target === INSTANCE_B ? 3 : 1);
      }
    }
    const source = await inventory(local().control, SOURCE);
    expect(ofTarget(source.images, INSTANCE_B)[0]?.snapshotIds).toHaveLength(3);
    expect(source.snapshots.filter((s) => s.volumeId === 'vol-0d0000000000000d1')).toEqual([]);
    const copy = ofTarget((await inventory(local().control, COPY_A)).images, INSTANCE_A)[0];
    expect(copy?.tags['shipyard:source-image']).toBe(ofTarget(source.images, INSTANCE_A)[0]?.imageId);
  });

  it('records the cost figures of one nightly run', async () => {
    // Prepare: one instance with one volume, the same policy (2 copy regions, sharing).
    await seedFleet(local().control);
    const workflow = await createBackupWorkflow(local);
    // Act
    const one = await workflow.run(runInput(policy(), RUN, { targets: [INSTANCE_A] }));
    const perTarget = await ec2Calls(local().control);
    local().cloud.counters.reset();
    const all = await workflow.run(runInput(policy(), 'nightly-2026-02-02'));
    const threeTargets = await ec2Calls(local().control);
    // Assess
    expect(one.status).toBe('succeeded');
    expect(all.status).toBe('succeeded');
    const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
    console.info(
      JSON.stringify({
        oneTarget: {
          transitions: one.transitions,
          lambdaInvocations: one.invocations,
          ec2Calls: perTarget,
          ec2Total: total(perTarget),
        },
        threeTargets: {
          transitions: all.transitions,
          lambdaInvocations: all.invocations,
          ec2Calls: threeTargets,
          ec2Total: total(threeTargets),
        },
      }),
    );
    expect(one.transitions).toBeLessThan(60);
  });

  it('a snapshot that ends in error fails that target only; the others are completed and rotated', async () => {
    // Prepare: one volume of instance B fails asynchronously (so does its whole crash-consistent set).
    await seedFleet(local().control, { asyncFaults: [{ kind: 'snapshot-error', volumeId: VOLUMES_B[1] }] });
    const workflow = await createBackupWorkflow(local);
    // Act
    const result = await workflow.run(runInput(policy(), RUN));
    // Assess
    expect(result.status).toBe('failed');
    expect(result.error).toBe('BackupRunFailed');
    expect(result.cause).toContain(`${INSTANCE_B}: ${SOURCE}: snapshot: SnapshotFailed`);
    const summary = summaryOf(result);
    expect(summary.totals).toMatchObject({ succeeded: 2, failed: 1 });
    for (const t of summary.targets.filter((t) => t.target !== INSTANCE_B)) {
      expect(t.regions.map((r) => [r.region, r.status, r.rotation !== undefined])).toEqual(
        REGIONS.map((r) => [r, 'succeeded', true]),
      );
    }
    for (const region of REGIONS)
      expect(ofTarget((await inventory(local().control, region)).images, INSTANCE_B)).toEqual([]);
  });

  it("one region's copy failing on a bad KMS key does not undo the other region; the run fails at the end", async () => {
    // Prepare
    await seedFleet(local().control);
    const workflow = await createBackupWorkflow(local);
    const badKey = policy({
      copyRegions: [
        { region: COPY_A, kmsKeyId: KEY_A },
        { region: COPY_B, kmsKeyId: MISSING_KEY },
      ],
    });
    // Act
    const result = await workflow.run(runInput(badKey, RUN));
    // Assess
    expect(result.status).toBe('failed');
    const summary = summaryOf(result);
    expect(summary.totals).toMatchObject({ targets: 3, failed: 3 });
    for (const t of summary.targets) {
      expect(t.regions.map((r) => [r.region, r.status])).toEqual([
        [SOURCE, 'succeeded'],
        [COPY_A, 'succeeded'],
        [COPY_B, 'failed'],
      ]);
      expect(t.failures.join()).toContain(`${COPY_B}: copy: ImageCopyFailed`);
    }
    const copies = await inventory(local().control, COPY_A);
    for (const target of TARGETS) {
      expect(ofTarget(copies.images, target)).toMatchObject([
        { state: 'available', launchPermissions: [{ userId: SHARE_WITH }] },
      ]);
    }
  });

  it('survives a throttling storm (30% RequestLimitExceeded on every EC2 action) without duplicates', async () => {
    // Prepare
    await seedFleet(local().control);
    await local().control.addFaults([{ service: 'ec2', code: 'RequestLimitExceeded', probability: 0.3 }]);
    const workflow = await createBackupWorkflow(local);
    // Act
    const result = await workflow.run(runInput(policy(), RUN));
    // Assess
    expect(result.status).toBe('succeeded');
    expect((await local().control.counters()).faultsInjected).toBeGreaterThan(10);
    for (const region of REGIONS) {
      const { images } = await inventory(local().control, region);
      for (const target of TARGETS) expect(ofTarget(images, target)).toHaveLength(1);
    }
    expect((await inventory(local().control, SOURCE)).snapshots).toHaveLength(5);
  });

  it('waits out the copy concurrency limit (ResourceLimitExceeded) in the copy queue, one invocation per copy', async () => {
    // Prepare: one AMI copy in flight per destination region.
    await seedFleet(local().control, { limits: { concurrentImageCopies: 1 } });
    const workflow = await createBackupWorkflow(local);
    // Act
    const result = await workflow.run(runInput(policy(), RUN));
    // Assess: 3 targets × 2 regions, each CopyImage Task invoked once; the refused copies
    // waited in their region's queue and the copies that ended there started them
    // (CopyImage requests beyond the six: the queue's starts).
    expect(result.status).toBe('succeeded');
    expect(result.invocations.CopyImage).toBe(6);
    const requests = (await local().control.counters()).calls
      .filter((c) => c.service === 'ec2' && c.action === 'CopyImage')
      .reduce((n, c) => n + c.count, 0);
    expect(requests).toBeGreaterThan(6);
    for (const region of [COPY_A, COPY_B]) {
      const { images } = await inventory(local().control, region);
      expect(images.filter((i) => i.state === 'available')).toHaveLength(3);
    }
  });

  it('a second execution of the same run id is refused (RunAlreadyRecorded) and makes no duplicate', async () => {
    // Prepare
    await seedFleet(local().control);
    const workflow = await createBackupWorkflow(local);
    const first = await workflow.run(runInput(policy(), RUN));
    const before = await Promise.all(REGIONS.map((r) => inventory(local().control, r)));
    // Act: another execution with the same name (after 90 days, or on a re-created state machine).
    const second = await workflow.run(runInput(policy(), RUN));
    // Assess: a run id produces backups once, and says so instead of a silent success.
    expect([first.status, second.status, second.error]).toEqual([
      'succeeded',
      'failed',
      'RunAlreadyRecorded',
    ]);
    expect(second.cause).toContain(`run ${RUN} of policy nightly was already recorded`);
    expect(second.invocations).toEqual({ DiscoverTargets: 1 });
    const after = await Promise.all(REGIONS.map((r) => inventory(local().control, r)));
    expect(after.map((r) => [ids(r.images), ids(r.snapshots)])).toEqual(
      before.map((r) => [ids(r.images), ids(r.snapshots)]),
    );
    const calls = await ec2Calls(local().control);
    expect(calls.CreateSnapshots).toBe(3);
    expect(calls.RegisterImage).toBe(3);
  });

  it('a re-driven execution (same execution) finds its own run record and makes no duplicate', async () => {
    // Prepare
    await seedFleet(local().control);
    const workflow = await createBackupWorkflow(local);
    const first = await workflow.run(runInput(policy(), RUN));
    // Act
    const again = await workflow.run(runInput(policy(), RUN), { redrive: true });
    // Assess
    expect([first.status, again.status, again.cause]).toEqual(['succeeded', 'succeeded', undefined]);
    const calls = await ec2Calls(local().control);
    expect(calls.CreateSnapshots).toBe(3);
    expect(calls.RegisterImage).toBe(3);
  });
});
