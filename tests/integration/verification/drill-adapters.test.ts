/**
 * The drill adapters over HTTP against the local cloud, with the real SDK clients: Global
 * Accelerator (us-west-2 only; IN_PROGRESS after an update), CloudWatch alarm states (batches
 * of 100 names), EC2 launch templates, the S3 drill lock (conditional writes), and ELBv2
 * target health. Sources: Global Accelerator API reference ("You must specify the US West
 * (Oregon) Region"; AcceleratorNotFoundException, EndpointGroupNotFoundException); CloudWatch
 * API reference (DescribeAlarms AlarmNames at most 100); EC2 API reference
 * (CreateLaunchTemplateVersion SourceVersion, DescribeLaunchTemplateVersions `$Latest`); S3
 * User Guide, conditional writes (If-None-Match `*`, 412 Precondition Failed); ELBv2 API
 * reference (DescribeTargetGroups by LoadBalancerArn with Marker/PageSize, DescribeTargetHealth,
 * LoadBalancerNotFound).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { createAlarmStates } from '../../../shared/aws/cloudwatch.ts';
import { createLaunchTemplates } from '../../../shared/aws/ec2-launch-templates.ts';
import { createTargetHealth } from '../../../shared/aws/elbv2-target-health.ts';
import { createAccelerators } from '../../../shared/aws/global-accelerator.ts';
import { createS3DrillLock } from '../../../shared/aws/s3-drill-lock.ts';

const STANDBY = 'us-west-1';

describe('drill adapters against the local cloud', () => {
  const local = useLocalCloud({ clock: { speed: 0 } });
  const settings = () => {
    const { region: _region, ...rest } = { ...clientConfig(local().url), maxAttempts: 1 };
    return rest;
  };
  const now = () => new Date(local().cloud.now());

  it('Global Accelerator: status, endpoint groups (dial, weights, health), a dial write, IN_PROGRESS then DEPLOYED; unknown ARNs are undefined', async () => {
    // Prepare
    const seeded = await local().control.seed<{
      globalaccelerator: {
        accelerators: {
          acceleratorArn: string;
          listeners: { endpointGroups: { endpointGroupArn: string }[] }[];
        }[];
      };
    }>({
      globalaccelerator: {
        accelerators: [
          {
            name: 'web',
            listeners: [
              {
                portRanges: [{ fromPort: 443, toPort: 443 }],
                endpointGroups: [
                  { region: 'ap-south-1', endpoints: [{ endpointId: 'i-0000000000000000a' }] },
                  {
                    region: STANDBY,
                    trafficDialPercentage: 0,
                    endpoints: [{ endpointId: 'i-0000000000000000b', weight: 64 }],
                  },
                ],
              },
            ],
          },
        ],
      },
    });
    const [accelerator] = seeded.globalaccelerator.accelerators;
    const [, standby] = accelerator?.listeners[0]?.endpointGroups ?? [];
    const ga = createAccelerators({ config: settings() });
    const { acceleratorDeployMs } = await local().control.durations();
    // Act
    const before = await ga.status(accelerator?.acceleratorArn ?? '');
    const group = await ga.endpointGroup(standby?.endpointGroupArn ?? '');
    await ga.setDial(standby?.endpointGroupArn ?? '', 10);
    const during = await ga.status(accelerator?.acceleratorArn ?? '');
    await local().control.advance({ ms: acceleratorDeployMs });
    const after = await ga.status(accelerator?.acceleratorArn ?? '');
    const readBack = await ga.endpointGroup(standby?.endpointGroupArn ?? '');
    // Assess
    expect(before).toBe('DEPLOYED');
    expect(group).toEqual({
      endpointGroupArn: standby?.endpointGroupArn,
      region: STANDBY,
      dial: 0,
      endpoints: [{ endpointId: 'i-0000000000000000b', weight: 64, healthState: 'HEALTHY' }],
    });
    expect(during).toBe('IN_PROGRESS');
    expect(after).toBe('DEPLOYED');
    expect(readBack?.dial).toBe(10);
    expect(readBack?.endpoints[0]?.weight).toBe(64);
    const missing = accelerator?.acceleratorArn.replace(/[0-9a-f]{12}$/, 'ffffffffffff') ?? '';
    expect(await ga.status(missing)).toBeUndefined();
    expect(await ga.endpointGroup(`${standby?.endpointGroupArn.slice(0, -12)}ffffffffffff`)).toBeUndefined();
    await expect(
      ga.setDial(`${standby?.endpointGroupArn.slice(0, -12)}ffffffffffff`, 10),
    ).rejects.toMatchObject({
      name: 'AwsCallError',
      code: 'EndpointGroupNotFoundException',
    });
  });

  it('CloudWatch: alarm states by name over more than 100 names (batched and paged), absent names absent', async () => {
    const names = Array.from({ length: 120 }, (_, i) => `web-${String(i).padStart(3, '0')}`);
    await local().control.seed({
      monitoring: {
        alarms: names.map((alarmName, i) => ({
          alarmName,
          region: STANDBY,
          stateValue: i === 110 ? 'ALARM' : 'OK',
        })),
      },
    });
    const alarms = createAlarmStates({
      clientFor: (region) => new CloudWatchClient({ ...settings(), region }),
    });
    const states = await alarms.states(STANDBY, [...names, 'not-there']);
    expect(states.size).toBe(120);
    expect(states.get('web-110')).toBe('ALARM');
    expect(states.get('web-000')).toBe('OK');
    expect(states.has('not-there')).toBe(false);
    // Two batches (100 + 21 names); the first one takes two pages (the local page size is 50).
    const calls = (await local().control.counters()).calls.find((c) => c.action === 'DescribeAlarms');
    expect(calls?.count).toBe(3);
  });

  it('launch templates: $Latest image, a new version from it, an unknown template is undefined', async () => {
    const ec2 = new EC2Client({ ...settings(), region: STANDBY });
    const created = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'web',
        LaunchTemplateData: { ImageId: 'ami-0000000000000000a', InstanceType: 't3.micro' },
      }),
    );
    const id = created.LaunchTemplate?.LaunchTemplateId ?? '';
    const templates = createLaunchTemplates({ clientConfig: settings() });
    expect(await templates.latestImageId(STANDBY, id)).toEqual({
      version: 1,
      imageId: 'ami-0000000000000000a',
    });
    expect(await templates.createVersion(STANDBY, id, 'ami-0000000000000000b')).toBe(2);
    expect(await templates.latestImageId(STANDBY, id)).toEqual({
      version: 2,
      imageId: 'ami-0000000000000000b',
    });
    expect(await templates.latestImageId(STANDBY, 'lt-0ffffffffffffffff')).toBeUndefined();
    expect(await templates.latestImageId('ap-south-1', id)).toBeUndefined();
  });

  it('the drill lock: create-only, a live holder refuses, an expired lock is taken over, release by its owner only', async () => {
    await local().control.seed({ s3: { buckets: [{ name: 'shipyard-drill-records' }] } });
    const lock = createS3DrillLock({
      bucket: 'shipyard-drill-records',
      now,
      client: new S3Client({ ...settings(), region: 'us-east-1', forcePathStyle: true }),
    });
    const soon = new Date(local().cloud.now() + 60_000).toISOString();
    expect(await lock.acquire('web', 'a', soon)).toEqual({ acquired: true });
    expect(await lock.acquire('web', 'b', soon)).toEqual({ acquired: false, holder: `a until ${soon}` });
    await lock.release('web', 'b');
    expect((await lock.acquire('web', 'c', soon)).acquired).toBe(false);
    await local().control.advance({ ms: 60_000 });
    expect(await lock.acquire('web', 'c', new Date(local().cloud.now() + 60_000).toISOString())).toEqual({
      acquired: true,
    });
    await lock.release('web', 'c');
    expect(await lock.acquire('web', 'd', soon)).toEqual({ acquired: true });
  });

  it('ELBv2: every target group of a load balancer (paged) with its target states; unknown load balancer undefined', async () => {
    const seeded = await local().control.seed<{
      elasticloadbalancing: { loadBalancers: { loadBalancerArn: string; targetGroupArns: string[] }[] };
    }>({
      elasticloadbalancing: {
        loadBalancers: [
          {
            region: STANDBY,
            name: 'web',
            targetGroups: [
              { name: 'web-a', targets: [{ id: 'i-0000000000000000a' }] },
              {
                name: 'web-b',
                targets: [
                  { id: 'i-0000000000000000b', state: 'unhealthy' },
                  { id: 'i-0000000000000000c', state: 'initial' },
                ],
              },
              { name: 'web-c', targets: [] },
            ],
          },
        ],
      },
    });
    const [lb] = seeded.elasticloadbalancing.loadBalancers;
    const health = createTargetHealth({ config: settings(), pageSize: 2 });
    const groups = await health.ofLoadBalancer(STANDBY, lb?.loadBalancerArn ?? '');
    expect(groups).toEqual([
      { targetGroupArn: lb?.targetGroupArns[0], states: ['healthy'] },
      { targetGroupArn: lb?.targetGroupArns[1], states: ['unhealthy', 'initial'] },
      { targetGroupArn: lb?.targetGroupArns[2], states: [] },
    ]);
    const calls = (await local().control.counters()).calls.find((c) => c.action === 'DescribeTargetGroups');
    expect(calls?.count).toBe(2);
    expect(
      await health.ofLoadBalancer(
        STANDBY,
        (lb?.loadBalancerArn ?? '').replace(/[0-9a-f]{16}$/, 'ffffffffffffffff'),
      ),
    ).toBeUndefined();
    expect(await health.ofLoadBalancer('eu-west-1', lb?.loadBalancerArn ?? '')).toBeUndefined();
  });
});
