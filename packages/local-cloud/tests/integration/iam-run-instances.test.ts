/**
 * IAM mode's RunInstances: every resource a launch uses or creates is authorised, as the Service
 * Authorization Reference lists them ("Actions, resources, and condition keys for Amazon EC2",
 * RunInstances: image*, instance*, network-interface*, security-group*, subnet*, volume*, and
 * key-pair / launch-template when used). The statement shapes are the EC2 User Guide's
 * least-privilege launch ("Example policies to control access the Amazon EC2 API", "Launch
 * instances (RunInstances)"): existing resources by ARN, the created instance and volume with
 * aws:RequestTag, tags on create as ec2:CreateTags with ec2:CreateAction = RunInstances ("Grant
 * permission to tag resources during creation"), the interface with ec2:Subnet and
 * ec2:AssociatePublicIpAddress (condition keys of the network-interface resource type).
 * Also SSM Run Command (Service Authorization Reference, "Actions, resources, and condition keys
 * for AWS Systems Manager": SendCommand → document*, instance with ssm:resourceTag/<k>;
 * GetCommandInvocation not resource-level) and CreateLaunchTemplateVersion (launch-template*).
 */
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  EC2Client,
  RunInstancesCommand,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { startRoleSession } from '../../src/iam/store.ts';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, seedEc2 } from './ec2-fixtures.ts';

const local = useLocalCloud({ iam: 'enforce', pollIntervalMs: 0, clock: { speed: 0 } });
const ACCOUNT = '123456789012';
const REGION = 'ap-south-1';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/shipyard-dev-verifyCheck-us-east-1-lambdaRole`;
const arn = (type: string, id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${type}/${id}`;
const SUBNET = 'subnet-0000000c';
const GROUP = 'sg-0000000b';
const VERIFICATION_TAGS = {
  'aws:RequestTag/shipyard:managed': 'true',
  'aws:RequestTag/shipyard:kind': 'verification',
};

/** The verify role's launch statements (serverless/iam-verify.cjs), for one subnet and group. */
const LAUNCH = {
  subnetAndGroup: {
    Effect: 'Allow',
    Action: 'ec2:RunInstances',
    Resource: [arn('subnet', SUBNET), arn('security-group', GROUP)],
  },
  networkInterface: {
    Effect: 'Allow',
    Action: 'ec2:RunInstances',
    Resource: arn('network-interface', '*'),
    Condition: {
      ArnEquals: { 'ec2:Subnet': [arn('subnet', SUBNET)] },
      Bool: { 'ec2:AssociatePublicIpAddress': 'false' },
    },
  },
  image: { Effect: 'Allow', Action: 'ec2:RunInstances', Resource: 'arn:aws:ec2:*::image/*' },
  instanceAndVolume: {
    Effect: 'Allow',
    Action: 'ec2:RunInstances',
    Resource: [arn('instance', '*'), arn('volume', '*')],
    Condition: { StringEquals: VERIFICATION_TAGS },
  },
  tagOnCreate: {
    Effect: 'Allow',
    Action: 'ec2:CreateTags',
    Resource: [arn('instance', '*'), arn('volume', '*')],
    Condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
  },
} as const;

const putRole = (statements: unknown[]) =>
  local().control.putRole({
    arn: ROLE,
    policies: [{ name: 'shipyard-dev-lambda', document: { Version: '2012-10-17', Statement: statements } }],
  });
const without = (name: keyof typeof LAUNCH) =>
  putRole(Object.entries(LAUNCH).flatMap(([k, s]) => (k === name ? [] : [s])));

const asRole = <T>(Client: new (config: object) => T): T =>
  new Client({
    ...clientConfig(local().url, REGION),
    credentials: {
      accessKeyId: startRoleSession(local().cloud, {
        roleArn: ROLE,
        sessionName: 'shipyard-dev-verifyCheck',
      }),
      secretAccessKey: 'local',
      sessionToken: 'local',
    },
    maxAttempts: 1,
  });

const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
  );
  if (!error) throw new Error('expected the call to fail');
  return error;
};

let imageId = '';
beforeEach(async () => {
  const seeded = await seedEc2(local().control, {
    network: {
      vpcs: [{ region: REGION, vpcId: 'vpc-0000000b', cidrBlock: '10.1.0.0/16' }],
      subnets: [
        { region: REGION, subnetId: 'subnet-0000000b', vpcId: 'vpc-0000000b', cidrBlock: '10.1.1.0/24' },
        { region: REGION, subnetId: SUBNET, vpcId: 'vpc-0000000b', cidrBlock: '10.1.2.0/24' },
      ],
      securityGroups: [
        { region: REGION, groupId: GROUP, groupName: 'verify', vpcId: 'vpc-0000000b' },
        { region: REGION, groupId: 'sg-0000000c', groupName: 'web', vpcId: 'vpc-0000000b' },
      ],
    },
    images: [
      {
        region: REGION,
        name: 'backup-web-1',
        architecture: 'x86_64',
        blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }],
        tags: { 'shipyard:managed': 'true' },
      },
    ],
  });
  imageId = seeded.ec2.images[0]?.imageId ?? '';
});

