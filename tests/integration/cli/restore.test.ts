import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { isOneLine, runCli } from './harness.ts';

/** A fast simulated clock: a 3-minute copy takes a fraction of a real second. */
const local = useLocalCloud({ clock: { speed: 2000 } });

interface VolumeView {
  volumeId: string;
  state: string;
  sizeGiB: number;
  tags: Record<string, string>;
}
interface Ec2State {
  ec2: {
    regions: Record<
      string,
      { volumes: VolumeView[]; snapshots: { snapshotId: string; tags: Record<string, string> }[] }
    >;
  };
}

const restore = (args: string[]) =>
  runCli(['restore', ...args, '--poll-seconds', '0.05', '--json', '--endpoint', local().url]);

const seedSnapshot = async (region: string, sizeGiB = 8) => {
  const seeded = await local().control.seed<{ ec2: { snapshots: string[] } }>({
    ec2: { snapshots: [{ region, sizeGiB }] },
  });
  return seeded.ec2.snapshots[0] ?? '';
};

const seedImage = async (region: string) => {
  const seeded = await local().control.seed<{
    ec2: { images: { imageId: string; snapshotIds: string[] }[] };
  }>({
    ec2: {
      images: [
        {
          region,
          name: 'shipyard/nightly/i-0aaaaaaaaaaaaaaa1/nightly-2026-03-01',
          rootDeviceName: '/dev/xvda',
          blockDevices: [
            { deviceName: '/dev/xvda', sizeGiB: 8 },
            { deviceName: '/dev/sdf', sizeGiB: 20 },
          ],
        },
      ],
    },
  });
  const image = seeded.ec2.images[0];
  return {
    imageId: image?.imageId ?? '',
    root: image?.snapshotIds[0] ?? '',
    data: image?.snapshotIds[1] ?? '',
  };
};

const volumesIn = async (region: string) =>
  (await local().control.state<Ec2State>()).ec2.regions[region]?.volumes ?? [];

