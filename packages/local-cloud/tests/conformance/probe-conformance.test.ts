import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { botocoreEnv, clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, seedEc2 } from '../integration/ec2-fixtures.ts';

/**
 * Wire fidelity of the ELBv2 (query protocol, XML) and SSM Run Command (JSON 1.1) answers:
 * one scenario through the AWS SDK for JavaScript v3 and through boto3 must yield the same
 * transcript (pages, states, error codes). Shapes: botocore models elbv2/2015-12-01 and
 * ssm/2014-11-06.
 */

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./probe_scenario.py', import.meta.url));
const local = useLocalCloud({ clock: { speed: 0 } });
const PROBE = "curl -sS -o /dev/null -w '%{http_code}' 'http://localhost:80/'";

/** The same world for both SDKs: a load balancer with three target groups, one Online instance. */
const setup = async () => {
  const { control, url } = local();
  const seeded = await control.seed<{
    elasticloadbalancing: { loadBalancers: { loadBalancerArn: string; targetGroupArns: string[] }[] };
  }>({
    elasticloadbalancing: {
      loadBalancers: [
        {
          region: 'us-west-1',
          name: 'web',
          targetGroups: [
            {
              name: 'web-a',
              targets: [
                { id: 'i-0000000000000000a' },
                { id: 'i-0000000000000000b', state: 'unhealthy', reason: 'Target.Timeout' },
              ],
            },
            { name: 'web-b', port: 8080 },
            { name: 'web-c' },
          ],
        },
      ],
    },
  });
  const images = await seedEc2(control, {
    network: {
      vpcs: [{ region: 'ap-south-1', vpcId: 'vpc-0000000c', cidrBlock: '10.5.0.0/16' }],
      subnets: [
        {
          region: 'ap-south-1',
          subnetId: 'subnet-0000000c',
          vpcId: 'vpc-0000000c',
          cidrBlock: '10.5.1.0/24',
        },
      ],
    },
    images: [{ region: 'ap-south-1', name: 'app', blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }] }],
  });
  const launched = await ec2Client(url, 'ap-south-1').send(
    new RunInstancesCommand({
      ImageId: images.ec2.images[0]?.imageId,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: 'subnet-0000000c',
    }),
  );
  const { instanceBootMs, ssmAgentOnlineMs } = await control.durations();
  await control.advance({ ms: instanceBootMs + ssmAgentOnlineMs });
  const [lb] = seeded.elasticloadbalancing.loadBalancers;
  return {
    loadBalancerArn: lb?.loadBalancerArn ?? '',
    targetGroupArn: lb?.targetGroupArns[0] ?? '',
    missingArn: (lb?.loadBalancerArn ?? '').replace(/[0-9a-f]{16}$/, 'ffffffffffffffff'),
    instanceId: launched.Instances?.[0]?.InstanceId ?? '',
  };
};

/** The wire error code (the JS SDK names query errors by their shape, `…Exception`). */
const code = async (call: () => Promise<unknown>) => {
  try {
    await call();
    return 'none';
  } catch (error) {
    const e = error as { name?: string; Code?: string };
    return e.Code ?? e.name?.replace(/Exception$/, '');
  }
};

const jsScenario = async (ids: Awaited<ReturnType<typeof setup>>) => {
  const elb = new ElasticLoadBalancingV2Client({ ...clientConfig(local().url, 'us-west-1'), maxAttempts: 1 });
  const ssm = new SSMClient({ ...clientConfig(local().url, 'ap-south-1'), maxAttempts: 1 });
  const t: Record<string, unknown> = {};
  const pages: unknown[] = [];
  let Marker: string | undefined;
  do {
    const page = await elb.send(
      new DescribeTargetGroupsCommand({ LoadBalancerArn: ids.loadBalancerArn, PageSize: 2, Marker }),
    );
    pages.push((page.TargetGroups ?? []).map((g) => [g.TargetGroupName, g.Port, g.LoadBalancerArns]));
    Marker = page.NextMarker;
  } while (Marker);
  t.targetGroups = pages;
  const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: ids.targetGroupArn }));
  t.health = (health.TargetHealthDescriptions ?? []).map((d) => [
    d.Target?.Id,
    d.TargetHealth?.State,
    d.TargetHealth?.Reason ?? null,
  ]);
  t.missingLoadBalancer = await code(() =>
    elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: ids.missingArn })),
  );
  const command = (
    await ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [ids.instanceId],
        Parameters: { commands: [PROBE] },
        TimeoutSeconds: 60,
      }),
    )
  ).Command;
  t.command = [command?.CommandId?.length, command?.Status, command?.InstanceIds];
  const invocation = await ssm.send(
    new GetCommandInvocationCommand({ CommandId: command?.CommandId, InstanceId: ids.instanceId }),
  );
  t.invocation = [invocation.Status, invocation.ResponseCode, invocation.StandardOutputContent];
  t.unknownCommand = await code(() =>
    ssm.send(
      new GetCommandInvocationCommand({
        CommandId: '00000000-0000-4000-8000-00000000dead',
        InstanceId: ids.instanceId,
      }),
    ),
  );
  t.notManaged = await code(() =>
    ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: ['i-0000000000000dead'],
        Parameters: { commands: ['true'] },
      }),
    ),
  );
  return t;
};

describe('ELBv2 and SSM Run Command conformance: JS SDK v3 and boto3 agree', () => {
  it('the same scenario yields the same pages, target states, command states and error codes', async () => {
    // Prepare + Act
    const ids = await setup();
    const js = await jsScenario(ids);
    await local().control.reset();
    const again = await setup();
    const { stdout } = await run('python3', [SCRIPT, JSON.stringify(again)], {
      env: botocoreEnv(local().url, { AWS_DEFAULT_REGION: 'us-east-1' }),
    });
    // Assess
    expect(JSON.parse(stdout)).toEqual(js);
    expect(js.targetGroups).toEqual([
      [
        ['web-a', 80, [ids.loadBalancerArn]],
        ['web-b', 8080, [ids.loadBalancerArn]],
      ],
      [['web-c', 80, [ids.loadBalancerArn]]],
    ]);
    expect(js.health).toEqual([
      ['i-0000000000000000a', 'healthy', null],
      ['i-0000000000000000b', 'unhealthy', 'Target.Timeout'],
    ]);
    expect(js).toMatchObject({
      missingLoadBalancer: 'LoadBalancerNotFound',
      command: [36, 'Pending', [ids.instanceId]],
      invocation: ['Pending', -1, ''],
      unknownCommand: 'InvalidCommandId',
      notManaged: 'InvalidInstanceId',
    });
  });
});
