import {
  DescribeAcceleratorCommand,
  DescribeEndpointGroupCommand,
  GlobalAcceleratorClient,
  ListAcceleratorsCommand,
  ListEndpointGroupsCommand,
  ListListenersCommand,
  UpdateEndpointGroupCommand,
} from '@aws-sdk/client-global-accelerator';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { expectAwsError } from './ec2-fixtures.ts';

/**
 * Global Accelerator as a failover drill sees it. Sources: the API reference and the botocore
 * model globalaccelerator/2018-08-08 (shapes, constraints, errors); the developer guide pages
 * "Use traffic dials to adjust traffic flow to Regions", "Endpoint weights", "How failover works
 * for unhealthy endpoints" and "Health check options".
 */

const local = useLocalCloud({ clock: { speed: 0 } });

const ga = (region = 'us-west-2') =>
  new GlobalAcceleratorClient({ ...clientConfig(local().url, region), maxAttempts: 1 });

const MUMBAI_ALB =
  'arn:aws:elasticloadbalancing:ap-south-1:123456789012:loadbalancer/app/web/0123456789abcdef';
const CALIFORNIA_ALB =
  'arn:aws:elasticloadbalancing:us-west-1:123456789012:loadbalancer/app/web/fedcba9876543210';

interface Seeded {
  globalaccelerator: {
    accelerators: {
      acceleratorArn: string;
      listeners: { listenerArn: string; endpointGroups: { region: string; endpointGroupArn: string }[] }[];
    }[];
  };
}

/** The rehearsal's shape: Mumbai serving, California standing by at dial 0. */
const seedAccelerator = async (standbyDial = 0) => {
  const seeded = await local().control.seed<Seeded>({
    globalaccelerator: {
      accelerators: [
        {
          name: 'web',
          listeners: [
            {
              portRanges: [{ fromPort: 443, toPort: 443 }],
              endpointGroups: [
                { region: 'ap-south-1', endpoints: [{ endpointId: MUMBAI_ALB }] },
                {
                  region: 'us-west-1',
                  trafficDialPercentage: standbyDial,
                  endpoints: [{ endpointId: CALIFORNIA_ALB, weight: 200 }],
                },
              ],
            },
          ],
        },
      ],
    },
  });
  const accelerator = seeded.globalaccelerator.accelerators[0];
  const listener = accelerator?.listeners[0];
  const [primary, standby] = listener?.endpointGroups ?? [];
  if (!accelerator || !listener || !primary || !standby) throw new Error('seed returned no accelerator');
  return { acceleratorArn: accelerator.acceleratorArn, listenerArn: listener.listenerArn, primary, standby };
};

const sharesByRegion = async (listenerArn: string) => {
  const view = await local().control.acceleratorTraffic({ listenerArn });
  return {
    failOpen: view.failOpen,
    ...Object.fromEntries(view.groups.map((g) => [g.region, Math.round(g.share * 1000) / 1000])),
  };
};

