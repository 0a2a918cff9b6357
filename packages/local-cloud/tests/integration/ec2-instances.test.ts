import {
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  DescribeVolumesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, expectAwsError, MINUTE, seedEc2 } from './ec2-fixtures.ts';

const local = useLocalCloud({ clock: { speed: 0 } });

const NETWORK = {
  vpcs: [{ region: 'us-east-1', vpcId: 'vpc-0000000a', cidrBlock: '10.0.0.0/16' }],
  subnets: [
    { region: 'us-east-1', subnetId: 'subnet-0000000a', vpcId: 'vpc-0000000a', cidrBlock: '10.0.1.0/24' },
  ],
  securityGroups: [
    { region: 'us-east-1', groupId: 'sg-0000000a', groupName: 'verify', vpcId: 'vpc-0000000a', egress: [] },
  ],
};

const seedImage = async (architecture = 'x86_64', asyncFaults: unknown[] = []) => {
  const seeded = await seedEc2(local().control, {
    network: NETWORK,
    images: [
      {
        region: 'us-east-1',
        name: 'backup-1',
        architecture,
        blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }],
      },
    ],
    asyncFaults,
  });
  return seeded.ec2.images[0]?.imageId ?? '';
};

const run = (imageId: string, extra: Record<string, unknown> = {}) =>
  ec2Client(local().url).send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: 'subnet-0000000a',
      SecurityGroupIds: ['sg-0000000a'],
      ...extra,
    }),
  );

describe('EC2 RunInstances / DescribeInstanceStatus / TerminateInstances', () => {
  it('API_RunInstances + API_DescribeInstanceStatus: pending → running, checks initializing → ok on the simulated clock', async () => {
    // Prepare
    const imageId = await seedImage();
    const ec2 = ec2Client(local().url);
    const { instanceBootMs, instanceStatusCheckMs } = await local().control.durations();
    // Act
    const launched = await run(imageId, {
      TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Purpose', Value: 'verify' }] }],
    });
    const id = launched.Instances?.[0]?.InstanceId ?? '';
    const hidden = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [id] }));
    await local().control.advance({ ms: instanceBootMs });
    const initializing = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [id] }));
    await local().control.advance({ ms: instanceStatusCheckMs });
    const ok = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [id] }));
    const volumes = await ec2.send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [id] }] }),
    );
    // Assess
    expect(launched.Instances?.[0]).toMatchObject({
      State: { Name: 'pending' },
      SubnetId: 'subnet-0000000a',
    });
    // IncludeAllInstances defaults to false: only running instances are listed.
    expect(hidden.InstanceStatuses).toEqual([]);
    expect(initializing.InstanceStatuses?.[0]).toMatchObject({
      InstanceState: { Name: 'running' },
      InstanceStatus: { Status: 'initializing' },
      SystemStatus: { Status: 'initializing' },
    });
    expect(ok.InstanceStatuses?.[0]).toMatchObject({
      InstanceStatus: { Status: 'ok' },
      SystemStatus: { Status: 'ok' },
    });
    expect(volumes.Volumes?.[0]?.Tags).toEqual([{ Key: 'Purpose', Value: 'verify' }]);
  });

  it('status-check-failed async fault for an image → instance status impaired (reachability failed)', async () => {
    const imageId = await seedImage('x86_64');
    await seedEc2(local().control, { asyncFaults: [{ kind: 'status-check-failed', imageId }] });
    const launched = await run(imageId);
    const id = launched.Instances?.[0]?.InstanceId ?? '';
    await local().control.advance({ ms: 10 * MINUTE });
    const status = await ec2Client(local().url).send(
      new DescribeInstanceStatusCommand({ InstanceIds: [id] }),
    );
    expect(status.InstanceStatuses?.[0]?.InstanceStatus).toMatchObject({
      Status: 'impaired',
      Details: [{ Name: 'reachability', Status: 'failed' }],
    });
  });

  it('API_RunInstances: an arm64 instance type for an x86_64 AMI → InvalidParameterValue', async () => {
    const imageId = await seedImage('x86_64');
    const error = await expectAwsError(run(imageId, { InstanceType: 't4g.micro' }), 'InvalidParameterValue');
    expect(error.message).toContain('architecture');
  });

  it('ec2-api-idempotency: the same ClientToken returns the same reservation', async () => {
    const imageId = await seedImage();
    const first = await run(imageId, { ClientToken: 'verify-1' });
    const second = await run(imageId, { ClientToken: 'verify-1' });
    const counters = await local().control.counters();
    expect(second.ReservationId).toBe(first.ReservationId);
    expect(counters.tallies['ec2.instancesLaunched']).toBe(1);
  });

  it('API_TerminateInstances: shutting-down → terminated, visible about an hour, volumes deleted on termination', async () => {
    const imageId = await seedImage();
    const ec2 = ec2Client(local().url);
    const id = (await run(imageId)).Instances?.[0]?.InstanceId ?? '';
    const terminated = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await local().control.advance({ ms: 5 * MINUTE });
    const after = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    const volumes = await ec2.send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [id] }] }),
    );
    await local().control.advance({ ms: 61 * MINUTE });
    expect(terminated.TerminatingInstances?.[0]?.CurrentState?.Name).toBe('shutting-down');
    expect(after.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe('terminated');
    expect(volumes.Volumes).toEqual([]);
    await expectAwsError(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })),
      'InvalidInstanceID.NotFound',
    );
  });

  it('VPC route tables: association.subnet-id matches explicit associations only; the main table serves the rest', async () => {
    await seedImage();
    const ec2 = ec2Client(local().url);
    const explicit = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: 'association.subnet-id', Values: ['subnet-0000000a'] }],
      }),
    );
    const main = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'vpc-id', Values: ['vpc-0000000a'] },
          { Name: 'association.main', Values: ['true'] },
        ],
      }),
    );
    expect(explicit.RouteTables).toEqual([]);
    expect(main.RouteTables?.[0]?.Routes).toEqual([
      expect.objectContaining({ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' }),
    ]);
  });
});
