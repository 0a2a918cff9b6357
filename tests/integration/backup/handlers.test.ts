/** Backup handlers against the local cloud over HTTP (real SDK clients, default retries). */
import { EC2Client } from '@aws-sdk/client-ec2';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { makeHandler as copyImage } from '../../../functions/backup-copy-image/handler.ts';
import { makeHandler as createSnapshots } from '../../../functions/backup-create-snapshots/handler.ts';
import { makeHandler as discoverTargets } from '../../../functions/backup-discover-targets/handler.ts';
import { makeHandler as registerImage } from '../../../functions/backup-register-image/handler.ts';
import { createEc2PortFactory } from '../../../shared/aws/ec2.ts';
import { checkSnapshots } from '../../../shared/backup-service/checks.ts';
import { type BackupDeps, silentLogger } from '../../../shared/backup-service/deps.ts';
import type { ImageState, SnapshotSet } from '../../../shared/backup-service/state.ts';
import {
  deployed,
  discoverEvent,
  localRunFiles,
  localRunRecords,
  mapItemsOf,
  runOf,
} from '../../helpers/backup-deps.ts';
import { inventory } from '../../workflow/backup/inventory.ts';
import { COPY_A, INSTANCE_B, policy, SOURCE, seedFleet, VOLUMES_B } from '../../workflow/backup/scenario.ts';

describe('backup handlers against the local cloud', () => {
  const local = useLocalCloud();
  const deps = (): BackupDeps => ({
    ec2: createEc2PortFactory({
      clientFor: (region) => new EC2Client(clientConfig(local().url, region)),
      pageSize: 5,
    }),
    logger: silentLogger,
    now: () => new Date(local().cloud.now()),
    policies: deployed(policy()),
    runRecords: localRunRecords(local),
    runFiles: localRunFiles(local),
  });
  const run = () => runOf(policy(), 'nightly-2026-02-01', new Date(local().cloud.now()).toISOString());
  const targetB = { id: INSTANCE_B, kind: 'instance' as const, form: 'image' as const };

  it('discover-targets: listed ids plus live instances with all the tags (paged)', async () => {
    await seedFleet(local().control);
    const before = local().cloud.now();
    const used = deps();
    const out = await discoverTargets(used)(discoverEvent({ policy: 'nightly' }, 'nightly-2026-02-01'));
    const after = local().cloud.now();
    expect((await mapItemsOf(used.runFiles, out)).map((t) => t.id)).toEqual([
      'i-0aaaaaaaaaaaaaaa1',
      'i-0bbbbbbbbbbbbbbb2',
      'i-0ccccccccccccccc3',
    ]);
    // The run's instant is the service clock; the run id is the execution name.
    expect(out.run).toMatchObject({ runId: 'nightly-2026-02-01', dryRun: false });
    expect(Date.parse(out.run.startedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(out.run.startedAt)).toBeLessThanOrEqual(after);
  });

  it('create-snapshots: one crash-consistent set, tagged at creation; a second call reuses it', async () => {
    await seedFleet(local().control);
    const input = { run: run(), backup: { target: targetB } };
    const first = await createSnapshots(deps())(input);
    const again = await createSnapshots(deps())(input);
    expect(first.snapshots.map((s) => s.volumeId).sort()).toEqual([...VOLUMES_B].sort());
    expect(again.snapshots).toEqual(first.snapshots);
    const { snapshots } = await inventory(local().control, SOURCE);
    expect(snapshots).toHaveLength(3);
    expect(snapshots[0]?.tags).toMatchObject({
      'shipyard:managed': 'true',
      'shipyard:run': 'nightly-2026-02-01',
    });
  });

  it('check-snapshots → register-image: the AMI restores the source instance, and a re-run reuses it by name', async () => {
    await seedFleet(local().control);
    const r = run();
    let set: SnapshotSet = await createSnapshots(deps())({ run: r, backup: { target: targetB } });
    for (let i = 0; i < 20 && set.state !== 'completed'; i++) {
      local().cloud.clock.advance(set.waitSeconds * 1000);
      set = await checkSnapshots(deps(), { run: r, backup: { target: targetB, snapshots: set } });
    }
    expect(set.state).toBe('completed');
    const image: ImageState = await registerImage(deps())({
      run: r,
      backup: { target: targetB, snapshots: set },
    });
    const again = await registerImage(deps())({ run: r, backup: { target: targetB, snapshots: set } });
    expect(again.imageId).toBe(image.imageId);
    const { images } = await inventory(local().control, SOURCE);
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ name: `shipyard/nightly/${INSTANCE_B}/nightly-2026-02-01` });
    expect(images[0]?.snapshotIds.sort()).toEqual(set.snapshots.map((s) => s.snapshotId).sort());
  });

  it('check-snapshots: a snapshot in error fails with SnapshotFailed and its reason', async () => {
    await seedFleet(local().control, {
      asyncFaults: [{ kind: 'snapshot-error', volumeId: VOLUMES_B[0], message: 'disk went away' }],
    });
    const r = run();
    const set = await createSnapshots(deps())({ run: r, backup: { target: targetB } });
    local().cloud.clock.advance(3_600_000);
    await expect(
      checkSnapshots(deps(), { run: r, backup: { target: targetB, snapshots: set } }),
    ).rejects.toMatchObject({
      name: 'SnapshotFailed',
      message: expect.stringContaining('disk went away'),
    });
  });

  it('copy-image: a foreign AMI holding our name in the destination is never adopted', async () => {
    await seedFleet(local().control, {
      images: [
        {
          region: COPY_A,
          name: 'shipyard/nightly/i-0bbbbbbbbbbbbbbb2/nightly-2026-02-01',
          blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }],
        },
      ],
    });
    const source = await local().control.seed<{ ec2: { images: { imageId: string }[] } }>({
      ec2: {
        images: [
          { region: SOURCE, name: 'src-image', blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }] },
        ],
      },
    });
    const r = run();
    const sourceState: ImageState = {
      region: SOURCE,
      imageId: source.ec2.images[0]?.imageId ?? '',
      name: 'shipyard/nightly/i-0bbbbbbbbbbbbbbb2/nightly-2026-02-01',
      createdAt: r.startedAt,
      state: 'available',
      attempt: 1,
      startedAt: r.startedAt,
      waitSeconds: 0,
    };
    await expect(
      copyImage(deps())({ run: r, target: targetB, source: sourceState, copy: { region: COPY_A } }),
    ).rejects.toMatchObject({ name: 'ImageCopyFailed', message: expect.stringContaining('not this run') });
  });
});
