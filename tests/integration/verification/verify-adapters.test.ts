/**
 * The verification adapters over HTTP against the local cloud, with the real SDK clients:
 * EC2 (isolation facts, images, launch, probe, sweep listing, result tags), SSM managed
 * instances and Run Command (the HTTP probe), the S3 verification store — and one whole
 * verification with the HTTP probe over them. Time is the local cloud's simulated clock
 * (`sleep` advances it). Sources: SSM API reference (SendCommand InvalidInstanceId for a node
 * that is not a running managed node; GetCommandInvocation statuses, InvocationDoesNotExist);
 * EC2 API reference (DescribeInstanceStatus with IncludeAllInstances; RunInstances).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { createVerificationEc2Factory } from '../../../shared/aws/ec2-verification.ts';
import { createS3VerificationStore } from '../../../shared/aws/s3-verification-store.ts';
import { createProbeCommands } from '../../../shared/aws/ssm-commands.ts';
import { createManagedInstances } from '../../../shared/aws/ssm-instances.ts';
import { httpProbeCommands } from '../../../shared/backup/http-probe.ts';
import { verificationLaunch } from '../../../shared/backup/verification.ts';
import { runVerification } from '../../../shared/backup-service/verify.ts';
import { backupPolicySchema } from '../../../shared/config/policies.ts';

const REGION = 'ap-south-1';
const BUCKET = 'shipyard-verify-records';
const NETWORK = {
  vpcs: [{ region: REGION, vpcId: 'vpc-0000000a', cidrBlock: '10.9.0.0/16' }],
  subnets: [
    { region: REGION, subnetId: 'subnet-0000000a', vpcId: 'vpc-0000000a', cidrBlock: '10.9.1.0/24' },
    { region: REGION, subnetId: 'subnet-0000000b', vpcId: 'vpc-0000000a', cidrBlock: '10.9.2.0/24' },
  ],
  internetGateways: [{ region: REGION, internetGatewayId: 'igw-0000000a', vpcId: 'vpc-0000000a' }],
  routeTables: [
    {
      region: REGION,
      routeTableId: 'rtb-0000000b',
      vpcId: 'vpc-0000000a',
      subnetIds: ['subnet-0000000b'],
      routes: [{ destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-0000000a' }],
    },
  ],
  securityGroups: [
    { region: REGION, groupId: 'sg-0000000a', groupName: 'verify', vpcId: 'vpc-0000000a' },
    {
      region: REGION,
      groupId: 'sg-0000000b',
      groupName: 'web',
      vpcId: 'vpc-0000000a',
      ingress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIps: ['0.0.0.0/0'] }],
    },
  ],
};

describe('verification adapters against the local cloud', () => {
  const local = useLocalCloud({ clock: { speed: 0 } });
  const config = () => ({ ...clientConfig(local().url, REGION), maxAttempts: 1 });
  /** What the factories take: everything but the region, which they set per call. */
  const settings = () => {
    const { region: _region, ...rest } = config();
    return rest;
  };
  const ec2 = () => createVerificationEc2Factory({ clientConfig: settings() })(REGION);
  const store = () =>
    createS3VerificationStore({
      bucket: BUCKET,
      client: new S3Client({ ...config(), forcePathStyle: true }),
    });

  const seed = async (services: string[] = ['ok']) => {
    const seeded = await local().control.seed<{ ec2: { images: { imageId: string }[] } }>({
      s3: { buckets: [{ name: BUCKET, region: REGION }] },
      ec2: {
        network: NETWORK,
        images: services.map((service) => ({
          region: REGION,
          name: `app-${service}`,
          blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }],
          guest: { service },
          tags: { App: 'web' },
        })),
      },
    });
    return seeded.ec2.images.map((i) => i.imageId);
  };

  const advance = (ms: number) => local().control.advance({ ms });

  it('isolation facts: the subnet routes (its own table, else the main one) and the inbound rule count; absent ids are absent', async () => {
    // Prepare
    await seed();
    // Act
    const isolated = await ec2().isolationFacts('subnet-0000000a', 'sg-0000000a');
    const exposed = await ec2().isolationFacts('subnet-0000000b', 'sg-0000000b');
    const missing = await ec2().isolationFacts('subnet-0000000f', 'sg-0000000f');
    // Assess
    expect(isolated.securityGroup).toEqual({ vpcId: 'vpc-0000000a', inboundRuleCount: 0 });
    expect(isolated.subnet?.routes.some((r) => r.target.startsWith('igw-'))).toBe(false);
    expect(exposed.subnet?.routes).toContainEqual({ destination: '0.0.0.0/0', target: 'igw-0000000a' });
    expect(exposed.securityGroup?.inboundRuleCount).toBe(1);
    expect(missing).toEqual({});
  });

  it('launches isolated and tagged, probes through the states, lists it for the sweep, terminates it', async () => {
    // Prepare
    const [imageId = ''] = await seed();
    const launch = verificationLaunch({
      candidate: {
        policy: 'nightly',
        target: imageId,
        region: REGION,
        imageId,
        architecture: 'x86_64',
        ours: false,
      },
      verificationId: 'verify-nightly-1',
      subnetId: 'subnet-0000000a',
      securityGroupId: 'sg-0000000a',
      instanceType: 't3.micro',
      deadline: '2030-01-01T00:00:00.000Z',
    });
    const { instanceBootMs, instanceStatusCheckMs } = await local().control.durations();
    // Act
    const { instanceId } = await ec2().runInstance(launch);
    const again = await ec2().runInstance(launch);
    const pending = (await ec2().probe([instanceId])).get(instanceId);
    await advance(instanceBootMs + instanceStatusCheckMs);
    const ready = (await ec2().probe([instanceId])).get(instanceId);
    const listed = await ec2().verificationInstances([]);
    await ec2().terminate([instanceId]);
    const gone = (await ec2().probe([instanceId])).get(instanceId);
    // Assess: the ClientToken makes the retried launch the same instance.
    expect(again.instanceId).toBe(instanceId);
    expect(pending?.state).toBe('pending');
    expect(ready).toMatchObject({ state: 'running', systemStatus: 'ok', instanceStatus: 'ok' });
    expect(listed.map((i) => [i.instanceId, i.tags['shipyard:kind']])).toEqual([
      [instanceId, 'verification'],
    ]);
    expect(gone?.state).toBe('shutting-down');
  });

  it('finds images by id and by tags (ANDed); a malformed launch is a named error', async () => {
    const [a = '', b = ''] = await seed(['ok', 'error']);
    expect((await ec2().describeImages({ imageIds: [b] })).map((i) => i.imageId)).toEqual([b]);
    expect((await ec2().describeImages({ tags: { App: 'web' } })).map((i) => i.imageId).sort()).toEqual(
      [a, b].sort(),
    );
    expect(await ec2().describeImages({ tags: { App: 'web', Tier: 'db' } })).toEqual([]);
    const bad = verificationLaunch({
      candidate: {
        policy: 'nightly',
        target: a,
        region: REGION,
        imageId: 'ami-0000000000000dead',
        architecture: 'x86_64',
        ours: false,
      },
      verificationId: 'v',
      subnetId: 'subnet-0000000a',
      securityGroupId: 'sg-0000000a',
      instanceType: 't3.micro',
      deadline: '2030-01-01T00:00:00.000Z',
    });
    // A launch refused by EC2 (not throttling) is the step's terminal error, with the code in it.
    await expect(ec2().runInstance(bad)).rejects.toMatchObject({
      name: 'InvalidBackupInput',
      message: expect.stringMatching(/^RunInstances \(ap-south-1\): InvalidAMIID\.\w+/),
    });
  });

  it('SSM: ping status by id; Run Command is refused (undefined) before the agent registers, then runs', async () => {
    // Prepare
    const [imageId = ''] = await seed();
    const { instanceId } = await ec2().runInstance(
      verificationLaunch({
        candidate: {
          policy: 'p',
          target: imageId,
          region: REGION,
          imageId,
          architecture: 'x86_64',
          ours: false,
        },
        verificationId: 'v-ssm',
        subnetId: 'subnet-0000000a',
        securityGroupId: 'sg-0000000a',
        instanceType: 't3.micro',
        deadline: '2030-01-01T00:00:00.000Z',
      }),
    );
    const ssm = createManagedInstances({ config: settings() });
    const commands = createProbeCommands({ config: settings() });
    const probe = {
      commands: httpProbeCommands({ port: 80, path: '/', expectStatus: 200 }),
      timeoutSeconds: 60,
      comment: 'test',
    };
    const { instanceBootMs, ssmAgentOnlineMs, ssmCommandDeliveryMs, ssmCommandRunMs } =
      await local().control.durations();
    // Act
    const early = await commands.send(REGION, instanceId, probe);
    await advance(instanceBootMs + ssmAgentOnlineMs);
    const pings = await ssm.pingStatus(REGION, [instanceId]);
    const commandId = await commands.send(REGION, instanceId, probe);
    const other = await commands.invocation(REGION, commandId ?? '', 'i-0000000000000beef');
    await advance(ssmCommandDeliveryMs + ssmCommandRunMs);
    const done = await commands.invocation(REGION, commandId ?? '', instanceId);
    // Assess
    expect(early).toBeUndefined();
    expect(pings.get(instanceId)).toBe('Online');
    expect(commandId).toHaveLength(36);
    expect(other).toBeUndefined();
    expect(done).toEqual({ status: 'Success', responseCode: 0, stdout: '200', stderr: '' });
    await expect(
      commands.invocation(REGION, '00000000-0000-4000-8000-00000000dead', instanceId),
    ).rejects.toMatchObject({
      name: 'AwsCallError',
      code: 'InvalidCommandId',
    });
  });

  it('a whole verification with the HTTP probe: 200 passes, 500 and a closed port fail with the probe status; results in the store', async () => {
    // Prepare
    const [ok = '', error = '', closed = ''] = await seed(['ok', 'error', 'not-listening']);
    const policy = backupPolicySchema.parse({
      name: 'nightly',
      schedule: { cron: 'cron(0 2 * * ? *)', timeZone: 'UTC' },
      sourceRegion: REGION,
      targets: { tags: { Backup: 'nightly' } },
      retention: { keepLast: 3 },
      verify: {
        regions: [{ region: REGION, subnetId: 'subnet-0000000a', securityGroupId: 'sg-0000000a' }],
        images: { imageIds: [ok, error, closed] },
        httpProbe: { port: 8080, path: '/health' },
        maxConcurrentPerRegion: 3,
        deadlineSeconds: 300,
      },
    });
    const records = store();
    // Act
    const report = await runVerification(
      {
        ec2: createVerificationEc2Factory({ clientConfig: settings() }),
        ssm: createManagedInstances({ config: settings() }),
        commands: createProbeCommands({ config: settings() }),
        store: records,
        recordedRunIds: async () => [],
        now: () => new Date(local().cloud.now()),
        sleep: (ms) => advance(ms).then(() => undefined),
      },
      { policy, verificationId: 'verify-nightly-probe' },
    );
    // Assess
    const byImage = new Map(report.results.map((r) => [r.imageId, r]));
    // Checks ok at 180 s (boot 30 + status 150), probe sent then, its Success read at the next 15 s poll.
    expect(byImage.get(ok)).toMatchObject({
      status: 'passed',
      secondsToPass: 195,
      httpProbe: { url: 'http://localhost:8080/health', status: 'passed', httpStatus: 200, attempts: 1 },
    });
    expect(byImage.get(error)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(
        /^timeout: HTTP probe not passed within 300 s \(GET .* answered 500, expected 200\)$/,
      ),
      httpProbe: { status: 'failed', httpStatus: 500 },
    });
    expect(byImage.get(closed)?.httpProbe).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('curl exit 7'),
    });
    expect(byImage.get(closed)?.httpProbe?.httpStatus).toBeUndefined();
    const stored = await records.results(REGION);
    expect(stored.map((r) => r.imageId).sort()).toEqual([ok, error, closed].sort());
    expect(await records.launches(REGION)).toEqual([]);
    const alive = (await ec2().probe(report.results.map((r) => r.instanceId ?? ''))).values();
    expect([...alive].map((p) => p.state).every((s) => s === 'shutting-down' || s === 'terminated')).toBe(
      true,
    );
  });

  it('error mapping: EC2 throttling the SDK gave up on is Ec2Throttled (a reason to wait); SSM and S3 failures are AwsCallError with their code', async () => {
    // Prepare
    const [imageId = ''] = await seed();
    await local().control.addFaults([
      { service: 'ec2', action: 'RunInstances', code: 'RequestLimitExceeded', firstN: 1 },
      {
        service: 'ssm',
        action: 'DescribeInstanceInformation',
        code: 'ThrottlingException',
        status: 400,
        firstN: 1,
      },
      { service: 'ssm', action: 'SendCommand', code: 'InternalServerError', status: 500, firstN: 1 },
    ]);
    const launch = verificationLaunch({
      candidate: {
        policy: 'p',
        target: imageId,
        region: REGION,
        imageId,
        architecture: 'x86_64',
        ours: false,
      },
      verificationId: 'v-faults',
      subnetId: 'subnet-0000000a',
      securityGroupId: 'sg-0000000a',
      instanceType: 't3.micro',
      deadline: '2030-01-01T00:00:00.000Z',
    });
    // Act + Assess
    await expect(ec2().runInstance(launch)).rejects.toMatchObject({ name: 'Ec2Throttled' });
    await expect(
      createManagedInstances({ config: settings() }).pingStatus(REGION, ['i-0000000000000000a']),
    ).rejects.toMatchObject({ name: 'AwsCallError', code: 'ThrottlingException' });
    await expect(
      createProbeCommands({ config: settings() }).send(REGION, 'i-0000000000000000a', {
        commands: ['true'],
        timeoutSeconds: 60,
        comment: 'c',
      }),
    ).rejects.toMatchObject({ name: 'AwsCallError', code: 'InternalServerError' });
  });

  it('SSM ping status pages DescribeInstanceInformation (10 per page by default) to the end', async () => {
    // Prepare: 12 instances of an image with an agent, all Online.
    const [imageId = ''] = await seed();
    const ids: string[] = [];
    for (let n = 0; n < 12; n++)
      ids.push(
        (
          await ec2().runInstance(
            verificationLaunch({
              candidate: {
                policy: 'p',
                target: `t${n}`,
                region: REGION,
                imageId,
                architecture: 'x86_64',
                ours: false,
              },
              verificationId: `v-page-${n}`,
              subnetId: 'subnet-0000000a',
              securityGroupId: 'sg-0000000a',
              instanceType: 't3.micro',
              deadline: '2030-01-01T00:00:00.000Z',
            }),
          )
        ).instanceId,
      );
    const { instanceBootMs, ssmAgentOnlineMs } = await local().control.durations();
    await advance(instanceBootMs + ssmAgentOnlineMs);
    // Act
    const pings = await createManagedInstances({ config: settings() }).pingStatus(REGION, ids);
    // Assess
    expect([...pings.keys()].sort()).toEqual([...ids].sort());
    const calls = (await local().control.counters()).calls.find(
      (c) => c.action === 'DescribeInstanceInformation',
    );
    expect(calls?.count).toBe(2);
  });

  it('the store lists launches per region and forgets them; a missing bucket is an AwsCallError with its code', async () => {
    await seed();
    const records = store();
    await records.recordLaunch({
      region: REGION,
      instanceId: 'i-0000000000000000a',
      deadline: '2030-01-01T00:00:00.000Z',
    });
    await records.recordLaunch({
      region: 'us-west-1',
      instanceId: 'i-0000000000000000b',
      deadline: '2030-01-01T00:00:00.000Z',
    });
    expect(await records.launches(REGION)).toEqual([
      { instanceId: 'i-0000000000000000a', deadline: '2030-01-01T00:00:00.000Z' },
    ]);
    await records.forgetLaunch(REGION, 'i-0000000000000000a');
    expect(await records.launches(REGION)).toEqual([]);
    await expect(
      createS3VerificationStore({
        bucket: 'no-such-bucket',
        client: new S3Client({ ...config(), forcePathStyle: true }),
      }).results(),
    ).rejects.toMatchObject({ name: 'AwsCallError', code: 'NoSuchBucket' });
  });
});
