import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CopyImageCommand,
  type CopyImageCommandInput,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type Image,
  ModifyImageAttributeCommand,
  RegisterImageCommand,
  type Snapshot,
  type Tag,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { ControlClient } from '../../src/control-client.ts';
import { botocoreEnv, clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';

/**
 * Wire fidelity: one scenario through the AWS SDK for JavaScript v3 and through boto3
 * (botocore's independent EC2 parser), each against a freshly reset local cloud, must yield
 * the same transcript — ids, states, tags, pages and error codes.
 */

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./ec2_scenario.py', import.meta.url));
const local = useLocalCloud({ clock: { speed: 0 } });

const seedScenario = (control: ControlClient) =>
  control.seed({
    ec2: {
      instances: [
        {
          region: 'us-east-1',
          name: 'conformance',
          tags: { Team: 'platform' },
          architecture: 'x86_64',
          rootDeviceName: '/dev/xvda',
          bootMode: 'uefi',
          volumes: [
            { deviceName: '/dev/xvda', sizeGiB: 8, volumeType: 'gp3', tags: { Role: 'root' } },
            { deviceName: '/dev/sdf', sizeGiB: 100, volumeType: 'gp3', tags: { Role: 'data' } },
            { deviceName: '/dev/sdg', sizeGiB: 20, volumeType: 'gp2', tags: { Role: 'logs' } },
          ],
        },
      ],
    },
  });

const pyEnv = (url: string) => botocoreEnv(url);

const tags = (resource: { Tags?: Tag[] }) =>
  (resource.Tags ?? [])
    .map((t) => [t.Key ?? '', t.Value ?? ''])
    .sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));

const snap = (s: Snapshot) => ({
  id: s.SnapshotId,
  volumeId: s.VolumeId,
  state: s.State,
  progress: s.Progress,
  size: s.VolumeSize,
  encrypted: s.Encrypted,
  tags: tags(s),
});

const image = (i: Image | undefined) => ({
  id: i?.ImageId,
  name: i?.Name,
  state: i?.State,
  architecture: i?.Architecture,
  virtualization: i?.VirtualizationType,
  bootMode: i?.BootMode ?? null,
  ena: i?.EnaSupport ?? null,
  public: i?.Public,
  mappings: (i?.BlockDeviceMappings ?? []).map((m) => [
    m.DeviceName,
    m.Ebs?.SnapshotId,
    m.Ebs?.VolumeSize,
    m.Ebs?.VolumeType,
  ]),
  source: [i?.SourceImageRegion ?? null, i?.SourceImageId ?? null],
  tags: tags(i ?? {}),
});

const error = async (call: () => Promise<unknown>) => {
  try {
    await call();
  } catch (e) {
    const { name, message } = e as Error;
    return { error: name, message };
  }
  return { error: null };
};

