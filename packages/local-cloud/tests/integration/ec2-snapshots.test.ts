import {
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeSnapshotsCommand,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, expectAwsError, seedEc2, seedInstance, seedVolume } from './ec2-fixtures.ts';

// A frozen clock: only the control API moves time, so states never flip on their own.
const local = useLocalCloud({ clock: { speed: 0 } });

const describeOne = async (url: string, snapshotId: string, region = 'us-east-1') => {
  const out = await ec2Client(url, region).send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));
  const snapshot = out.Snapshots?.[0];
  if (!snapshot) throw new Error(`no snapshot ${snapshotId}`);
  return snapshot;
};

describe('EC2 snapshots', () => {
  it('AWS-FACTS EBS: CreateSnapshot returns pending at once, Progress "NN%", completed after a size-based duration', async () => {
    // Prepare: 100 GiB at 3 s/GiB is a 300 s full snapshot
    const { url, control } = local();
    const { data } = await seedInstance(control, { dataGiB: 100 });
    const ec2 = ec2Client(url);
    // Act
    const created = await ec2.send(new CreateSnapshotCommand({ VolumeId: data, Description: 'nightly' }));
    const atStart = await describeOne(url, created.SnapshotId ?? '');
    await control.advance({ ms: 150_000 });
    const halfway = await describeOne(url, created.SnapshotId ?? '');
    await control.advance({ ms: 150_000 });
    const done = await describeOne(url, created.SnapshotId ?? '');
    // Assess
    expect(created).toMatchObject({ State: 'pending', Progress: '0%', VolumeId: data, VolumeSize: 100 });
    expect(atStart.State).toBe('pending');
    expect(halfway).toMatchObject({ State: 'pending', Progress: '50%' });
    expect(done).toMatchObject({ State: 'completed', Progress: '100%', Description: 'nightly' });
  });

  it('AWS-FACTS EBS: the first snapshot of a volume is full, later ones are incremental (shorter)', async () => {
    // Prepare
    const { url, control } = local();
    const { data } = await seedInstance(control, { dataGiB: 100 });
    const ec2 = ec2Client(url);
    const first = await ec2.send(new CreateSnapshotCommand({ VolumeId: data }));
    await control.advance({ ms: 300_000 });
    // Act: incremental = 300 s × 0.2 = 60 s
    const second = await ec2.send(new CreateSnapshotCommand({ VolumeId: data }));
    await control.advance({ ms: 59_999 });
    const before = await describeOne(url, second.SnapshotId ?? '');
    await control.advance({ ms: 1 });
    const after = await describeOne(url, second.SnapshotId ?? '');
    // Assess
    expect((await describeOne(url, first.SnapshotId ?? '')).State).toBe('completed');
    expect(before.State).toBe('pending');
    expect(after.State).toBe('completed');
  });

  it('AWS-FACTS EBS: at most 5 pending snapshots per volume → ConcurrentSnapshotLimitExceeded', async () => {
    // Prepare
    const { url, control } = local();
    const volumeId = await seedVolume(control, 10);
    const ec2 = ec2Client(url);
    for (let i = 0; i < 5; i++) await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    // Act
    const sixth = ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    // Assess
    await expectAwsError(sixth, 'ConcurrentSnapshotLimitExceeded');
    await control.advance({ minutes: 5 });
    await expect(ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }))).resolves.toMatchObject({
      State: 'pending',
    });
  });

  it('AWS-FACTS EBS: an asynchronous snapshot failure ends in error with StateMessage', async () => {
    // Prepare
    const { url, control } = local();
    const volumeId = await seedVolume(control, 10);
    await seedEc2(control, { asyncFaults: [{ kind: 'snapshot-error', volumeId, message: 'disk gone' }] });
    const ec2 = ec2Client(url);
    // Act
    const created = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    await control.advance({ minutes: 10 });
    const failed = await describeOne(url, created.SnapshotId ?? '');
    const next = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    await control.advance({ minutes: 10 });
    // Assess: the fault is consumed by the first matching call only
    expect(created.State).toBe('pending');
    expect(failed).toMatchObject({ State: 'error', StateMessage: 'disk gone' });
    expect((await describeOne(url, next.SnapshotId ?? '')).State).toBe('completed');
  });

  it('AWS-FACTS EBS: Description is at most 255 characters → InvalidParameterValue', async () => {
    const { url, control } = local();
    const volumeId = await seedVolume(control, 10);
    const ec2 = ec2Client(url);
    await expectAwsError(
      ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId, Description: 'x'.repeat(256) })),
      'InvalidParameterValue',
    );
    await expect(
      ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId, Description: 'x'.repeat(255) })),
    ).resolves.toMatchObject({ State: 'pending' });
  });

  it('AWS-FACTS EBS: CreateSnapshots snapshots every volume of the instance, CopyTagsFromSource=volume plus TagSpecifications', async () => {
    // Prepare
    const { url, control } = local();
    const { instanceId, root, data } = await seedInstance(control, { tags: { Team: 'ops' } });
    const ec2 = ec2Client(url);
    // Act
    const out = await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: instanceId },
        CopyTagsFromSource: 'volume',
        Description: 'set',
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'CreatedBy', Value: 'shipyard' }] }],
      }),
    );
    // Assess
    const byVolume = new Map(out.Snapshots?.map((s) => [s.VolumeId, s]));
    expect([...byVolume.keys()].sort()).toEqual([root, data].sort());
    expect(byVolume.get(root)).toMatchObject({ State: 'pending', Description: 'set', VolumeSize: 8 });
    expect(byVolume.get(root)?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'Role', Value: 'root' },
        { Key: 'Team', Value: 'ops' },
        { Key: 'CreatedBy', Value: 'shipyard' },
      ]),
    );
    expect(byVolume.get(data)?.Tags).toContainEqual({ Key: 'Role', Value: 'data' });
  });

  it('AWS-FACTS EBS: CreateSnapshots honours ExcludeBootVolume and ExcludeDataVolumeIds', async () => {
    const { url, control } = local();
    const { instanceId, data } = await seedInstance(control);
    const ec2 = ec2Client(url);
    const dataOnly = await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: true },
      }),
    );
    const rootOnly = await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: instanceId, ExcludeDataVolumeIds: [data] },
      }),
    );
    expect(dataOnly.Snapshots?.map((s) => s.VolumeId)).toEqual([data]);
    expect(rootOnly.Snapshots).toHaveLength(1);
    expect(rootOnly.Snapshots?.[0]?.VolumeId).not.toBe(data);
  });

  it('AWS-FACTS EBS: CreateSnapshots is one crash-consistent set — if any member fails, all go to error', async () => {
    // Prepare
    const { url, control } = local();
    const { instanceId, data } = await seedInstance(control);
    await seedEc2(control, { asyncFaults: [{ kind: 'snapshot-error', volumeId: data }] });
    const ec2 = ec2Client(url);
    // Act
    const out = await ec2.send(
      new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: instanceId } }),
    );
    await control.advance({ minutes: 30 });
    const after = await ec2.send(
      new DescribeSnapshotsCommand({ SnapshotIds: out.Snapshots?.map((s) => s.SnapshotId ?? '') }),
    );
    // Assess
    expect(after.Snapshots).toHaveLength(2);
    for (const snapshot of after.Snapshots ?? []) {
      expect(snapshot.State).toBe('error');
      expect(snapshot.StateMessage).toMatch(/Injected fault/);
    }
  });

  it('AWS-FACTS EBS: CreateSnapshots takes at most 40 volumes per set', async () => {
    // Prepare
    const { url, control } = local();
    const volumes = Array.from({ length: 41 }, (_, i) => ({
      deviceName: i === 0 ? '/dev/xvda' : `/dev/sd${String.fromCharCode(98 + (i % 24))}${i}`,
      sizeGiB: 1,
      volumeType: 'gp3',
    }));
    const seeded = await seedEc2(control, {
      instances: [{ region: 'us-east-1', architecture: 'arm64', rootDeviceName: '/dev/xvda', volumes }],
    });
    const instanceId = seeded.ec2.instances[0]?.instanceId ?? '';
    const ec2 = ec2Client(url);
    // Act + Assess
    await expectAwsError(
      ec2.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: instanceId } })),
      'InvalidParameterValue',
    );
    const forty = await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: true },
      }),
    );
    expect(forty.Snapshots).toHaveLength(40);
  });

  it('AWS-FACTS EBS: DeleteSnapshot of a missing snapshot → InvalidSnapshot.NotFound; a free one is deleted', async () => {
    // Prepare
    const { url, control } = local();
    const volumeId = await seedVolume(control, 10);
    const ec2 = ec2Client(url);
    const created = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    // Act
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: created.SnapshotId }));
    // Assess
    await expectAwsError(
      ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [created.SnapshotId ?? ''] })),
      'InvalidSnapshot.NotFound',
    );
    const again = await expectAwsError(
      ec2.send(new DeleteSnapshotCommand({ SnapshotId: created.SnapshotId })),
      'InvalidSnapshot.NotFound',
    );
    expect(again.message).toContain(created.SnapshotId);
    expect((await control.counters()).tallies).toMatchObject({
      'ec2.snapshotsCreated': 1,
      'ec2.snapshotsDeleted': 1,
    });
  });

  it('AWS-FACTS EBS: DeleteSnapshot of a snapshot used by a registered AMI → InvalidSnapshot.InUse, free again after DeregisterImage', async () => {
    // Prepare
    const { url, control } = local();
    const seeded = await seedEc2(control, { snapshots: [{ region: 'us-east-1', sizeGiB: 8 }] });
    const snapshotId = seeded.ec2.snapshots[0] ?? '';
    const ec2 = ec2Client(url);
    const image = await ec2.send(
      new RegisterImageCommand({
        Name: 'in-use',
        RootDeviceName: '/dev/xvda',
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snapshotId } }],
      }),
    );
    // Act
    const inUse = await expectAwsError(
      ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })),
      'InvalidSnapshot.InUse',
    );
    await ec2.send(new DeregisterImageCommand({ ImageId: image.ImageId }));
    // Assess
    expect(inUse.message).toBe(`The snapshot ${snapshotId} is currently in use by ${image.ImageId}`);
    expect(inUse.$metadata.httpStatusCode).toBe(400);
    await expect(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }))).resolves.toBeDefined();
  });

  it('regions are isolated: a snapshot or volume of us-east-1 does not exist in eu-west-1', async () => {
    // Prepare
    const { url, control } = local();
    const volumeId = await seedVolume(control, 10, 'us-east-1');
    const created = await ec2Client(url).send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    const eu = ec2Client(url, 'eu-west-1');
    // Act + Assess
    await expectAwsError(
      eu.send(new DescribeSnapshotsCommand({ SnapshotIds: [created.SnapshotId ?? ''] })),
      'InvalidSnapshot.NotFound',
    );
    await expectAwsError(
      eu.send(new CreateSnapshotCommand({ VolumeId: volumeId })),
      'InvalidVolume.NotFound',
    );
    expect((await eu.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots).toEqual([]);
  });

  it('any well-formed region works, each with its own state', async () => {
    const { url, control } = local();
    const volumeId = await seedVolume(control, 10, 'mx-central-1');
    const created = await ec2Client(url, 'mx-central-1').send(
      new CreateSnapshotCommand({ VolumeId: volumeId }),
    );
    expect(created.SnapshotId).toMatch(/^snap-[0-9a-f]{17}$/);
  });

  it('ids are deterministic: the same scenario after a reset yields the same ids', async () => {
    // Prepare
    const { url, control } = local();
    const scenario = async () => {
      const { instanceId, data } = await seedInstance(control);
      const ec2 = ec2Client(url);
      const one = await ec2.send(new CreateSnapshotCommand({ VolumeId: data }));
      const set = await ec2.send(
        new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: instanceId } }),
      );
      return [instanceId, data, one.SnapshotId, ...(set.Snapshots?.map((s) => s.SnapshotId) ?? [])];
    };
    // Act
    const first = await scenario();
    await control.reset();
    const second = await scenario();
    // Assess
    expect(second).toEqual(first);
    expect(first[2]).toBe('snap-00000000000000001');
  });
});