describe('Global Accelerator', () => {
  it('API_DescribeAccelerator / ListAccelerators / ListListeners / ListEndpointGroups / DescribeEndpointGroup: the seeded accelerator with its defaults', async () => {
    // Prepare
    const { acceleratorArn, listenerArn, standby } = await seedAccelerator();
    // Act
    const listed = await ga().send(new ListAcceleratorsCommand({}));
    const described = await ga().send(new DescribeAcceleratorCommand({ AcceleratorArn: acceleratorArn }));
    const listeners = await ga().send(new ListListenersCommand({ AcceleratorArn: acceleratorArn }));
    const groups = await ga().send(new ListEndpointGroupsCommand({ ListenerArn: listenerArn }));
    const group = await ga().send(
      new DescribeEndpointGroupCommand({ EndpointGroupArn: standby.endpointGroupArn }),
    );
    // Assess
    expect(listed.Accelerators?.map((a) => a.AcceleratorArn)).toEqual([acceleratorArn]);
    expect(described.Accelerator).toMatchObject({ Name: 'web', Enabled: true, Status: 'DEPLOYED' });
    expect(described.Accelerator?.CreatedTime).toBeInstanceOf(Date);
    expect(listeners.Listeners).toEqual([
      {
        ListenerArn: listenerArn,
        PortRanges: [{ FromPort: 443, ToPort: 443 }],
        Protocol: 'TCP',
        ClientAffinity: 'NONE',
      },
    ]);
    expect(groups.EndpointGroups?.map((g) => [g.EndpointGroupRegion, g.TrafficDialPercentage])).toEqual([
      ['ap-south-1', 100],
      ['us-west-1', 0],
    ]);
    // Weight defaults to 128; seeded endpoints are healthy.
    expect(groups.EndpointGroups?.[0]?.EndpointDescriptions).toEqual([
      { EndpointId: MUMBAI_ALB, Weight: 128, HealthState: 'HEALTHY' },
    ]);
    expect(group.EndpointGroup).toMatchObject({
      EndpointGroupArn: standby.endpointGroupArn,
      HealthCheckIntervalSeconds: 30,
      ThresholdCount: 3,
      EndpointDescriptions: [{ EndpointId: CALIFORNIA_ALB, Weight: 200, HealthState: 'HEALTHY' }],
    });
  });

  it('API_UpdateEndpointGroup TrafficDialPercentage: traffic moves in steps; the accelerator is IN_PROGRESS for a while after each change', async () => {
    // Prepare
    const { acceleratorArn, listenerArn, primary, standby } = await seedAccelerator();
    const { acceleratorDeployMs } = await local().control.durations();
    const before = await sharesByRegion(listenerArn);
    // Act
    const updated = await ga().send(
      new UpdateEndpointGroupCommand({
        EndpointGroupArn: standby.endpointGroupArn,
        TrafficDialPercentage: 10,
      }),
    );
    const statusAfterUpdate = (
      await ga().send(new DescribeAcceleratorCommand({ AcceleratorArn: acceleratorArn }))
    ).Accelerator?.Status;
    const tenPercent = await sharesByRegion(listenerArn);
    await local().control.advance({ ms: acceleratorDeployMs });
    const statusLater = (await ga().send(new DescribeAcceleratorCommand({ AcceleratorArn: acceleratorArn })))
      .Accelerator?.Status;
    await ga().send(
      new UpdateEndpointGroupCommand({
        EndpointGroupArn: standby.endpointGroupArn,
        TrafficDialPercentage: 100,
      }),
    );
    await ga().send(
      new UpdateEndpointGroupCommand({
        EndpointGroupArn: primary.endpointGroupArn,
        TrafficDialPercentage: 0,
      }),
    );
    const allMoved = await sharesByRegion(listenerArn);
    // Assess
    expect(before).toEqual({ failOpen: false, 'ap-south-1': 1, 'us-west-1': 0 });
    expect(updated.EndpointGroup?.TrafficDialPercentage).toBe(10);
    expect(statusAfterUpdate).toBe('IN_PROGRESS');
    expect(statusLater).toBe('DEPLOYED');
    // The dial applies to the traffic already directed to the group (its nearest clients, half).
    expect(tenPercent).toEqual({ failOpen: false, 'ap-south-1': 0.95, 'us-west-1': 0.05 });
    expect(allMoved).toEqual({ failOpen: false, 'ap-south-1': 0, 'us-west-1': 1 });
  });

  it('API_UpdateEndpointGroup EndpointConfigurations replaces the list: a new endpoint is INITIAL until ThresholdCount × interval of checks; weight 0 gets no traffic', async () => {
    // Prepare
    const { listenerArn, primary } = await seedAccelerator();
    const instanceId = 'i-0000000000000000a';
    // Act
    const updated = await ga().send(
      new UpdateEndpointGroupCommand({
        EndpointGroupArn: primary.endpointGroupArn,
        EndpointConfigurations: [{ EndpointId: MUMBAI_ALB, Weight: 0 }, { EndpointId: instanceId }],
      }),
    );
    const initialTraffic = await local().control.acceleratorTraffic({ listenerArn });
    await local().control.advance({ ms: 3 * 30_000 });
    const checked = await ga().send(
      new DescribeEndpointGroupCommand({ EndpointGroupArn: primary.endpointGroupArn }),
    );
    const traffic = await local().control.acceleratorTraffic({ listenerArn });
    // Assess
    expect(updated.EndpointGroup?.EndpointDescriptions).toEqual([
      { EndpointId: MUMBAI_ALB, Weight: 0, HealthState: 'HEALTHY' },
      { EndpointId: instanceId, Weight: 128, HealthState: 'INITIAL' },
    ]);
    // Nothing healthy with weight > 0 in Mumbai, California at dial 0: failover ignores the dial.
    expect(initialTraffic.groups.map((g) => g.share)).toEqual([0, 1]);
    expect(checked.EndpointGroup?.EndpointDescriptions?.[1]?.HealthState).toBe('HEALTHY');
    expect(traffic.groups[0]?.endpoints.map((e) => [e.endpointId, e.share])).toEqual([
      [MUMBAI_ALB, 0],
      [instanceId, 1],
    ]);
  });

  it('failover for unhealthy endpoints: every endpoint unhealthy → fail open to all endpoints; every dial 0 → fail open too', async () => {
    // Prepare
    const { listenerArn, primary } = await seedAccelerator(100);
    // Act
    await local().control.setEndpointHealth({ endpointId: CALIFORNIA_ALB, healthState: 'UNHEALTHY' });
    const oneRegionDown = await sharesByRegion(listenerArn);
    await local().control.setEndpointHealth({ endpointId: MUMBAI_ALB, healthState: 'UNHEALTHY' });
    const allDown = await local().control.acceleratorTraffic({ listenerArn });
    await local().control.setEndpointHealth({ endpointId: MUMBAI_ALB, healthState: 'HEALTHY' });
    await local().control.setEndpointHealth({ endpointId: CALIFORNIA_ALB, healthState: 'HEALTHY' });
    await ga().send(
      new UpdateEndpointGroupCommand({
        EndpointGroupArn: primary.endpointGroupArn,
        TrafficDialPercentage: 0,
      }),
    );
    const standbyOnly = await sharesByRegion(listenerArn);
    const groups = await ga().send(new ListEndpointGroupsCommand({ ListenerArn: listenerArn }));
    for (const g of groups.EndpointGroups ?? [])
      await ga().send(
        new UpdateEndpointGroupCommand({ EndpointGroupArn: g.EndpointGroupArn, TrafficDialPercentage: 0 }),
      );
    const allZero = await local().control.acceleratorTraffic({ listenerArn });
    // Assess
    expect(oneRegionDown).toEqual({ failOpen: false, 'ap-south-1': 1, 'us-west-1': 0 });
    expect(allDown.failOpen).toBe(true);
    expect(allDown.groups.flatMap((g) => g.endpoints.map((e) => e.share))).toEqual([0.5, 0.5]);
    expect(standbyOnly).toEqual({ failOpen: false, 'ap-south-1': 0, 'us-west-1': 1 });
    expect(allZero.failOpen).toBe(true);
    expect(allZero.groups.every((g) => g.share > 0)).toBe(true);
  });

  it('endpoint health set for a simulated instant takes effect then, and HealthState reports it', async () => {
    const { primary } = await seedAccelerator();
    const clock = await local().control.clock();
    await local().control.setEndpointHealth({
      endpointId: MUMBAI_ALB,
      healthState: 'UNHEALTHY',
      at: new Date(clock.now + 5 * 60_000).toISOString(),
    });
    const describe = () =>
      ga().send(new DescribeEndpointGroupCommand({ EndpointGroupArn: primary.endpointGroupArn }));
    const before = await describe();
    await local().control.advance({ minutes: 5 });
    const after = await describe();
    expect(before.EndpointGroup?.EndpointDescriptions?.[0]?.HealthState).toBe('HEALTHY');
    expect(after.EndpointGroup?.EndpointDescriptions?.[0]?.HealthState).toBe('UNHEALTHY');
  });

  it('botocore model constraints and errors: dial > 100, weight > 255, 11 endpoints → InvalidArgumentException; unknown ARNs → *NotFoundException; nothing changed', async () => {
    const { acceleratorArn, primary } = await seedAccelerator();
    const update = (
      input: Omit<ConstructorParameters<typeof UpdateEndpointGroupCommand>[0], 'EndpointGroupArn'>,
    ) => ga().send(new UpdateEndpointGroupCommand({ EndpointGroupArn: primary.endpointGroupArn, ...input }));
    await expectAwsError(update({ TrafficDialPercentage: 101 }), 'InvalidArgumentException');
    await expectAwsError(
      update({ EndpointConfigurations: [{ EndpointId: MUMBAI_ALB, Weight: 256 }] }),
      'InvalidArgumentException',
    );
    await expectAwsError(
      update({
        EndpointConfigurations: Array.from({ length: 11 }, (_, i) => ({
          EndpointId: `i-00000000000000${(10 + i).toString(16)}0`,
        })),
      }),
      'InvalidArgumentException',
    );
    await expectAwsError(
      ga().send(new DescribeAcceleratorCommand({ AcceleratorArn: `${acceleratorArn}0` })),
      'AcceleratorNotFoundException',
    );
    await expectAwsError(
      ga().send(new ListEndpointGroupsCommand({ ListenerArn: `${acceleratorArn}/listener/00000000` })),
      'ListenerNotFoundException',
    );
    await expectAwsError(
      ga().send(new DescribeEndpointGroupCommand({ EndpointGroupArn: `${primary.endpointGroupArn}0` })),
      'EndpointGroupNotFoundException',
    );
    const group = await ga().send(
      new DescribeEndpointGroupCommand({ EndpointGroupArn: primary.endpointGroupArn }),
    );
    expect(group.EndpointGroup).toMatchObject({
      TrafficDialPercentage: 100,
      EndpointDescriptions: [{ EndpointId: MUMBAI_ALB, Weight: 128 }],
    });
    const accelerator = await ga().send(new DescribeAcceleratorCommand({ AcceleratorArn: acceleratorArn }));
    expect(accelerator.Accelerator?.Status).toBe('DEPLOYED');
  });

  it('API reference: "you must specify the US West (Oregon) Region" — a client in another region gets a network error, no service answer, and changes nothing', async () => {
    const { standby } = await seedAccelerator();
    const error = await ga('ap-south-1')
      .send(
        new UpdateEndpointGroupCommand({
          EndpointGroupArn: standby.endpointGroupArn,
          TrafficDialPercentage: 100,
        }),
      )
      .then(
        () => undefined,
        (e: unknown) => e as { $metadata?: { httpStatusCode?: number }; name: string },
      );
    const group = await ga().send(
      new DescribeEndpointGroupCommand({ EndpointGroupArn: standby.endpointGroupArn }),
    );
    const counters = await local().control.counters();
    expect(error).toBeDefined();
    expect(error?.$metadata?.httpStatusCode).toBeUndefined();
    expect(group.EndpointGroup?.TrafficDialPercentage).toBe(0);
    expect(counters.tallies['globalaccelerator.wrongRegionCalls']).toBe(1);
  });
});
