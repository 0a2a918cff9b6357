import {
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  RegisterImageCommand,
  RunInstancesCommand,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, expectAwsError, MINUTE, seedEc2 } from './ec2-fixtures.ts';

/**
 * What a restore verification launches: an instance from a backup AMI in an isolated subnet,
 * checked by DescribeInstanceStatus and found again by a cleanup sweep's filters.
 */

const local = useLocalCloud({ clock: { speed: 0 } });

const REGION = 'ap-south-1';
const NETWORK = {
  vpcs: [{ region: REGION, vpcId: 'vpc-0000000b', cidrBlock: '10.1.0.0/16' }],
  // The public subnet maps public IPs on launch; the isolated one has no route out.
  subnets: [
    {
      region: REGION,
      subnetId: 'subnet-0000000b',
      vpcId: 'vpc-0000000b',
      cidrBlock: '10.1.1.0/24',
      mapPublicIpOnLaunch: true,
    },
    { region: REGION, subnetId: 'subnet-0000000c', vpcId: 'vpc-0000000b', cidrBlock: '10.1.2.0/24' },
  ],
  internetGateways: [{ region: REGION, internetGatewayId: 'igw-0000000b', vpcId: 'vpc-0000000b' }],
  routeTables: [
    {
      region: REGION,
      routeTableId: 'rtb-0000000b',
      vpcId: 'vpc-0000000b',
      subnetIds: ['subnet-0000000b'],
      routes: [{ destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-0000000b' }],
    },
  ],
  securityGroups: [
    { region: REGION, groupId: 'sg-0000000b', groupName: 'verify', vpcId: 'vpc-0000000b' },
    {
      region: REGION,
      groupId: 'sg-0000000c',
      groupName: 'web',
      vpcId: 'vpc-0000000b',
      ingress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIps: ['0.0.0.0/0'] }],
    },
  ],
};

const seedImage = async (image: Record<string, unknown> = {}) => {
  const seeded = await seedEc2(local().control, {
    network: NETWORK,
    images: [
      {
        region: REGION,
        name: 'backup-web-1',
        architecture: 'x86_64',
        blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }],
        ...image,
      },
    ],
  });
  return seeded.ec2.images[0]?.imageId ?? '';
};

const ec2 = () => ec2Client(local().url, REGION);

/** A verification launch as the product makes it: one isolated interface, no public IP. */
const isolatedLaunch = (
  imageId: string,
  extra: Partial<RunInstancesCommandInput> = {},
): RunInstancesCommandInput => ({
  ImageId: imageId,
  InstanceType: 't3.micro',
  MinCount: 1,
  MaxCount: 1,
  InstanceInitiatedShutdownBehavior: 'terminate',
  NetworkInterfaces: [
    {
      DeviceIndex: 0,
      SubnetId: 'subnet-0000000b',
      Groups: ['sg-0000000b'],
      AssociatePublicIpAddress: false,
    },
  ],
  TagSpecifications: [
    {
      ResourceType: 'instance',
      Tags: [
        { Key: 'shipyard:verification', Value: 'true' },
        { Key: 'shipyard:deadline', Value: '2026-12-02T18:00:00Z' },
      ],
    },
  ],
  ...extra,
});

const statusOf = async (id: string) =>
  (await ec2().send(new DescribeInstanceStatusCommand({ InstanceIds: [id] }))).InstanceStatuses?.[0];

