/**
 * IAM mode over HTTP with the real SDK clients: calls signed with a role session's key are
 * evaluated against the role's policies and denied the way each service denies them; calls
 * with any other key (tests, CLI) are not evaluated.
 * Sources: IAM User Guide, "Policy evaluation logic" and "Access denied error messages"
 * (the "User: … is not authorized to perform: <action> on resource: <arn> because no
 * identity-based policy allows the <action> action" text); EC2 User Guide, "Grant permissions to
 * copy Amazon EC2 AMIs" (CopyImage authorises the source AMI since 2024-10-28) and "Grant
 * permission to tag resources during creation" (ec2:CreateAction); STS API Reference,
 * DecodeAuthorizationMessage (EC2 answers Client.UnauthorizedOperation, HTTP 403); S3 API
 * Reference, GetObject "Permissions" (a missing key is 403 without s3:ListBucket) and "Error
 * responses" (AccessDenied, 403); the API references' "Common Errors" (AccessDeniedException, 400).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyImageCommand,
  CreateLaunchTemplateCommand,
  DescribeImagesCommand,
  EC2Client,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { startRoleSession } from '../../src/iam/store.ts';
import { registerBundleFunction } from '../../src/services/lambda/register.ts';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { seedEc2 } from './ec2-fixtures.ts';

const local = useLocalCloud({ iam: 'enforce', pollIntervalMs: 0 });
const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/shipyard-dev-backupCopyImage-us-east-1-lambdaRole`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/shipyard-dev-backupCopyImage-us-east-1-lambdaRole/shipyard-dev-backupCopyImage`;

const COPY_STATEMENTS = [
  { Effect: 'Allow', Action: ['ec2:DescribeImages'], Resource: '*' },
  {
    Sid: 'CopyImageSource',
    Effect: 'Allow',
    Action: ['ec2:CopyImage'],
    Resource: ['arn:aws:ec2:ap-south-1::image/*', 'arn:aws:ec2:ap-south-1::snapshot/*'],
    Condition: { StringEquals: { 'aws:ResourceTag/shipyard:managed': 'true' } },
  },
  {
    Sid: 'CopyImageTarget',
    Effect: 'Allow',
    Action: ['ec2:CopyImage'],
    Resource: ['arn:aws:ec2:eu-west-1::image/*', 'arn:aws:ec2:eu-west-1::snapshot/*'],
    Condition: { StringEquals: { 'aws:RequestTag/shipyard:managed': 'true' } },
  },
  {
    Effect: 'Allow',
    Action: ['ec2:CreateTags'],
    Resource: ['arn:aws:ec2:eu-west-1::image/*', 'arn:aws:ec2:eu-west-1::snapshot/*'],
    Condition: { StringEquals: { 'ec2:CreateAction': 'CopyImage' } },
  },
  { Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::runs/*' },
];

const putRole = (statements: unknown[]) =>
  local().control.putRole({
    arn: ROLE,
    policies: [{ name: 'shipyard-dev-lambda', document: { Version: '2012-10-17', Statement: statements } }],
  });

const roleCredentials = () => ({
  accessKeyId: startRoleSession(local().cloud, {
    roleArn: ROLE,
    sessionName: 'shipyard-dev-backupCopyImage',
  }),
  secretAccessKey: 'local',
  sessionToken: 'local',
});
const asRole = <T>(Client: new (config: object) => T, region = 'eu-west-1'): T =>
  new Client({ ...clientConfig(local().url, region), credentials: roleCredentials(), maxAttempts: 1 });

const seedSource = async (tags: Record<string, string>) => {
  const seeded = await seedEc2(local().control, {
    images: [
      {
        region: 'ap-south-1',
        name: 'web-nightly',
        blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }],
        tags,
      },
    ],
  });
  return seeded.ec2.images[0]?.imageId ?? '';
};

const copy = (sourceImageId: string, tags: Record<string, string> = { 'shipyard:managed': 'true' }) =>
  new CopyImageCommand({
    SourceRegion: 'ap-south-1',
    SourceImageId: sourceImageId,
    Name: 'web-nightly-copy',
    TagSpecifications: [
      { ResourceType: 'image', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
    ],
  });

const failure = async (promise: Promise<unknown>) => {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (!error) throw new Error('expected the call to fail');
  return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
};

beforeEach(async () => {
  await putRole(COPY_STATEMENTS);
});

describe('IAM mode: a role session', () => {
  it('is allowed what its policies allow: a managed source copied with the managed tag', async () => {
    const source = await seedSource({ 'shipyard:managed': 'true' });
    const out = await asRole(EC2Client).send(copy(source));
    expect(out.ImageId).toMatch(/^ami-/);
    expect(local().cloud.counters.get('iam.allowed.ec2:CopyImage')).toBe(2); // the source and the new image
    expect(local().cloud.counters.get('iam.allowed.ec2:CreateTags')).toBe(1); // tags on create
  });

  it('is denied CopyImage of a source AMI its policy does not cover, as EC2 denies it', async () => {
    const source = await seedSource({ Name: 'hand-made' });
    const error = await failure(asRole(EC2Client).send(copy(source)));
    expect(error.name).toBe('UnauthorizedOperation');
    expect(error.status).toBe(403);
    expect(error.message).toContain(
      `User: ${SESSION} is not authorized to perform: ec2:CopyImage on resource: arn:aws:ec2:ap-south-1::image/${source} because no identity-based policy allows the ec2:CopyImage action`,
    );
    const { denials } = await local().control.iam();
    expect(denials).toMatchObject([{ action: 'ec2:CopyImage', reason: 'implicit', operation: 'CopyImage' }]);
  });

  it('is denied a copy whose request does not tag the new image', async () => {
    const source = await seedSource({ 'shipyard:managed': 'true' });
    const error = await failure(asRole(EC2Client).send(copy(source, { Name: 'untagged' })));
    expect(error.name).toBe('UnauthorizedOperation');
    expect(error.message).toContain('ec2:CopyImage on resource: arn:aws:ec2:eu-west-1::image/*');
  });

  it('is denied tagging on create without ec2:CreateTags for that create action', async () => {
    await putRole(COPY_STATEMENTS.filter((s) => s.Action[0] !== 'ec2:CreateTags'));
    const source = await seedSource({ 'shipyard:managed': 'true' });
    const error = await failure(asRole(EC2Client).send(copy(source)));
    expect(error.message).toContain('ec2:CreateTags on resource: arn:aws:ec2:eu-west-1::image/*');
  });

  it('an explicit Deny wins over the Allow', async () => {
    await putRole([...COPY_STATEMENTS, { Effect: 'Deny', Action: 'ec2:Describe*', Resource: '*' }]);
    const error = await failure(asRole(EC2Client).send(new DescribeImagesCommand({ Owners: ['self'] })));
    expect(error.message).toContain(
      'ec2:DescribeImages on resource: * with an explicit deny in an identity-based policy',
    );
  });

  it('is answered AccessDenied by S3, and 403 for a missing key without s3:ListBucket', async () => {
    const admin = new S3Client(clientConfig(local().url));
    await admin.send(new CreateBucketCommand({ Bucket: 'runs' }));
    await admin.send(new PutObjectCommand({ Bucket: 'runs', Key: 'a.json', Body: '{}' }));
    const s3 = asRole(S3Client, 'us-east-1');
    expect(
      (await s3.send(new GetObjectCommand({ Bucket: 'runs', Key: 'a.json' }))).$metadata.httpStatusCode,
    ).toBe(200);
    const put = await failure(s3.send(new PutObjectCommand({ Bucket: 'runs', Key: 'b.json', Body: '{}' })));
    expect([put.name, put.status]).toEqual(['AccessDenied', 403]);
    expect(put.message).toContain('s3:PutObject on resource: arn:aws:s3:::runs/b.json');
    const missing = await failure(s3.send(new GetObjectCommand({ Bucket: 'runs', Key: 'nothing.json' })));
    expect([missing.name, missing.status]).toEqual(['AccessDenied', 403]);
    expect(missing.message).toContain('s3:ListBucket on resource: arn:aws:s3:::runs');
  });

  it('is answered AccessDeniedException by an awsJson service (Step Functions)', async () => {
    const machine = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:shipyard-dev-backup`;
    const error = await failure(
      asRole(SFNClient, 'us-east-1').send(new StartExecutionCommand({ stateMachineArn: machine })),
    );
    expect([error.name, error.status]).toEqual(['AccessDeniedException', 400]);
    expect(error.message).toContain(`states:StartExecution on resource: ${machine}`);
  });

  it('authorises PutEvents per entry with its events:source (EventBridge User Guide, "Using IAM policy conditions")', async () => {
    const bus = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;
    await putRole([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: bus,
        Condition: { StringEquals: { 'events:source': 'shipyard' } },
      },
    ]);
    const events = asRole(EventBridgeClient, 'us-east-1');
    const entry = (Source: string) => ({ Source, DetailType: 'Invalidation Completed', Detail: '{}' });
    const out = await events.send(new PutEventsCommand({ Entries: [entry('shipyard')] }));
    expect(out.FailedEntryCount).toBe(0);
    const error = await failure(
      events.send(new PutEventsCommand({ Entries: [entry('shipyard'), entry('aws.ec2')] })),
    );
    expect([error.name, error.status]).toEqual(['AccessDeniedException', 400]);
    expect(error.message).toContain(`events:PutEvents on resource: ${bus}`);
  });

  it('authorises an existing resource by its tags (TerminateInstances on a launched verification instance)', async () => {
    await putRole([
      {
        Effect: 'Allow',
        Action: 'ec2:TerminateInstances',
        Resource: `arn:aws:ec2:*:${ACCOUNT}:instance/*`,
        Condition: { StringEquals: { 'aws:ResourceTag/shipyard:verification': 'true' } },
      },
    ]);
    const seeded = await seedEc2(local().control, {
      instances: [
        {
          region: 'eu-west-1',
          name: 'verify',
          architecture: 'x86_64',
          rootDeviceName: '/dev/xvda',
          volumes: [{ deviceName: '/dev/xvda', sizeGiB: 8, volumeType: 'gp3' }],
          tags: { 'shipyard:verification': 'true' },
        },
        {
          region: 'eu-west-1',
          name: 'prod',
          architecture: 'x86_64',
          rootDeviceName: '/dev/xvda',
          volumes: [{ deviceName: '/dev/xvda', sizeGiB: 8, volumeType: 'gp3' }],
        },
      ],
    });
    const [verify, prod] = seeded.ec2.instances.map((i) => i.instanceId);
    const ec2 = asRole(EC2Client);
    expect(
      (await ec2.send(new TerminateInstancesCommand({ InstanceIds: [verify ?? ''] }))).TerminatingInstances,
    ).toHaveLength(1);
    const error = await failure(ec2.send(new TerminateInstancesCommand({ InstanceIds: [prod ?? ''] })));
    expect(error.message).toContain(
      `ec2:TerminateInstances on resource: arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/${prod}`,
    );
  });

  it('fails loudly on a condition operator the evaluator does not implement', async () => {
    await putRole([
      {
        Effect: 'Allow',
        Action: 'ec2:DescribeImages',
        Resource: '*',
        Condition: { StringMatchesRegex: { 'aws:RequestedRegion': '.*' } },
      },
    ]);
    const error = await failure(asRole(EC2Client).send(new DescribeImagesCommand({ Owners: ['self'] })));
    expect([error.name, error.status]).toEqual(['LocalIamUnsupportedCondition', 501]);
  });

  it('fails loudly on an operation IAM mode has no mapping for, and records it', async () => {
    const error = await failure(
      asRole(EC2Client).send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: 'web-standby',
          LaunchTemplateData: { ImageId: 'ami-0123456789abcdef0' },
        }),
      ),
    );
    expect([error.name, error.status]).toEqual(['LocalIamUnmappedOperation', 501]);
    expect((await local().control.iam()).unmapped).toEqual([
      { service: 'ec2', operation: 'CreateLaunchTemplate', principal: SESSION },
    ]);
  });
});

describe("IAM mode: KMS keys EC2 uses on the caller's behalf", () => {
  const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
  const KEY_ARN = `arn:aws:kms:ap-south-1:${ACCOUNT}:key/${KEY_ID}`;
  const VIA_EC2 = { StringLike: { 'kms:ViaService': ['ec2.*.amazonaws.com', 'ec2.*.amazonaws.com.cn'] } };
  /** What serverless/iam-backup.cjs grants a configured source key (sourceKmsKeys). */
  const SOURCE_KEY_STATEMENTS = [
    {
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncrypt*'],
      Resource: [KEY_ARN],
      Condition: VIA_EC2,
    },
    {
      Effect: 'Allow',
      Action: ['kms:CreateGrant'],
      Resource: [KEY_ARN],
      Condition: { ...VIA_EC2, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
  ];

  const seedEncryptedSource = async () => {
    const seeded = await seedEc2(local().control, {
      kmsKeys: [{ region: 'ap-south-1', keyId: KEY_ID, aliases: ['alias/shipyard-source'] }],
      snapshots: [
        {
          region: 'ap-south-1',
          snapshotId: 'snap-0a0000000000000a1',
          sizeGiB: 8,
          encrypted: true,
          kmsKeyId: KEY_ARN,
        },
      ],
      images: [
        {
          region: 'ap-south-1',
          name: 'web-encrypted',
          snapshotIds: ['snap-0a0000000000000a1'],
          tags: { 'shipyard:managed': 'true' },
        },
      ],
    });
    return seeded.ec2.images[0]?.imageId ?? '';
  };

  it('denies copying an AMI whose snapshots use a customer managed key the role may not use', async () => {
    const source = await seedEncryptedSource();
    const error = await failure(asRole(EC2Client).send(copy(source)));
    expect(error.name).toBe('UnauthorizedOperation');
    expect(error.message).toContain(`is not authorized to perform: kms:Decrypt on resource: ${KEY_ARN}`);
  });

  it('allows it with the source key granted through EC2 (kms:ViaService, kms:GrantIsForAWSResource)', async () => {
    await putRole([...COPY_STATEMENTS, ...SOURCE_KEY_STATEMENTS]);
    const source = await seedEncryptedSource();
    expect((await asRole(EC2Client).send(copy(source))).ImageId).toMatch(/^ami-/);
    expect(local().cloud.counters.get('iam.allowed.kms:CreateGrant')).toBe(1);
  });

  it('denies the grant when the CreateGrant statement lacks its condition match', async () => {
    await putRole([
      ...COPY_STATEMENTS,
      ...SOURCE_KEY_STATEMENTS.map((st) =>
        st.Action[0] === 'kms:CreateGrant'
          ? { ...st, Condition: { Bool: { 'kms:GrantIsForAWSResource': 'false' } } }
          : st,
      ),
    ]);
    const source = await seedEncryptedSource();
    const error = await failure(asRole(EC2Client).send(copy(source)));
    expect(error.message).toContain(`kms:CreateGrant on resource: ${KEY_ARN}`);
  });
});

