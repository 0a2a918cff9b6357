import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DescribeAvailabilityZonesCommand, DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';

const run = promisify(execFile);
const local = useLocalCloud();

describe('local cloud server', () => {
  it('answers the JS SDK over the EC2 query protocol in the signed region', async () => {
    // Prepare
    const ec2 = new EC2Client(clientConfig(local().url, 'ap-south-1'));
    // Act
    const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    const regions = await ec2.send(new DescribeRegionsCommand({ RegionNames: ['us-west-1', 'ap-south-1'] }));
    // Assess
    expect(zones.AvailabilityZones?.map((z) => z.ZoneName)).toEqual([
      'ap-south-1a',
      'ap-south-1b',
      'ap-south-1c',
    ]);
    expect(regions.Regions?.map((r) => r.RegionName)).toEqual(['us-west-1', 'ap-south-1']);
  });

  it('answers an unknown EC2 action with InvalidAction, not a 500', async () => {
    const res = await fetch(local().url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: 'Action=LaunchRockets&Version=2016-11-15',
    });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text).toContain('<Code>InvalidAction</Code>');
    expect(text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('counts calls per action and region and injects faults from the control API', async () => {
    const { control, url } = local();
    const ec2 = new EC2Client({ ...clientConfig(url, 'us-west-1'), maxAttempts: 1 });
    await control.addFaults([
      { service: 'ec2', action: 'DescribeRegions', code: 'RequestLimitExceeded', firstN: 1 },
    ]);
    await expect(ec2.send(new DescribeRegionsCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
      $metadata: { httpStatusCode: 503 },
    });
    await ec2.send(new DescribeRegionsCommand({}));
    const counters = await control.counters();
    expect(counters.calls).toContainEqual({
      service: 'ec2',
      action: 'DescribeRegions',
      region: 'us-west-1',
      count: 2,
    });
    expect(counters.faultsInjected).toBe(1);
  });

  it('advances the simulated clock on request', async () => {
    const { control } = local();
    const before = await control.clock();
    const after = await control.advance({ minutes: 90 });
    expect(after.now - before.now).toBeGreaterThanOrEqual(90 * 60_000);
    await expect(control.advance({ minutes: -1 })).rejects.toThrow(/minutes/);
  });

  it('is reachable from the aws CLI through --endpoint-url', async () => {
    const { stdout } = await run(
      'aws',
      [
        '--endpoint-url',
        local().url,
        '--region',
        'eu-west-1',
        'ec2',
        'describe-availability-zones',
        '--output',
        'json',
      ],
      { env: { ...process.env, AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', AWS_PAGER: '' } },
    );
    expect(JSON.parse(stdout).AvailabilityZones[0].ZoneName).toBe('eu-west-1a');
  });
});