describe('shipyard restore', () => {
  it('restores a snapshot into another availability zone of its region, tagged, and waits until available', async () => {
    // Prepare
    const snapshotId = await seedSnapshot('eu-west-1');
    // Act
    const result = await restore([
      '--from',
      snapshotId,
      '--region',
      'eu-west-1',
      '--az',
      'eu-west-1b',
      '--tag',
      'Team=web',
      '--wait',
    ]);
    // Assess
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({
      status: 'available',
      source: { snapshotId, region: 'eu-west-1' },
      volume: {
        state: 'available',
        availabilityZone: 'eu-west-1b',
        sizeGiB: 8,
        volumeType: 'gp3',
        snapshotId,
      },
    });
    expect(out.copySnapshotId).toBeUndefined();
    const [volume] = await volumesIn('eu-west-1');
    expect(volume?.volumeId).toBe(out.volume.volumeId);
    expect(volume?.tags).toMatchObject({
      Team: 'web',
      'shipyard:restore-source-snapshot': snapshotId,
      'shipyard:restore-source-region': 'eu-west-1',
      'shipyard:restored-at': expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(volume?.tags['shipyard:managed']).toBeUndefined();
    expect(local().cloud.counters.callCount({ action: 'CopySnapshot' })).toBe(0);
  });

  it('migrates an AMI device into another region: copies its snapshot, then creates the volume there', async () => {
    // Prepare
    const image = await seedImage('ap-south-1');
    // Act
    const result = await runCli([
      'restore',
      '--from',
      image.imageId,
      '--source-region',
      'ap-south-1',
      '--region',
      'us-west-1',
      '--az',
      'us-west-1c',
      '--device',
      '/dev/sdf',
      '--size',
      '30',
      '--wait',
      '--poll-seconds',
      '0.05',
      '--endpoint',
      local().url,
    ]);
    // Assess: human output, the volume id first
    expect(result.code).toBe(0);
    const [volumeId, detail] = result.stdout.trim().split('\n');
    expect(volumeId).toMatch(/^vol-[0-9a-f]{17}$/);
    expect(detail).toMatch(
      new RegExp(
        `restored ${image.imageId} → ${image.data} \\(ap-south-1\\) into us-west-1c: 30 GiB gp3, available \\(via copy snap-`,
      ),
    );
    expect(result.stderr).toContain(`copying ${image.data} to us-west-1`);
    const [volume] = await volumesIn('us-west-1');
    expect(volume).toMatchObject({ volumeId, sizeGiB: 30, state: 'available' });
    expect(volume?.tags).toMatchObject({
      'shipyard:restore-source-snapshot': image.data,
      'shipyard:restore-source-region': 'ap-south-1',
      'shipyard:restore-source-image': image.imageId,
    });
    const copies = (await local().control.state<Ec2State>()).ec2.regions['us-west-1']?.snapshots ?? [];
    expect(copies).toEqual([
      expect.objectContaining({
        tags: expect.objectContaining({ 'shipyard:restore-source-snapshot': image.data }),
      }),
    ]);
  });

  it('without --wait returns while the copy runs, and a re-run reuses that copy', async () => {
    // Prepare
    const image = await seedImage('ap-south-1');
    const args = [
      '--from',
      image.imageId,
      '--source-region',
      'ap-south-1',
      '--region',
      'eu-west-1',
      '--az',
      'eu-west-1a',
    ];
    // Act
    const first = await restore(args);
    await local().control.advance({ minutes: 60 });
    const second = await restore(args);
    // Assess
    expect(first.code).toBe(0);
    const copying = JSON.parse(first.stdout);
    expect(copying).toMatchObject({ status: 'copying', source: { snapshotId: image.root } });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      status: 'created',
      copySnapshotId: copying.copySnapshotId,
      volume: { availabilityZone: 'eu-west-1a', snapshotId: copying.copySnapshotId, sizeGiB: 8 },
    });
    expect(local().cloud.counters.callCount({ action: 'CopySnapshot' })).toBe(1);
  });

  it('a dry run resolves and checks everything but creates nothing', async () => {
    // Prepare
    const image = await seedImage('ap-south-1');
    // Act
    const result = await restore([
      '--from',
      image.imageId,
      '--source-region',
      'ap-south-1',
      '--region',
      'us-west-1',
      '--az',
      'us-west-1a',
      '--dry-run',
    ]);
    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'dry-run',
      source: { snapshotId: image.root, imageId: image.imageId, sizeGiB: 8 },
      copy: { action: 'copy' },
      volume: { region: 'us-west-1', availabilityZone: 'us-west-1a', sizeGiB: 8 },
    });
    expect(local().cloud.counters.callCount({ action: 'CopySnapshot' })).toBe(0);
    expect(local().cloud.counters.callCount({ action: 'CreateVolume' })).toBe(0);
  });

  it.each([
    [
      'a size below the snapshot size',
      (s: { snap: string }) => ['--from', s.snap, '--size', '4'],
      /--size: 4 GiB is smaller than the snapshot \(8 GiB\)/,
    ],
    [
      'a missing snapshot',
      () => ['--from', 'snap-0123456789abcdef0'],
      /--from: snapshot snap-0123456789abcdef0 not found in eu-west-1/,
    ],
    [
      'a device the AMI does not have',
      (s: { ami: string }) => ['--from', s.ami, '--device', '/dev/sdz'],
      /--device: AMI ami-\w+ has no EBS snapshot for \/dev\/sdz \(devices: \/dev\/xvda, \/dev\/sdf\)/,
    ],
    [
      '--device with a snapshot',
      (s: { snap: string }) => ['--from', s.snap, '--device', '/dev/sdf'],
      /--device: only applies when restoring from an AMI/,
    ],
    [
      'a reserved tag key',
      (s: { snap: string }) => ['--from', s.snap, '--tag', 'shipyard:managed=true'],
      /--tag: "shipyard:managed": keys starting with shipyard: are Shipyard's own/,
    ],
  ])('rejects %s with one line, exit 2, creating nothing', async (_what, argsOf, message) => {
    // Prepare
    const snap = await seedSnapshot('eu-west-1');
    const { imageId: ami } = await seedImage('eu-west-1');
    // Act
    const result = await restore([...argsOf({ snap, ami }), '--region', 'eu-west-1', '--az', 'eu-west-1a']);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(isOneLine(result.stderr)).toBe(true);
    expect(local().cloud.counters.callCount({ action: 'CreateVolume' })).toBe(0);
  });
});