describe('EC2 RunInstances for restore verification', () => {
  it('RunInstances ClientToken: the same token and parameters return the same instance, which carries the token and is found by the client-token filter; other parameters are IdempotentParameterMismatch', async () => {
    // EC2 Developer Guide, "Ensuring idempotency in Amazon EC2 API requests" (RunInstances
    // idempotency); EC2 API Reference, Instance.ClientToken and DescribeInstances filter
    // `client-token` ("The idempotency token you provided when you launched the instance").
    const imageId = await seedImage();
    const first = await ec2().send(
      new RunInstancesCommand(isolatedLaunch(imageId, { ClientToken: 'verify-1:ami' })),
    );
    const retried = await ec2().send(
      new RunInstancesCommand(isolatedLaunch(imageId, { ClientToken: 'verify-1:ami' })),
    );
    const id = first.Instances?.[0]?.InstanceId;
    expect(retried.Instances?.map((i) => i.InstanceId)).toEqual([id]);
    const found = await ec2().send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'client-token', Values: ['verify-1:ami'] }] }),
    );
    const instances = (found.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    expect(instances.map((i) => [i.InstanceId, i.ClientToken])).toEqual([[id, 'verify-1:ami']]);
    await expectAwsError(
      ec2().send(
        new RunInstancesCommand(
          isolatedLaunch(imageId, { ClientToken: 'verify-1:ami', InstanceType: 't3.small' }),
        ),
      ),
      'IdempotentParameterMismatch',
    );
  });

  it('API_RunInstances NetworkInterfaces: AssociatePublicIpAddress false → no public IP even where the subnet maps one; subnet and groups from the interface', async () => {
    // Prepare
    const imageId = await seedImage();
    // Act
    const launched = await ec2().send(new RunInstancesCommand(isolatedLaunch(imageId)));
    const publicByDefault = await ec2().send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: 'subnet-0000000b',
      }),
    );
    // Assess
    expect(launched.Instances?.[0]).toMatchObject({
      SubnetId: 'subnet-0000000b',
      VpcId: 'vpc-0000000b',
      SecurityGroups: [{ GroupId: 'sg-0000000b', GroupName: 'verify' }],
    });
    expect(launched.Instances?.[0]?.PublicIpAddress).toBeUndefined();
    expect(publicByDefault.Instances?.[0]?.PublicIpAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('API_RunInstances: "If you specify a network interface, you must specify any subnets as part of the network interface" → InvalidParameterCombination', async () => {
    const imageId = await seedImage();
    const error = await expectAwsError(
      ec2().send(new RunInstancesCommand(isolatedLaunch(imageId, { SubnetId: 'subnet-0000000b' }))),
      'InvalidParameterCombination',
    );
    expect(error.message).toContain('subnet');
    await expectAwsError(
      ec2().send(new RunInstancesCommand(isolatedLaunch(imageId, { SecurityGroupIds: ['sg-0000000b'] }))),
      'InvalidParameterCombination',
    );
    const all = await ec2().send(new DescribeInstancesCommand({}));
    expect(all.Reservations).toEqual([]);
  });

  it('API_RunInstances: an image that is not available yet → InvalidAMIID.Unavailable, nothing launched', async () => {
    // Prepare: RegisterImage makes a pending image (available after registerImageMs).
    const seeded = await seedEc2(local().control, {
      network: NETWORK,
      snapshots: [{ region: REGION, sizeGiB: 8 }],
    });
    const snapshotId = seeded.ec2.snapshots[0] ?? '';
    const registered = await ec2().send(
      new RegisterImageCommand({
        Name: 'pending-backup',
        Architecture: 'x86_64',
        RootDeviceName: '/dev/xvda',
        VirtualizationType: 'hvm',
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snapshotId } }],
      }),
    );
    // Act
    const error = await expectAwsError(
      ec2().send(new RunInstancesCommand(isolatedLaunch(registered.ImageId ?? ''))),
      'InvalidAMIID.Unavailable',
    );
    // Assess
    expect(error.message).toContain('pending');
    expect((await ec2().send(new DescribeInstancesCommand({}))).Reservations).toEqual([]);
  });

  it('instance types: an x86_64 type for an arm64 AMI → InvalidParameterValue naming both architectures', async () => {
    const imageId = await seedImage({ architecture: 'arm64' });
    const error = await expectAwsError(
      ec2().send(new RunInstancesCommand(isolatedLaunch(imageId, { InstanceType: 't3.micro' }))),
      'InvalidParameterValue',
    );
    expect(error.message).toContain("architecture 'arm64' of the specified AMI");
    const arm = await ec2().send(
      new RunInstancesCommand(isolatedLaunch(imageId, { InstanceType: 't4g.micro' })),
    );
    expect(arm.Instances?.[0]?.Architecture).toBe('arm64');
  });

  it('API_DescribeInstances filters of a cleanup sweep: tag:<key> and instance-state-name; MinCount/MaxCount launch several', async () => {
    // Prepare
    const imageId = await seedImage();
    const { instanceBootMs } = await local().control.durations();
    const ours = await ec2().send(
      new RunInstancesCommand(isolatedLaunch(imageId, { MinCount: 2, MaxCount: 2 })),
    );
    const theirs = await ec2().send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: 'subnet-0000000c',
      }),
    );
    await local().control.advance({ ms: instanceBootMs });
    // Act
    const sweep = await ec2().send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:shipyard:verification', Values: ['true'] },
          { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
        ],
      }),
    );
    const inSubnet = await ec2().send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'subnet-id', Values: ['subnet-0000000b'] }] }),
    );
    // Assess
    const found = sweep.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId);
    expect(ours.Instances).toHaveLength(2);
    expect(found?.sort()).toEqual(ours.Instances?.map((i) => i.InstanceId).sort());
    expect(found).not.toContain(theirs.Instances?.[0]?.InstanceId);
    expect(inSubnet.Reservations?.flatMap((r) => r.Instances ?? [])).toHaveLength(2);
  });

  it('Status checks (EC2 User Guide): an image whose guest never boots → instance check impaired for every launch', async () => {
    const imageId = await seedImage({ guest: { statusChecks: 'impaired' } });
    const first = await ec2().send(new RunInstancesCommand(isolatedLaunch(imageId)));
    const second = await ec2().send(new RunInstancesCommand(isolatedLaunch(imageId)));
    await local().control.advance({ ms: 10 * MINUTE });
    for (const launched of [first, second]) {
      const status = await statusOf(launched.Instances?.[0]?.InstanceId ?? '');
      expect(status).toMatchObject({
        InstanceState: { Name: 'running' },
        SystemStatus: { Status: 'ok' },
        InstanceStatus: { Status: 'impaired', Details: [{ Name: 'reachability', Status: 'failed' }] },
      });
    }
  });

  it('guest never-ready and the status-check-stuck fault: checks stay initializing however long one waits', async () => {
    // Prepare: one image that never passes, one that is fine but hit once by the fault.
    const stuckImage = await seedImage({ guest: { statusChecks: 'never-ready' } });
    const seeded = await seedEc2(local().control, {
      images: [
        { region: REGION, name: 'backup-web-2', blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }] },
      ],
    });
    const fineImage = seeded.ec2.images[0]?.imageId ?? '';
    await seedEc2(local().control, { asyncFaults: [{ kind: 'status-check-stuck', imageId: fineImage }] });
    // Act
    const stuck = await ec2().send(new RunInstancesCommand(isolatedLaunch(stuckImage)));
    const faulted = await ec2().send(new RunInstancesCommand(isolatedLaunch(fineImage)));
    const healthy = await ec2().send(new RunInstancesCommand(isolatedLaunch(fineImage)));
    await local().control.advance({ ms: 24 * 60 * MINUTE });
    // Assess
    for (const launched of [stuck, faulted])
      expect(await statusOf(launched.Instances?.[0]?.InstanceId ?? '')).toMatchObject({
        InstanceState: { Name: 'running' },
        InstanceStatus: { Status: 'initializing' },
        SystemStatus: { Status: 'initializing' },
      });
    expect(await statusOf(healthy.Instances?.[0]?.InstanceId ?? '')).toMatchObject({
      InstanceStatus: { Status: 'ok' },
      SystemStatus: { Status: 'ok' },
    });
  });

  it('VPC route tables and security groups: a subnet with a 0.0.0.0/0 route to an internet gateway and a group with inbound rules are visible', async () => {
    await seedImage();
    const routes = await ec2().send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: 'association.subnet-id', Values: ['subnet-0000000b'] }],
      }),
    );
    const isolated = await ec2().send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: 'association.subnet-id', Values: ['subnet-0000000c'] }],
      }),
    );
    const groups = await ec2().send(
      new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0000000b', 'sg-0000000c'] }),
    );
    expect(routes.RouteTables?.[0]?.Routes).toContainEqual(
      expect.objectContaining({ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0000000b' }),
    );
    // Not explicitly associated: the subnet uses the VPC's main table (local route only).
    expect(isolated.RouteTables).toEqual([]);
    const byId = new Map(groups.SecurityGroups?.map((g) => [g.GroupId, g]));
    expect(byId.get('sg-0000000b')?.IpPermissions).toEqual([]);
    expect(byId.get('sg-0000000c')?.IpPermissions?.[0]).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 443,
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
    });
  });
});