describe('IAM mode: other callers and the switch', () => {
  it('does not evaluate callers with any other key (tests, the CLI)', async () => {
    const source = await seedSource({ Name: 'hand-made' });
    const admin = new EC2Client({ ...clientConfig(local().url, 'eu-west-1'), maxAttempts: 1 });
    expect((await admin.send(copy(source, { Name: 'x' }))).ImageId).toMatch(/^ami-/);
  });

  it('evaluates nothing when switched off', async () => {
    await local().control.setIamMode('off');
    try {
      const source = await seedSource({ Name: 'hand-made' });
      expect((await asRole(EC2Client).send(copy(source, { Name: 'x' }))).ImageId).toMatch(/^ami-/);
    } finally {
      await local().control.setIamMode('enforce');
    }
  });

  it('gives a bundle function its role session credentials, as Lambda does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iam-bundle-'));
    writeFileSync(
      join(dir, 'handler.mjs'),
      'export const handler = async () => process.env.AWS_ACCESS_KEY_ID;\n',
    );
    registerBundleFunction(local().cloud, { name: 'whoami', bundle: join(dir, 'handler.mjs'), role: ROLE });
    const lambda = new LambdaClient(clientConfig(local().url));
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'whoami' }));
    const key = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8')) as string;
    expect(key).toMatch(/^ASIA[0-9A-F]{16}$/);
    expect((await local().control.iam()).roles.map((r) => r.arn)).toEqual([ROLE]);
    expect(key).toBe(startRoleSession(local().cloud, { roleArn: ROLE, sessionName: 'whoami' }));
  });
});