const tags = (type: 'instance' | 'volume', values: Record<string, string>) => ({
  ResourceType: type,
  Tags: Object.entries(values).map(([Key, Value]) => ({ Key, Value })),
});
const VERIFICATION = { 'shipyard:managed': 'true', 'shipyard:kind': 'verification' };

/** A verification launch as the product makes it (shared/aws/ec2-verification.ts). */
const launch = (extra: Partial<RunInstancesCommandInput> = {}, iface: Record<string, unknown> = {}) =>
  new RunInstancesCommand({
    ImageId: imageId,
    InstanceType: 't3.micro',
    MinCount: 1,
    MaxCount: 1,
    NetworkInterfaces: [
      { DeviceIndex: 0, SubnetId: SUBNET, Groups: [GROUP], AssociatePublicIpAddress: false, ...iface },
    ],
    TagSpecifications: [tags('instance', VERIFICATION), tags('volume', VERIFICATION)],
    ...extra,
  });

const deniedOn = async (command: RunInstancesCommand) => {
  const error = await failure(asRole(EC2Client).send(command));
  expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['UnauthorizedOperation', 403]);
  const [denial, ...more] = (await local().control.iam()).denials;
  expect(more).toEqual([]);
  return `${denial?.action} ${denial?.resource}`;
};

describe('IAM mode: RunInstances authorises every resource of the launch', () => {
  it('allows the verification launch the least-privilege statements describe', async () => {
    await putRole(Object.values(LAUNCH));
    const out = await asRole(EC2Client).send(launch());
    expect(out.Instances).toHaveLength(1);
    const { tallies } = await local().control.counters();
    // image, subnet, group, interface, instance, one volume; CreateTags on the instance and volume
    expect(tallies['iam.allowed.ec2:RunInstances']).toBe(6);
    expect(tallies['iam.allowed.ec2:CreateTags']).toBe(2);
  });

  it.each([
    ['subnetAndGroup', `ec2:RunInstances ${arn('subnet', SUBNET)}`],
    ['networkInterface', `ec2:RunInstances ${arn('network-interface', '*')}`],
    ['image', 'ec2:RunInstances arn:aws:ec2:ap-south-1::image/'],
    ['instanceAndVolume', `ec2:RunInstances ${arn('instance', '*')}`],
    ['tagOnCreate', `ec2:CreateTags ${arn('instance', '*')}`],
  ] as const)('is denied without the %s statement, naming the resource', async (name, denied) => {
    await without(name);
    expect(await deniedOn(launch())).toContain(denied);
  });

  it('is denied a launch into another subnet (the subnet and the interface are authorised)', async () => {
    await putRole(Object.values(LAUNCH));
    expect(await deniedOn(launch({}, { SubnetId: 'subnet-0000000b' }))).toBe(
      `ec2:RunInstances ${arn('subnet', 'subnet-0000000b')}`,
    );
  });

  it('is denied another security group', async () => {
    await putRole(Object.values(LAUNCH));
    expect(await deniedOn(launch({}, { Groups: ['sg-0000000c'] }))).toBe(
      `ec2:RunInstances ${arn('security-group', 'sg-0000000c')}`,
    );
  });

  it('is denied a launch whose interface asks for a public IP', async () => {
    await putRole(Object.values(LAUNCH));
    expect(await deniedOn(launch({}, { AssociatePublicIpAddress: true }))).toBe(
      `ec2:RunInstances ${arn('network-interface', '*')}`,
    );
  });

  it('is denied a launch without the verification tags on the volume (aws:RequestTag per type)', async () => {
    await putRole(Object.values(LAUNCH));
    expect(await deniedOn(launch({ TagSpecifications: [tags('instance', VERIFICATION)] }))).toBe(
      `ec2:RunInstances ${arn('volume', '*')}`,
    );
  });

  it('authorises the key pair the request names', async () => {
    await putRole(Object.values(LAUNCH));
    expect(await deniedOn(launch({ KeyName: 'ops' }))).toBe(`ec2:RunInstances ${arn('key-pair', 'ops')}`);
  });
});

