import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { expectAwsError } from './ec2-fixtures.ts';

/**
 * ELBv2 target groups and target health, as a drill's parity gate reads them. Sources: the
 * Elastic Load Balancing API reference (DescribeTargetGroups: "the ARN of the load balancer,
 * the names of one or more target groups, or the ARNs of one or more target groups";
 * DescribeTargetHealth; TargetHealth State values) and the botocore model elbv2/2015-12-01
 * (query protocol; PageSize 1–400; the DescribeTargetGroups paginator Marker → NextMarker;
 * LoadBalancerNotFound and TargetGroupNotFound, 400 Sender).
 */

const local = useLocalCloud({ clock: { speed: 0 } });
const REGION = 'us-west-1';
const elb = (region = REGION) =>
  new ElasticLoadBalancingV2Client({ ...clientConfig(local().url, region), maxAttempts: 1 });

const seed = async () =>
  (
    await local().control.seed<{
      elasticloadbalancing: { loadBalancers: { loadBalancerArn: string; targetGroupArns: string[] }[] };
    }>({
      elasticloadbalancing: {
        loadBalancers: [
          {
            region: REGION,
            name: 'web',
            targetGroups: [
              {
                name: 'web-a',
                targets: [
                  { id: 'i-0000000000000000a' },
                  { id: 'i-0000000000000000b', state: 'unhealthy', reason: 'Target.Timeout' },
                ],
              },
              { name: 'web-b', port: 8080, targets: [] },
              { name: 'web-c', targets: [{ id: 'i-0000000000000000c', state: 'initial' }] },
            ],
          },
          { region: REGION, name: 'api', type: 'network', targetGroups: [{ name: 'api-a' }] },
        ],
      },
    })
  ).elasticloadbalancing.loadBalancers;

describe('ELBv2 DescribeTargetGroups / DescribeTargetHealth', () => {
  it("lists a load balancer's target groups, page by page", async () => {
    // Prepare
    const [web, api] = await seed();
    // Act
    const first = await elb().send(
      new DescribeTargetGroupsCommand({ LoadBalancerArn: web?.loadBalancerArn, PageSize: 2 }),
    );
    const second = await elb().send(
      new DescribeTargetGroupsCommand({
        LoadBalancerArn: web?.loadBalancerArn,
        PageSize: 2,
        Marker: first.NextMarker,
      }),
    );
    const byName = await elb().send(new DescribeTargetGroupsCommand({ Names: ['api-a'] }));
    // Assess
    expect(web?.loadBalancerArn).toMatch(
      /^arn:aws:elasticloadbalancing:us-west-1:\d{12}:loadbalancer\/app\/web\/[0-9a-f]{16}$/,
    );
    expect(api?.loadBalancerArn).toMatch(/:loadbalancer\/net\/api\//);
    expect(first.TargetGroups?.map((g) => g.TargetGroupName)).toEqual(['web-a', 'web-b']);
    expect(first.NextMarker).toBeDefined();
    expect(second.TargetGroups?.map((g) => g.TargetGroupName)).toEqual(['web-c']);
    expect(second.NextMarker).toBeUndefined();
    expect(first.TargetGroups?.[1]).toMatchObject({
      Port: 8080,
      Protocol: 'HTTP',
      LoadBalancerArns: [web?.loadBalancerArn],
    });
    expect(byName.TargetGroups?.map((g) => [g.TargetGroupArn, g.Protocol])).toEqual([
      [api?.targetGroupArns[0], 'TCP'],
    ]);
  });

  it('reports each target State (and Reason), and the control API changes it', async () => {
    const [web] = await seed();
    const groupArn = web?.targetGroupArns[0] ?? '';
    const before = await elb().send(new DescribeTargetHealthCommand({ TargetGroupArn: groupArn }));
    await local().control.setTargetHealth({
      targetGroupArn: groupArn,
      targetId: 'i-0000000000000000b',
      state: 'healthy',
    });
    const after = await elb().send(new DescribeTargetHealthCommand({ TargetGroupArn: groupArn }));
    const unregistered = await elb().send(
      new DescribeTargetHealthCommand({ TargetGroupArn: groupArn, Targets: [{ Id: 'i-00000000000000999' }] }),
    );
    expect(
      before.TargetHealthDescriptions?.map((d) => [
        d.Target?.Id,
        d.TargetHealth?.State,
        d.TargetHealth?.Reason,
      ]),
    ).toEqual([
      ['i-0000000000000000a', 'healthy', undefined],
      ['i-0000000000000000b', 'unhealthy', 'Target.Timeout'],
    ]);
    expect(after.TargetHealthDescriptions?.map((d) => d.TargetHealth?.State)).toEqual(['healthy', 'healthy']);
    expect(unregistered.TargetHealthDescriptions?.[0]?.TargetHealth).toEqual({
      State: 'unused',
      Reason: 'Target.NotRegistered',
    });
  });

  it('errors: unknown load balancer → LoadBalancerNotFound; unknown or other-region target group → TargetGroupNotFound; PageSize over 400 → ValidationError', async () => {
    const [web] = await seed();
    const missing = web?.loadBalancerArn.replace(/[0-9a-f]{16}$/, 'ffffffffffffffff');
    await expectAwsError(
      elb().send(new DescribeTargetGroupsCommand({ LoadBalancerArn: missing })),
      'LoadBalancerNotFoundException',
    );
    await expectAwsError(
      elb('eu-west-1').send(new DescribeTargetHealthCommand({ TargetGroupArn: web?.targetGroupArns[0] })),
      'TargetGroupNotFoundException',
    );
    await expectAwsError(
      elb().send(new DescribeTargetGroupsCommand({ Names: ['web-a', 'nope'] })),
      'TargetGroupNotFoundException',
    );
    await expectAwsError(elb().send(new DescribeTargetGroupsCommand({ PageSize: 401 })), 'ValidationError');
  });
});
