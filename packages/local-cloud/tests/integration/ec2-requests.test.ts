import {
  CopyImageCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type EC2Client,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, expectAwsError, seedEc2, seedInstance } from './ec2-fixtures.ts';

const internalErrors: unknown[] = [];
const local = useLocalCloud({ clock: { speed: 0 }, onInternalError: (e) => internalErrors.push(e) });

/** A hand-written EC2 query request, for inputs no SDK would produce. */
const raw = async (body: string, region = 'us-east-1') => {
  const res = await fetch(local().url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=x/20260101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: `Version=2016-11-15&${body}`,
  });
  return { status: res.status, text: await res.text() };
};

const code = (xml: string) => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];

describe('EC2 requests: bad input, tags, seeding', () => {
  it.each([
    ['CreateSnapshot', 'Action=CreateSnapshot', 'VolumeId'],
    ['DeleteSnapshot', 'Action=DeleteSnapshot', 'SnapshotId'],
    ['RegisterImage', 'Action=RegisterImage&RootDeviceName=%2Fdev%2Fxvda', 'Name'],
    ['CopyImage', 'Action=CopyImage&SourceImageId=ami-0123456789abcdef0&Name=abc', 'SourceRegion'],
    ['DeregisterImage', 'Action=DeregisterImage', 'ImageId'],
    ['DescribeImageAttribute', 'Action=DescribeImageAttribute&ImageId=ami-0123456789abcdef0', 'Attribute'],
    ['CreateTags', 'Action=CreateTags&Tag.1.Key=a&Tag.1.Value=b', 'ResourceId'],
    ['CreateSnapshots', 'Action=CreateSnapshots', 'InstanceId'],
  ])('a missing required parameter of %s → MissingParameter', async (_action, body, parameter) => {
    const { status, text } = await raw(body);
    expect(status).toBe(400);
    expect(code(text)).toBe('MissingParameter');
    expect(text).toContain(parameter);
  });

  it.each([
    [
      'snap-xyz',
      'InvalidSnapshotID.Malformed',
      (ec2: EC2Client) => ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-xyz'] })),
    ],
    [
      'ami-123',
      'InvalidAMIID.Malformed',
      (ec2: EC2Client) => ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-123'] })),
    ],
    [
      'vol-ABC',
      'InvalidVolumeID.Malformed',
      (ec2: EC2Client) => ec2.send(new DescribeVolumesCommand({ VolumeIds: ['vol-ABC'] })),
    ],
    [
      'i-1',
      'InvalidInstanceID.Malformed',
      (ec2: EC2Client) => ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-1'] })),
    ],
    [
      'snap-!',
      'InvalidSnapshotID.Malformed',
      (ec2: EC2Client) => ec2.send(new DeleteSnapshotCommand({ SnapshotId: 'snap-!' })),
    ],
    [
      'vol-1',
      'InvalidVolumeID.Malformed',
      (ec2: EC2Client) => ec2.send(new CreateSnapshotCommand({ VolumeId: 'vol-1' })),
    ],
    [
      'ami-zz',
      'InvalidAMIID.Malformed',
      (ec2: EC2Client) => ec2.send(new DeregisterImageCommand({ ImageId: 'ami-zz' })),
    ],
  ] as const)('a malformed id %s → %s', async (_id, expected, command) => {
    await expectAwsError(command(ec2Client(local().url)), expected);
  });

  it.each([
    [
      'InvalidSnapshot.NotFound',
      (ec2: EC2Client) => ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-0123456789abcdef0'] })),
    ],
    [
      'InvalidAMIID.NotFound',
      (ec2: EC2Client) => ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })),
    ],
    [
      'InvalidVolume.NotFound',
      (ec2: EC2Client) => ec2.send(new DescribeVolumesCommand({ VolumeIds: ['vol-0123456789abcdef0'] })),
    ],
    [
      'InvalidInstanceID.NotFound',
      (ec2: EC2Client) => ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })),
    ],
    [
      'InvalidVolume.NotFound',
      (ec2: EC2Client) => ec2.send(new CreateSnapshotCommand({ VolumeId: 'vol-0123456789abcdef0' })),
    ],
    [
      'InvalidAMIID.NotFound',
      (ec2: EC2Client) =>
        ec2.send(
          new DescribeImageAttributeCommand({
            ImageId: 'ami-0123456789abcdef0',
            Attribute: 'launchPermission',
          }),
        ),
    ],
    [
      'InvalidSnapshot.NotFound',
      (ec2: EC2Client) =>
        ec2.send(
          new RegisterImageCommand({
            Name: 'abc',
            RootDeviceName: '/dev/xvda',
            BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-0123456789abcdef0' } }],
          }),
        ),
    ],
  ] as const)('an unknown id → %s', async (expected, command) => {
    await expectAwsError(command(ec2Client(local().url)), expected);
  });

  it('never answers 500: malformed values, unknown parameters and garbage all get 4xx EC2 errors', async () => {
    // Prepare
    internalErrors.length = 0;
    const bodies = [
      'Action=DescribeSnapshots&MaxResults=abc',
      'Action=DescribeSnapshots&MaxResults=10&NextToken=%00%01',
      'Action=DescribeSnapshots&Filter.1.Value.1=x',
      'Action=DescribeSnapshots&Filter.1.Name=status',
      'Action=CreateSnapshot&VolumeId=vol-0123456789abcdef0&DryRun=maybe',
      'Action=RegisterImage&Name=abc&RootDeviceName=%2Fdev%2Fxvda&BlockDeviceMapping.1.DeviceName=%2Fdev%2Fxvda&BlockDeviceMapping.1.Ebs.VolumeSize=-1x',
      'Action=RegisterImage&Name=abc&RootDeviceName=%2Fdev%2Fxvda&BlockDeviceMapping.1.Ebs.SnapshotId=snap-0123456789abcdef0',
      'Action=ModifyImageAttribute&ImageId=ami-0123456789abcdef0&LaunchPermission.Add.1.UserId=1',
      'Action=CopyImage&SourceRegion=moon&SourceImageId=ami-0123456789abcdef0&Name=abc',
      'Action=CreateTags&ResourceId.1=sg-12345678&Tag.1.Key=a',
      'Action=CreateSnapshots&InstanceSpecification.InstanceId=i-0123456789abcdef0&CopyTagsFromSource=nope',
      'Action=DescribeImages&Owner.1=self&MaxResults=0',
      'Action=DeleteTags&ResourceId.1=snap-0123456789abcdef0&Tag.1.Value=x',
    ];
    // Act
    const answers = await Promise.all(bodies.map((b) => raw(b)));
    // Assess
    for (const [i, answer] of answers.entries()) {
      expect(answer.status, bodies[i]).toBeGreaterThanOrEqual(400);
      expect(answer.status, bodies[i]).toBeLessThan(500);
      expect(code(answer.text), bodies[i]).toBeDefined();
    }
    expect(internalErrors).toEqual([]);
  });

  it('DryRun answers DryRunOperation (412) and changes nothing', async () => {
    const { url, control } = local();
    const { data } = await seedInstance(control);
    const ec2 = ec2Client(url);
    const error = await expectAwsError(
      ec2.send(new CreateSnapshotCommand({ VolumeId: data, DryRun: true })),
      'DryRunOperation',
    );
    expect(error.$metadata.httpStatusCode).toBe(412);
    expect((await ec2.send(new DescribeSnapshotsCommand({}))).Snapshots).toEqual([]);
  });

  it('AWS-FACTS tags: CreateTags and DeleteTags work on snapshots, images, volumes and instances', async () => {
    // Prepare
    const { url, control } = local();
    const { instanceId, root } = await seedInstance(control);
    const seeded = await seedEc2(control, {
      images: [
        { region: 'us-east-1', name: 'tagged', blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 1 }] },
      ],
    });
    const imageId = seeded.ec2.images[0]?.imageId ?? '';
    const snapshotId = seeded.ec2.images[0]?.snapshotIds[0] ?? '';
    const ec2 = ec2Client(url);
    const resources = [snapshotId, imageId, root, instanceId];
    // Act
    await ec2.send(
      new CreateTagsCommand({
        Resources: resources,
        Tags: [
          { Key: 'Env', Value: 'prod' },
          { Key: 'Keep', Value: '' },
        ],
      }),
    );
    await ec2.send(new DeleteTagsCommand({ Resources: [snapshotId, imageId], Tags: [{ Key: 'Env' }] }));
    await ec2.send(new DeleteTagsCommand({ Resources: [root], Tags: [{ Key: 'Env', Value: 'staging' }] }));
    // Assess
    const snapshot = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] })))
      .Snapshots?.[0];
    const image = (await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0];
    const volume = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [root] }))).Volumes?.[0];
    const instance = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })))
      .Reservations?.[0]?.Instances?.[0];
    expect(snapshot?.Tags).toEqual([{ Key: 'Keep', Value: '' }]);
    expect(image?.Tags).toEqual([{ Key: 'Keep', Value: '' }]);
    expect(volume?.Tags).toEqual(expect.arrayContaining([{ Key: 'Env', Value: 'prod' }]));
    expect(instance?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'Name', Value: 'web-1' },
        { Key: 'Env', Value: 'prod' },
      ]),
    );
  });

  it('AWS-FACTS tags: CreateTags is all or nothing — one unknown id fails the call and tags nothing', async () => {
    const { url, control } = local();
    const { root } = await seedInstance(control);
    const ec2 = ec2Client(url);
    await expectAwsError(
      ec2.send(
        new CreateTagsCommand({
          Resources: [root, 'snap-0123456789abcdef0'],
          Tags: [{ Key: 'X', Value: '1' }],
        }),
      ),
      'InvalidSnapshot.NotFound',
    );
    await expectAwsError(
      ec2.send(
        new CreateTagsCommand({ Resources: ['sg-0123456789abcdef0'], Tags: [{ Key: 'X', Value: '1' }] }),
      ),
      'InvalidID',
    );
    await expectAwsError(
      ec2.send(new CreateTagsCommand({ Resources: [root], Tags: [{ Key: 'aws:reserved', Value: '1' }] })),
      'InvalidParameterValue',
    );
    const volume = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [root] }))).Volumes?.[0];
    expect(volume?.Tags?.map((t) => t.Key)).not.toContain('X');
  });

  it('AWS-FACTS tags: TagSpecifications must name the resource type the operation creates', async () => {
    const { url, control } = local();
    const { data } = await seedInstance(control);
    await expectAwsError(
      ec2Client(url).send(
        new CreateSnapshotCommand({
          VolumeId: data,
          TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'a', Value: 'b' }] }],
        }),
      ),
      'InvalidParameterValue',
    );
  });

  it('AWS-FACTS tags: more than 50 tags on a resource → TagLimitExceeded', async () => {
    const { url, control } = local();
    const { data } = await seedInstance(control);
    const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expectAwsError(
      ec2Client(url).send(new CreateTagsCommand({ Resources: [data], Tags: tags })),
      'TagLimitExceeded',
    );
  });

  it('the seed section is validated strictly with clear messages', async () => {
    const { control } = local();
    await expect(seedEc2(control, { instancez: [] })).rejects.toThrow(/400.*instancez/);
    await expect(
      seedEc2(control, { volumes: [{ region: 'moon-base', sizeGiB: 1, volumeType: 'gp3' }] }),
    ).rejects.toThrow(/volumes\.0\.region.*region name/);
    await expect(
      seedEc2(control, {
        instances: [
          {
            region: 'us-east-1',
            architecture: 'x86_64',
            rootDeviceName: '/dev/xvda',
            volumes: [{ deviceName: '/dev/sdf', sizeGiB: 1, volumeType: 'gp3' }],
          },
        ],
      }),
    ).rejects.toThrow(/rootDeviceName/);
    await expect(
      seedEc2(control, {
        images: [{ region: 'us-east-1', name: 'x', snapshotIds: ['snap-0123456789abcdef0'] }],
      }),
    ).rejects.toThrow(/400/);
  });

  it('the control API state dump shows each region with derived states', async () => {
    // Prepare
    const { url, control } = local();
    const { data } = await seedInstance(control);
    const snapshot = await ec2Client(url).send(new CreateSnapshotCommand({ VolumeId: data }));
    // Act
    const state = await control.state<{
      ec2: {
        regions: Record<string, { snapshots: { snapshotId: string; state: string; progress: string }[] }>;
      };
    }>();
    // Assess
    expect(state.ec2.regions['us-east-1']?.snapshots).toEqual([
      expect.objectContaining({ snapshotId: snapshot.SnapshotId, state: 'pending', progress: '0%' }),
    ]);
  });

  it('CopyImage with an over-long ClientToken → InvalidParameterValue', async () => {
    await expectAwsError(
      ec2Client(local().url, 'eu-west-1').send(
        new CopyImageCommand({
          SourceRegion: 'us-east-1',
          SourceImageId: 'ami-0123456789abcdef0',
          Name: 'abc',
          ClientToken: 'x'.repeat(65),
        }),
      ),
      'InvalidParameterValue',
    );
  });
});
