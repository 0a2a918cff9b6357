import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  type DescribeSnapshotsCommandInput,
  DescribeVolumesCommand,
  paginateDescribeSnapshots,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, expectAwsError, seedEc2, seedInstance, seedVolume } from './ec2-fixtures.ts';

const local = useLocalCloud({ clock: { speed: 0 } });

const seedSnapshots = async (count: number, tags: (i: number) => Record<string, string> = () => ({})) => {
  const seeded = await seedEc2(local().control, {
    snapshots: Array.from({ length: count }, (_, i) => ({ region: 'us-east-1', sizeGiB: 1, tags: tags(i) })),
  });
  return seeded.ec2.snapshots;
};

const snapshotIds = async (input: DescribeSnapshotsCommandInput) =>
  (await ec2Client(local().url).send(new DescribeSnapshotsCommand(input))).Snapshots?.map(
    (s) => s.SnapshotId,
  );

describe('EC2 Describe*: filters, owners, pagination', () => {
  it('AWS-FACTS EBS: DescribeSnapshots filters tag:<k>, tag-key, status and volume-id, with * and ? wildcards', async () => {
    // Prepare
    const { url, control } = local();
    const volumeId = await seedVolume(control, 10);
    const ec2 = ec2Client(url);
    const pending = await ec2.send(
      new CreateSnapshotCommand({
        VolumeId: volumeId,
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'Backup', Value: 'web-daily' }] }],
      }),
    );
    const tagsOf = (i: number): Record<string, string> =>
      i === 1 ? { Backup: 'db-weekly', Owner: 'ops' } : {};
    const [plain, tagged] = await seedSnapshots(2, tagsOf);
    // Act + Assess
    expect(await snapshotIds({ Filters: [{ Name: 'tag:Backup', Values: ['web-daily'] }] })).toEqual([
      pending.SnapshotId,
    ]);
    expect(await snapshotIds({ Filters: [{ Name: 'tag:Backup', Values: ['*-weekl?'] }] })).toEqual([tagged]);
    expect(await snapshotIds({ Filters: [{ Name: 'tag:Backup', Values: ['web-*', 'db-*'] }] })).toEqual([
      pending.SnapshotId,
      tagged,
    ]);
    expect(await snapshotIds({ Filters: [{ Name: 'tag-key', Values: ['Own*'] }] })).toEqual([tagged]);
    expect(await snapshotIds({ Filters: [{ Name: 'status', Values: ['pending'] }] })).toEqual([
      pending.SnapshotId,
    ]);
    expect(await snapshotIds({ Filters: [{ Name: 'status', Values: ['completed'] }] })).toEqual([
      plain,
      tagged,
    ]);
    expect(await snapshotIds({ Filters: [{ Name: 'volume-id', Values: [volumeId] }] })).toEqual([
      pending.SnapshotId,
    ]);
    expect(
      await snapshotIds({
        Filters: [
          { Name: 'tag-key', Values: ['Backup'] },
          { Name: 'status', Values: ['completed'] },
        ],
      }),
    ).toEqual([tagged]);
  });

  it('an unknown filter name → InvalidParameterValue', async () => {
    await expectAwsError(
      ec2Client(local().url).send(
        new DescribeSnapshotsCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] }),
      ),
      'InvalidParameterValue',
    );
  });

  it("AWS-FACTS EBS: OwnerIds ['self'] and the account id list this account's snapshots; another owner none", async () => {
    const ids = await seedSnapshots(2);
    expect(await snapshotIds({ OwnerIds: ['self'] })).toEqual(ids);
    expect(await snapshotIds({ OwnerIds: ['123456789012'] })).toEqual(ids);
    expect(await snapshotIds({ OwnerIds: ['amazon'] })).toEqual([]);
  });

  it('AWS-FACTS EBS: MaxResults is 5–1000 — below → InvalidParameterValue, above is clamped to 1000', async () => {
    // Prepare
    await seedSnapshots(1001);
    const ec2 = ec2Client(local().url);
    // Act
    const clamped = await ec2.send(new DescribeSnapshotsCommand({ MaxResults: 5000 }));
    // Assess
    await expectAwsError(ec2.send(new DescribeSnapshotsCommand({ MaxResults: 4 })), 'InvalidParameterValue');
    expect(clamped.Snapshots).toHaveLength(1000);
    expect(clamped.NextToken).toBeDefined();
    const rest = await ec2.send(
      new DescribeSnapshotsCommand({ MaxResults: 1000, NextToken: clamped.NextToken }),
    );
    expect(rest.Snapshots).toHaveLength(1);
    expect(rest.NextToken).toBeUndefined();
  });

  it('AWS-FACTS EBS: MaxResults cannot be combined with SnapshotIds → InvalidParameterCombination', async () => {
    const [id] = await seedSnapshots(1);
    await expectAwsError(
      ec2Client(local().url).send(new DescribeSnapshotsCommand({ SnapshotIds: [id ?? ''], MaxResults: 5 })),
      'InvalidParameterCombination',
    );
  });

  it('AWS-FACTS EBS: NextToken pages never skip or repeat an item, even when items are created and deleted between pages', async () => {
    // Prepare
    const { url, control } = local();
    const initial = await seedSnapshots(23);
    const volumeId = await seedVolume(control, 1);
    const ec2 = ec2Client(url);
    const seen: string[] = [];
    const deleted = new Set<string>();
    const created: string[] = [];
    // Act: after each page delete one seen and one unseen item, and create a new one
    let token: string | undefined;
    let page = 0;
    do {
      const out = await ec2.send(new DescribeSnapshotsCommand({ MaxResults: 5, NextToken: token }));
      seen.push(...(out.Snapshots?.map((s) => s.SnapshotId ?? '') ?? []));
      token = out.NextToken;
      page += 1;
      if (page <= 3) {
        const seenVictim = seen[seen.length - 2] ?? '';
        const unseenVictim = initial[initial.length - page] ?? '';
        for (const victim of [seenVictim, unseenVictim]) {
          await ec2.send(new DeleteSnapshotCommand({ SnapshotId: victim }));
          deleted.add(victim);
        }
        const fresh = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
        created.push(fresh.SnapshotId ?? '');
      }
    } while (token);
    // Assess
    expect(new Set(seen).size).toBe(seen.length);
    const survivors = initial.filter((id) => !deleted.has(id));
    for (const id of survivors) expect(seen).toContain(id);
    for (const id of created) expect(seen).toContain(id);
    const deletedBeforeSeen = initial.slice(-3);
    expect(seen.filter((id) => deletedBeforeSeen.includes(id))).toEqual([]);
  });

  it('AWS-FACTS EBS: a bad NextToken → InvalidPaginationToken', async () => {
    await expectAwsError(
      ec2Client(local().url).send(new DescribeSnapshotsCommand({ MaxResults: 5, NextToken: 'not-a-token' })),
      'InvalidPaginationToken',
    );
  });

  it("the SDK paginator walks every page of DescribeSnapshots (the 'always page' rule)", async () => {
    const ids = await seedSnapshots(12);
    const walked: string[] = [];
    const pages: number[] = [];
    for await (const page of paginateDescribeSnapshots(
      { client: ec2Client(local().url), pageSize: 5 },
      { OwnerIds: ['self'] },
    )) {
      pages.push(page.Snapshots?.length ?? 0);
      walked.push(...(page.Snapshots?.map((s) => s.SnapshotId ?? '') ?? []));
    }
    expect(pages).toEqual([5, 5, 2]);
    expect(walked).toEqual(ids);
  });

  it('AWS-FACTS AMIs: DescribeImages filters name (wildcards), state and tags, paged with MaxResults/NextToken', async () => {
    // Prepare
    const { url, control } = local();
    const seeded = await seedEc2(control, {
      images: Array.from({ length: 7 }, (_, i) => ({
        region: 'us-east-1',
        name: `backup-web-${i}`,
        blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 1 }],
        tags: { Keep: i % 2 === 0 ? 'yes' : 'no' },
      })),
    });
    const snapshotId = seeded.ec2.images[0]?.snapshotIds[0] ?? '';
    const ec2 = ec2Client(url);
    const pendingImage = await ec2.send(
      new RegisterImageCommand({
        Name: 'other-image',
        RootDeviceName: '/dev/xvda',
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snapshotId } }],
      }),
    );
    const names = async (filters: { Name: string; Values: string[] }[]) =>
      (await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: filters }))).Images?.map(
        (i) => i.Name,
      );
    // Act + Assess
    expect(await names([{ Name: 'name', Values: ['backup-web-?'] }])).toHaveLength(7);
    expect(await names([{ Name: 'state', Values: ['pending'] }])).toEqual(['other-image']);
    expect(await names([{ Name: 'tag:Keep', Values: ['yes'] }])).toEqual([
      'backup-web-0',
      'backup-web-2',
      'backup-web-4',
      'backup-web-6',
    ]);
    const first = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], MaxResults: 5 }));
    const second = await ec2.send(
      new DescribeImagesCommand({ Owners: ['self'], MaxResults: 5, NextToken: first.NextToken }),
    );
    expect(first.Images).toHaveLength(5);
    expect(second.Images).toHaveLength(3);
    expect(second.NextToken).toBeUndefined();
    expect(second.Images?.map((i) => i.ImageId)).toContain(pendingImage.ImageId);
  });

  it('DescribeVolumes: filters (status, attachment.instance-id, tag), MaxResults with VolumeIds → InvalidParameterCombination, pages', async () => {
    // Prepare
    const { url, control } = local();
    const { instanceId, root, data } = await seedInstance(control);
    const loose = await seedVolume(control, 5, 'us-east-1', { Role: 'scratch' });
    const ec2 = ec2Client(url);
    const ids = async (filters: { Name: string; Values: string[] }[]) =>
      (await ec2.send(new DescribeVolumesCommand({ Filters: filters }))).Volumes?.map((v) => v.VolumeId);
    // Act + Assess
    expect(await ids([{ Name: 'attachment.instance-id', Values: [instanceId] }])).toEqual(
      [root, data].sort(),
    );
    expect(await ids([{ Name: 'status', Values: ['available'] }])).toEqual([loose]);
    expect(await ids([{ Name: 'tag:Role', Values: ['scr*'] }])).toEqual([loose]);
    await expectAwsError(
      ec2.send(new DescribeVolumesCommand({ VolumeIds: [loose], MaxResults: 5 })),
      'InvalidParameterCombination',
    );
    await expectAwsError(
      ec2.send(new DescribeVolumesCommand({ VolumeIds: ['vol-0123456789abcdef0'] })),
      'InvalidVolume.NotFound',
    );
    const page = await ec2.send(new DescribeVolumesCommand({ MaxResults: 5 }));
    expect(page.Volumes).toHaveLength(3);
    const attached = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [root] }))).Volumes?.[0];
    expect(attached).toMatchObject({
      State: 'in-use',
      Size: 8,
      VolumeType: 'gp3',
      Attachments: [
        { InstanceId: instanceId, Device: '/dev/xvda', State: 'attached', DeleteOnTermination: true },
      ],
    });
  });

  it('CreateVolume: creating then available after volumeCreateMs, TagSpecifications volume, from a snapshot at least its size', async () => {
    // Prepare
    const { url, control } = local();
    const [snapshotId] = await seedSnapshots(1);
    const ec2 = ec2Client(url);
    // Act
    const created = await ec2.send(
      new CreateVolumeCommand({
        AvailabilityZone: 'us-east-1b',
        SnapshotId: snapshotId,
        VolumeType: 'gp3',
        TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Restore', Value: 'test' }] }],
      }),
    );
    await control.advance({ ms: 10_000 });
    const ready = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [created.VolumeId ?? ''] })))
      .Volumes?.[0];
    // Assess
    expect(created).toMatchObject({
      State: 'creating',
      Size: 1,
      SnapshotId: snapshotId,
      AvailabilityZone: 'us-east-1b',
    });
    expect(ready).toMatchObject({ State: 'available', Tags: [{ Key: 'Restore', Value: 'test' }] });
    await expectAwsError(
      ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'eu-west-1a', Size: 1 })),
      'InvalidZone.NotFound',
    );
    await expectAwsError(
      ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a' })),
      'MissingParameter',
    );
  });

  it('DescribeInstances: reservations with instances, filters, MaxResults with InstanceIds → InvalidParameterCombination', async () => {
    // Prepare
    const { url, control } = local();
    const { instanceId, root } = await seedInstance(control);
    await seedEc2(control, {
      instances: [
        {
          region: 'us-east-1',
          name: 'db-1',
          architecture: 'arm64',
          rootDeviceName: '/dev/xvda',
          state: 'stopped',
          availabilityZone: 'us-east-1c',
          volumes: [{ deviceName: '/dev/xvda', sizeGiB: 30, volumeType: 'gp3' }],
        },
      ],
    });
    const ec2 = ec2Client(url);
    const ids = async (filters: { Name: string; Values: string[] }[]) =>
      (await ec2.send(new DescribeInstancesCommand({ Filters: filters }))).Reservations?.flatMap(
        (r) => r.Instances?.map((i) => i.Tags?.find((t) => t.Key === 'Name')?.Value) ?? [],
      );
    // Act
    const one = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    // Assess
    expect(one.Reservations?.[0]?.OwnerId).toBe('123456789012');
    expect(one.Reservations?.[0]?.Instances?.[0]).toMatchObject({
      InstanceId: instanceId,
      State: { Name: 'running', Code: 16 },
      Architecture: 'x86_64',
      RootDeviceName: '/dev/xvda',
      BootMode: 'uefi',
      EnaSupport: true,
      Placement: { AvailabilityZone: 'us-east-1a' },
      BlockDeviceMappings: expect.arrayContaining([
        expect.objectContaining({
          DeviceName: '/dev/xvda',
          Ebs: expect.objectContaining({ VolumeId: root }),
        }),
      ]),
    });
    expect(await ids([{ Name: 'tag:Name', Values: ['db-*'] }])).toEqual(['db-1']);
    expect(await ids([{ Name: 'instance-state-name', Values: ['running'] }])).toEqual(['web-1']);
    expect(await ids([{ Name: 'architecture', Values: ['arm64'] }])).toEqual(['db-1']);
    await expectAwsError(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId], MaxResults: 5 })),
      'InvalidParameterCombination',
    );
    await expectAwsError(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })),
      'InvalidInstanceID.NotFound',
    );
  });
});