/** The scenario of ec2_scenario.py, step for step, through the JS SDK. */
const jsScenario = async (url: string, control: ControlClient) => {
  const client = (region: string) => new EC2Client({ ...clientConfig(url, region), maxAttempts: 1 });
  const us = client('us-east-1');
  const eu = client('eu-west-1');
  const advance = (ms: number) => control.advance({ ms });
  const out: Record<string, unknown> = {};

  const reservations = await us.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['conformance'] }] }),
  );
  const instance = reservations.Reservations?.[0]?.Instances?.[0];
  const instanceId = instance?.InstanceId ?? '';
  out.instance = {
    id: instanceId,
    state: instance?.State?.Name,
    architecture: instance?.Architecture,
    devices: instance?.BlockDeviceMappings?.map((m) => [m.DeviceName, m.Ebs?.VolumeId]),
  };
  const rootVolume = instance?.BlockDeviceMappings?.[0]?.Ebs?.VolumeId ?? '';

  const sets: [string, string, string, string[][]][][] = [];
  for (let i = 0; i < 2; i++) {
    const created = await us.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: instanceId },
        CopyTagsFromSource: 'volume',
        Description: 'conformance set',
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'Backup', Value: 'nightly' }] }],
      }),
    );
    sets.push(
      (created.Snapshots ?? []).map((s) => [s.SnapshotId ?? '', s.VolumeId ?? '', s.State ?? '', tags(s)]),
    );
  }
  out.sets = sets;
  out.single = snap(
    await us.send(
      new CreateSnapshotCommand({
        VolumeId: rootVolume,
        Description: 'single',
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'Kind', Value: 'single' }] }],
      }),
    ),
  );

  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const page = await us.send(
      new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 5, NextToken: token }),
    );
    pages.push((page.Snapshots ?? []).map((s) => s.SnapshotId ?? ''));
    token = page.NextToken;
  } while (token);
  out.pages = pages;

  await advance(10 * 60_000);
  const completed = await us.send(
    new DescribeSnapshotsCommand({
      Filters: [
        { Name: 'status', Values: ['completed'] },
        { Name: 'tag:Backup', Values: ['night*'] },
      ],
    }),
  );
  out.completed = (completed.Snapshots ?? []).map(snap);

  const firstSet = sets[0] ?? [];
  const rootSnapshot = firstSet[0]?.[0] ?? '';
  const registered = await us.send(
    new RegisterImageCommand({
      Name: 'conformance-image (1)',
      Description: 'from the first set',
      Architecture: 'x86_64',
      VirtualizationType: 'hvm',
      EnaSupport: true,
      BootMode: 'uefi',
      RootDeviceName: '/dev/xvda',
      BlockDeviceMappings: [
        {
          DeviceName: '/dev/xvda',
          Ebs: { SnapshotId: rootSnapshot, VolumeType: 'gp3', DeleteOnTermination: true },
        },
        { DeviceName: '/dev/sdf', Ebs: { SnapshotId: firstSet[1]?.[0], VolumeSize: 120, VolumeType: 'gp3' } },
      ],
      TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'App', Value: 'conformance' }] }],
    }),
  );
  const imageId = registered.ImageId ?? '';
  out.registered = image((await us.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0]);
  await advance(2 * 60_000);
  out.available = image((await us.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images?.[0]);

  await us.send(
    new ModifyImageAttributeCommand({
      ImageId: imageId,
      LaunchPermission: { Add: [{ UserId: '111122223333' }, { Group: 'all' }] },
    }),
  );
  await us.send(
    new ModifyImageAttributeCommand({
      ImageId: imageId,
      Attribute: 'launchPermission',
      OperationType: 'remove',
      UserGroups: ['all'],
    }),
  );
  out.launchPermissions = (
    await us.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }))
  ).LaunchPermissions;

  const copyArgs: CopyImageCommandInput = {
    SourceRegion: 'us-east-1',
    SourceImageId: imageId,
    Name: 'conformance-copy',
    ClientToken: 'conformance-1',
    CopyImageTags: true,
  };
  const copied = await eu.send(new CopyImageCommand(copyArgs));
  const replayed = await eu.send(new CopyImageCommand(copyArgs));
  const copyId = copied.ImageId ?? '';
  const copy: Record<string, unknown> = {
    id: copyId,
    replayed: replayed.ImageId,
    mismatch: await error(() => eu.send(new CopyImageCommand({ ...copyArgs, Name: 'other-name' }))),
    pending: image((await eu.send(new DescribeImagesCommand({ ImageIds: [copyId] }))).Images?.[0]),
  };
  out.copy = copy;
  await advance(30 * 60_000);
  copy.available = image((await eu.send(new DescribeImagesCommand({ ImageIds: [copyId] }))).Images?.[0]);
  copy.snapshots = (
    (await eu.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots ?? []
  ).map(snap);
  copy.permissions = (
    await eu.send(new DescribeImageAttributeCommand({ ImageId: copyId, Attribute: 'launchPermission' }))
  ).LaunchPermissions;

  out.inUse = await error(() => us.send(new DeleteSnapshotCommand({ SnapshotId: rootSnapshot })));
  const second = await us.send(
    new RegisterImageCommand({
      Name: 'conformance-second',
      RootDeviceName: '/dev/xvda',
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: rootSnapshot } }],
    }),
  );
  const deregistered = await us.send(
    new DeregisterImageCommand({ ImageId: imageId, DeleteAssociatedSnapshots: true }),
  );
  out.deregistered = {
    return: deregistered.Return,
    results: (deregistered.DeleteSnapshotResults ?? []).map((r) => [r.SnapshotId, r.ReturnCode]),
    second: second.ImageId,
  };

  const tagged = sets[1]?.[0]?.[0] ?? '';
  await us.send(
    new CreateTagsCommand({
      Resources: [tagged, rootVolume],
      Tags: [
        { Key: 'Env', Value: 'prod' },
        { Key: 'Keep', Value: '' },
      ],
    }),
  );
  await us.send(
    new DeleteTagsCommand({
      Resources: [tagged],
      Tags: [{ Key: 'Backup' }, { Key: 'Keep', Value: 'other' }],
    }),
  );
  out.tags = {
    snapshot: tags(
      (await us.send(new DescribeSnapshotsCommand({ SnapshotIds: [tagged] }))).Snapshots?.[0] ?? {},
    ),
    volume: tags((await us.send(new DescribeVolumesCommand({ VolumeIds: [rootVolume] }))).Volumes?.[0] ?? {}),
  };

  out.errors = [
    await error(() => us.send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-bad'] }))),
    await error(() => us.send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-0123456789abcdef0'] }))),
    await error(() => us.send(new DescribeSnapshotsCommand({ SnapshotIds: [tagged], MaxResults: 5 }))),
    await error(() => us.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] }))),
    await error(() => us.send(new RegisterImageCommand({ Name: 'bad#name', RootDeviceName: '/dev/xvda' }))),
    await error(() =>
      eu.send(
        new CopyImageCommand({
          SourceRegion: 'us-east-1',
          SourceImageId: imageId,
          Name: 'abc',
          KmsKeyId: 'alias/aws/ebs',
        }),
      ),
    ),
    await error(() => us.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] }))),
    await error(() => us.send(new DescribeVolumesCommand({ VolumeIds: ['vol-0123456789abcdef0'] }))),
  ];
  const volumes = await us.send(
    new DescribeVolumesCommand({
      Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }],
      MaxResults: 5,
    }),
  );
  out.volumes = (volumes.Volumes ?? []).map((v) => [
    v.VolumeId,
    v.State,
    v.Size,
    v.Attachments?.[0]?.Device,
    tags(v),
  ]);
  const ap = client('ap-south-1');
  out.emptyRegion = [
    (await ap.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots,
    (await ap.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images,
  ];
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
};

describe('EC2 conformance: JS SDK v3 and boto3 see the same local cloud', () => {
  it('the same scenario yields the same ids, states, tags, pages and error codes through both SDKs', async () => {
    // Prepare
    const { url, control } = local();
    await seedScenario(control);
    // Act
    const js = await jsScenario(url, control);
    await control.reset();
    await seedScenario(control);
    const { stdout } = await run('python3', [SCRIPT], { env: pyEnv(url) });
    const python = JSON.parse(stdout) as Record<string, unknown>;
    // Assess
    expect(python).toEqual(js);
    expect(js.pages).toEqual([expect.any(Array), expect.any(Array)]);
    expect((js.copy as { replayed: string; id: string }).replayed).toBe((js.copy as { id: string }).id);
    expect((js.deregistered as { results: string[][] }).results).toEqual([
      [expect.stringMatching(/^snap-/), 'skipped'],
      [expect.stringMatching(/^snap-/), 'success'],
    ]);
  });

  it('the aws CLI pages DescribeSnapshots (--page-size) to the same list as the JS SDK paginates', async () => {
    // Prepare
    const { url, control } = local();
    await control.seed({
      ec2: {
        snapshots: Array.from({ length: 12 }, (_, i) => ({
          region: 'eu-west-1',
          sizeGiB: i + 1,
          tags: { N: `${i}` },
        })),
      },
    });
    const ec2 = new EC2Client({ ...clientConfig(url, 'eu-west-1'), maxAttempts: 1 });
    const jsIds: string[] = [];
    let token: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 5, NextToken: token }),
      );
      jsIds.push(...(page.Snapshots ?? []).map((s) => s.SnapshotId ?? ''));
      token = page.NextToken;
    } while (token);
    // Act
    const { stdout } = await run(
      'aws',
      [
        '--region',
        'eu-west-1',
        'ec2',
        'describe-snapshots',
        '--owner-ids',
        'self',
        '--page-size',
        '5',
        '--output',
        'json',
      ],
      { env: pyEnv(url) },
    );
    // Assess
    const cli = JSON.parse(stdout) as { Snapshots: { SnapshotId: string; State: string }[] };
    expect(cli.Snapshots.map((s) => s.SnapshotId)).toEqual(jsIds);
    expect(jsIds).toHaveLength(12);
    expect(cli.Snapshots.every((s) => s.State === 'completed')).toBe(true);
  });
});
