import { RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, expectAwsError, seedEc2 } from './ec2-fixtures.ts';

/**
 * SSM managed-instance status as a restore verification probes it. Sources: the
 * DescribeInstanceInformation API reference ("does not return information for nodes that are
 * either Stopped or Terminated"; "If you specify a node ID that isn't valid … you receive an
 * error"; MaxResults 5–50, default 10) and the botocore model ssm/2014-11-06.
 */

const local = useLocalCloud({ clock: { speed: 0 } });

const REGION = 'ap-south-1';
const ssm = () => new SSMClient({ ...clientConfig(local().url, REGION), maxAttempts: 1 });
const ec2 = () => ec2Client(local().url, REGION);

const seedImages = async () => {
  const seeded = await seedEc2(local().control, {
    network: {
      vpcs: [{ region: REGION, vpcId: 'vpc-0000000e', cidrBlock: '10.3.0.0/16' }],
      subnets: [
        { region: REGION, subnetId: 'subnet-0000000e', vpcId: 'vpc-0000000e', cidrBlock: '10.3.1.0/24' },
      ],
    },
    images: [
      { region: REGION, name: 'with-agent', blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }] },
      {
        region: REGION,
        name: 'no-agent',
        blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }],
        guest: { ssmAgent: false },
      },
    ],
  });
  const [agent, bare] = seeded.ec2.images.map((i) => i.imageId);
  return { agent: agent ?? '', bare: bare ?? '' };
};

const launch = async (imageId: string, tags: Record<string, string> = {}) => {
  const out = await ec2().send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: 'subnet-0000000e',
      TagSpecifications: [
        { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      ],
    }),
  );
  return out.Instances?.[0]?.InstanceId ?? '';
};

const informationOf = async (instanceId: string) =>
  (
    await ssm().send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] }),
    )
  ).InstanceInformationList ?? [];

describe('SSM DescribeInstanceInformation', () => {
  it('an instance whose image runs an SSM Agent is Online ssmAgentOnlineMs after it is running; one without an agent never appears', async () => {
    // Prepare
    const { agent, bare } = await seedImages();
    const { instanceBootMs, ssmAgentOnlineMs } = await local().control.durations();
    const managed = await launch(agent);
    const unmanaged = await launch(bare);
    // Act
    const booting = await informationOf(managed);
    await local().control.advance({ ms: instanceBootMs });
    const running = await informationOf(managed);
    await local().control.advance({ ms: ssmAgentOnlineMs });
    const online = await informationOf(managed);
    const bareLater = await informationOf(unmanaged);
    // Assess
    expect(booting).toEqual([]);
    expect(running).toEqual([]);
    expect(online).toEqual([
      expect.objectContaining({
        InstanceId: managed,
        PingStatus: 'Online',
        PlatformType: 'Linux',
        ResourceType: 'EC2Instance',
        IPAddress: expect.stringMatching(/^10\.3\.1\.\d+$/),
      }),
    ]);
    expect(online[0]?.LastPingDateTime).toBeInstanceOf(Date);
    expect(bareLater).toEqual([]);
  });

  it('terminated nodes are not returned (ConnectionLost while shutting down)', async () => {
    const { agent } = await seedImages();
    const { instanceBootMs, ssmAgentOnlineMs, instanceShutdownMs } = await local().control.durations();
    const id = await launch(agent);
    await local().control.advance({ ms: instanceBootMs + ssmAgentOnlineMs });
    await ec2().send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    const shuttingDown = await informationOf(id);
    await local().control.advance({ ms: instanceShutdownMs });
    const terminated = await informationOf(id);
    expect(shuttingDown.map((i) => i.PingStatus)).toEqual(['ConnectionLost']);
    expect(terminated).toEqual([]);
  });

  it('the ssm-agent-missing fault for images made during a run; tag and PingStatus filters; MaxResults pages', async () => {
    const { agent } = await seedImages();
    await seedEc2(local().control, { asyncFaults: [{ kind: 'ssm-agent-missing', imageId: agent }] });
    const withoutAgent = await launch(agent, { Purpose: 'verify' });
    const tagged = await Promise.all(Array.from({ length: 6 }, () => launch(agent, { Purpose: 'verify' })));
    await launch(agent, { Purpose: 'web' });
    const { instanceBootMs, ssmAgentOnlineMs } = await local().control.durations();
    await local().control.advance({ ms: instanceBootMs + ssmAgentOnlineMs });
    const filters = [
      { Key: 'tag:Purpose', Values: ['verify'] },
      { Key: 'PingStatus', Values: ['Online'] },
    ];
    const first = await ssm().send(
      new DescribeInstanceInformationCommand({ Filters: filters, MaxResults: 5 }),
    );
    const second = await ssm().send(
      new DescribeInstanceInformationCommand({ Filters: filters, MaxResults: 5, NextToken: first.NextToken }),
    );
    const ids = [...(first.InstanceInformationList ?? []), ...(second.InstanceInformationList ?? [])].map(
      (i) => i.InstanceId,
    );
    expect(first.InstanceInformationList).toHaveLength(5);
    expect(second.NextToken).toBeUndefined();
    expect(ids.sort()).toEqual([...tagged].sort());
    expect(ids).not.toContain(withoutAgent);
  });

  it('errors: an instance id that does not exist → InvalidInstanceId; an unknown filter key → InvalidFilterKey', async () => {
    await seedImages();
    await expectAwsError(
      ssm().send(
        new DescribeInstanceInformationCommand({
          Filters: [{ Key: 'InstanceIds', Values: ['i-0000000000000dead'] }],
        }),
      ),
      'InvalidInstanceId',
    );
    await expectAwsError(
      ssm().send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'Colour', Values: ['blue'] }] })),
      'InvalidFilterKey',
    );
  });
});
