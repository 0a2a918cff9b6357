/** The EC2 adapter over HTTP against the local cloud, with the real SDK client (its retries included). */
import { EC2Client } from '@aws-sdk/client-ec2';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { createEc2Port } from '../../../shared/aws/ec2.ts';

const REGION = 'eu-west-1';
const managed = { 'shipyard:managed': 'true', 'shipyard:policy': 'nightly' };

describe('EC2 adapter against the local cloud', () => {
  const local = useLocalCloud();
  const port = (pageSize = 500, maxAttempts = 3) =>
    createEc2Port(new EC2Client({ ...clientConfig(local().url, REGION), maxAttempts }), REGION, pageSize);

  it('pages every listing to the end', async () => {
    // Prepare: 12 snapshots, 7 of them ours.
    await local().control.seed({
      ec2: {
        snapshots: Array.from({ length: 12 }, (_, i) => ({
          region: REGION,
          sizeGiB: 1,
          tags: i < 7 ? managed : {},
        })),
      },
    });
    // Act
    const all = await port(5).describeSnapshots({});
    const ours = await port(5).describeSnapshots({ tags: { 'shipyard:managed': ['true'] } });
    // Assess
    expect(all).toHaveLength(12);
    expect(ours).toHaveLength(7);
    const calls = (await local().control.counters()).calls.find((c) => c.action === 'DescribeSnapshots');
    expect(calls?.count).toBe(3 + 2);
  });

  it('reports a duplicate AMI name instead of failing, and finds images by name', async () => {
    // Prepare
    const [seeded] = (
      await local().control.seed<{ ec2: { images: { imageId: string; snapshotIds: string[] }[] } }>({
        ec2: {
          images: [
            {
              region: REGION,
              name: 'shipyard/nightly/i-1/r1',
              blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }],
            },
          ],
        },
      })
    ).ec2.images;
    // Act
    const result = await port().registerImage({
      Name: 'shipyard/nightly/i-1/r1',
      RootDeviceName: '/dev/xvda',
      BlockDeviceMappings: [
        {
          DeviceName: '/dev/xvda',
          Ebs: {
            SnapshotId: seeded?.snapshotIds[0] ?? '',
            VolumeSize: 8,
            VolumeType: 'gp3',
            DeleteOnTermination: true,
          },
        },
      ],
      VirtualizationType: 'hvm',
      Architecture: 'arm64',
      EnaSupport: true,
      tagSpecifications: [],
    });
    const found = await port().describeImages({ names: ['shipyard/nightly/i-1/r1'] });
    // Assess
    expect(result).toEqual({ kind: 'duplicate-name' });
    expect(found.map((i) => i.imageId)).toEqual([seeded?.imageId]);
  });

  it('deletes: in-use and already-gone snapshots are reported, not thrown', async () => {
    // Prepare
    const seeded = await local().control.seed<{
      ec2: { images: { imageId: string; snapshotIds: string[] }[]; snapshots: string[] };
    }>({
      ec2: {
        snapshots: [{ region: REGION, sizeGiB: 1 }],
        images: [{ region: REGION, name: 'in-use', blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }] }],
      },
    });
    const image = seeded.ec2.images[0];
    const lonely = seeded.ec2.snapshots[0] ?? '';
    // Act + Assess
    expect(await port().deleteSnapshot(image?.snapshotIds[0] ?? '')).toBe('in-use');
    expect(await port().deleteSnapshot(lonely)).toBe('deleted');
    expect(await port().deleteSnapshot(lonely)).toBe('not-found');
    const deregistered = await port().deregisterImage(image?.imageId ?? '', true);
    expect(deregistered).toEqual({
      kind: 'deregistered',
      snapshots: [{ snapshotId: image?.snapshotIds[0], returnCode: 'success' }],
    });
    expect((await port().deregisterImage(image?.imageId ?? '', true)).kind).toBe('not-found');
  });

  it('maps throttling the SDK gave up on to Ec2Throttled, and unknown ids to TargetNotFound', async () => {
    // Prepare
    await local().control.addFaults([
      { service: 'ec2', action: 'DescribeVolumes', code: 'RequestLimitExceeded', firstN: 5 },
    ]);
    // Act + Assess
    await expect(port(500, 2).describeVolumes({})).rejects.toMatchObject({ name: 'Ec2Throttled' });
    await expect(
      port().createSnapshot({ volumeId: 'vol-0123456789abcdef0', description: 'x', tagSpecifications: [] }),
    ).rejects.toMatchObject({ name: 'TargetNotFound' });
  });

  it('CopyImage with the same ClientToken returns the same copy; new AMI and snapshots are tagged', async () => {
    // Prepare
    const seeded = await local().control.seed<{ ec2: { images: { imageId: string }[] } }>({
      ec2: {
        images: [{ region: REGION, name: 'src', blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }] }],
      },
    });
    const destination = createEc2Port(new EC2Client(clientConfig(local().url, 'us-east-1')), 'us-east-1');
    const copy = () =>
      destination.copyImage({
        sourceRegion: REGION,
        sourceImageId: seeded.ec2.images[0]?.imageId ?? '',
        name: 'src',
        clientToken: 'sy-token-1',
        // CopyImage API reference: "You can tag the AMI, the snapshots, or both."
        tagSpecifications: [
          { ResourceType: 'image', Tags: [{ Key: 'shipyard:managed', Value: 'true' }] },
          { ResourceType: 'snapshot', Tags: [{ Key: 'shipyard:kind', Value: 'snapshot' }] },
        ],
      });
    // Act
    const [a, b] = [await copy(), await copy()];
    // Assess
    expect(a.kind).toBe('copied');
    expect(b).toEqual(a);
    expect(await destination.describeImages({})).toHaveLength(1);
    const copied = await destination.describeSnapshots({ tags: { 'shipyard:kind': ['snapshot'] } });
    expect(copied).toHaveLength(1);
  });
});