describe('IAM mode: launch templates and Run Command', () => {
  it('authorises CreateLaunchTemplateVersion on its template, by its tags', async () => {
    const template = await ec2Client(local().url, REGION).send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'web-standby',
        LaunchTemplateData: { ImageId: imageId },
        TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'drill', Value: 'web' }] }],
      }),
    );
    const id = template.LaunchTemplate?.LaunchTemplateId ?? '';
    await putRole([
      {
        Effect: 'Allow',
        Action: 'ec2:CreateLaunchTemplateVersion',
        Resource: arn('launch-template', '*'),
        Condition: { StringEquals: { 'aws:ResourceTag/drill': 'web' } },
      },
    ]);
    const version = new CreateLaunchTemplateVersionCommand({
      LaunchTemplateName: 'web-standby',
      SourceVersion: '$Latest',
      LaunchTemplateData: { ImageId: imageId },
    });
    const out = await asRole(EC2Client).send(version);
    expect(out.LaunchTemplateVersion?.VersionNumber).toBe(2);
    await putRole([
      {
        Effect: 'Allow',
        Action: 'ec2:CreateLaunchTemplateVersion',
        Resource: arn('launch-template', 'lt-0'),
      },
    ]);
    const error = await failure(asRole(EC2Client).send(version));
    expect(error.message).toContain(
      `ec2:CreateLaunchTemplateVersion on resource: ${arn('launch-template', id)}`,
    );
  });

  it('authorises SendCommand on the AWS-owned document and on the instance by its tags (ssm:resourceTag)', async () => {
    const admin = ec2Client(local().url, REGION);
    const ran = await admin.send(launch());
    const instanceId = ran.Instances?.[0]?.InstanceId ?? '';
    await putRole([
      {
        Effect: 'Allow',
        Action: 'ssm:SendCommand',
        Resource: `arn:aws:ssm:${REGION}::document/AWS-RunShellScript`,
      },
      {
        Effect: 'Allow',
        Action: 'ssm:SendCommand',
        Resource: arn('instance', '*'),
        Condition: { StringEquals: { 'ssm:resourceTag/shipyard:kind': 'verification' } },
      },
    ]);
    const send = (document: string) =>
      asRole(SSMClient).send(
        new SendCommandCommand({
          DocumentName: document,
          InstanceIds: [instanceId],
          Parameters: { commands: ['true'] },
        }),
      );
    const error = await failure(send('AWS-RunPowerShellScript'));
    expect(error.message).toContain(
      `ssm:SendCommand on resource: arn:aws:ssm:${REGION}::document/AWS-RunPowerShellScript`,
    );
    await putRole([
      {
        Effect: 'Allow',
        Action: 'ssm:SendCommand',
        Resource: `arn:aws:ssm:${REGION}::document/AWS-RunShellScript`,
      },
      {
        Effect: 'Allow',
        Action: 'ssm:SendCommand',
        Resource: arn('instance', '*'),
        Condition: { StringEquals: { 'ssm:resourceTag/shipyard:kind': 'production' } },
      },
    ]);
    const untagged = await failure(send('AWS-RunShellScript'));
    expect(untagged.message).toContain(`ssm:SendCommand on resource: ${arn('instance', instanceId)}`);
  });

  it('allows the probe the verify role grants: the document, the verification instance, any invocation', async () => {
    const ran = await ec2Client(local().url, REGION).send(launch());
    const instanceId = ran.Instances?.[0]?.InstanceId ?? '';
    const { instanceBootMs, ssmAgentOnlineMs } = await local().control.durations();
    await local().control.advance({ ms: instanceBootMs + ssmAgentOnlineMs });
    // serverless/iam-backup.cjs, verifyProbeStatements, for one region
    await putRole([
      {
        Effect: 'Allow',
        Action: 'ssm:SendCommand',
        Resource: `arn:aws:ssm:${REGION}::document/AWS-RunShellScript`,
      },
      {
        Effect: 'Allow',
        Action: 'ssm:SendCommand',
        Resource: arn('instance', '*'),
        Condition: {
          StringEquals: {
            'ssm:resourceTag/shipyard:managed': 'true',
            'ssm:resourceTag/shipyard:kind': 'verification',
          },
        },
      },
      { Effect: 'Allow', Action: 'ssm:GetCommandInvocation', Resource: '*' },
    ]);
    const ssm = asRole(SSMClient);
    const sent = await ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [instanceId],
        Parameters: { commands: ['true'] },
      }),
    );
    const commandId = sent.Command?.CommandId ?? '';
    const read = await ssm.send(
      new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
    );
    expect(read.CommandId).toBe(commandId);
    expect((await local().control.iam()).denials).toEqual([]);
    const { tallies } = await local().control.counters();
    expect([tallies['iam.allowed.ssm:SendCommand'], tallies['iam.allowed.ssm:GetCommandInvocation']]).toEqual(
      [2, 1],
    );
  });
});
