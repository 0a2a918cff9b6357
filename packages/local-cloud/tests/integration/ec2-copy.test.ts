import {
  CopyImageCommand,
  type CopyImageCommandInput,
  CopySnapshotCommand,
  CreateSnapshotCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
  ModifyImageAttributeCommand,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import {
  CONCURRENT_AMI_COPIES_PER_REGION,
  CONCURRENT_SNAPSHOT_COPIES_PER_REGION,
} from '../../src/services/ec2/limits.ts';
import { useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, expectAwsError, MINUTE, seedEc2, seedVolume } from './ec2-fixtures.ts';

const local = useLocalCloud({ clock: { speed: 0 } });

/** An available AMI in us-east-1 backed by 8 + 100 GiB of completed snapshots. */
const seedSourceImage = async (tags: Record<string, string> = { App: 'web' }) => {
  const seeded = await seedEc2(local().control, {
    images: [
      {
        region: 'us-east-1',
        name: 'source-image',
        blockDevices: [
          { deviceName: '/dev/xvda', sizeGiB: 8 },
          { deviceName: '/dev/sdf', sizeGiB: 100 },
        ],
        tags,
      },
    ],
  });
  const image = seeded.ec2.images[0];
  if (!image) throw new Error('no image seeded');
  return image;
};

const copy = (ec2: EC2Client, sourceImageId: string, input: Partial<CopyImageCommandInput> = {}) =>
  ec2.send(
    new CopyImageCommand({
      SourceRegion: 'us-east-1',
      SourceImageId: sourceImageId,
      Name: 'copy-of-source',
      ...input,
    }),
  );

const image = async (ec2: EC2Client, imageId: string) => {
  const found = (await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0];
  if (!found) throw new Error(`no image ${imageId}`);
  return found;
};

describe('EC2 copies', () => {
  it('AWS-FACTS AMIs: CopyImage in the destination region copies every backing snapshot to new ids there; pending then available after the copy time', async () => {
    // Prepare: 108 GiB × 4 s/GiB × 1.5 (region pair factor) = 648 s
    const { url, control } = local();
    await control.setDurations({ copyRegionFactor: { 'us-east-1>eu-west-1': 1.5 } });
    const source = await seedSourceImage();
    const eu = ec2Client(url, 'eu-west-1');
    // Act
    const { ImageId } = await copy(eu, source.imageId, { Description: 'DR copy' });
    const started = await image(eu, ImageId ?? '');
    const copiedIds = started.BlockDeviceMappings?.map((m) => m.Ebs?.SnapshotId ?? '') ?? [];
    const pendingSnapshots = await eu.send(new DescribeSnapshotsCommand({ SnapshotIds: copiedIds }));
    await control.advance({ ms: 647_999 });
    const almost = await image(eu, ImageId ?? '');
    await control.advance({ ms: 1 });
    const done = await image(eu, ImageId ?? '');
    const completedSnapshots = await eu.send(new DescribeSnapshotsCommand({ SnapshotIds: copiedIds }));
    // Assess
    expect(started).toMatchObject({
      State: 'pending',
      Name: 'copy-of-source',
      Description: 'DR copy',
      SourceImageId: source.imageId,
      SourceImageRegion: 'us-east-1',
    });
    expect(copiedIds).toHaveLength(2);
    for (const id of copiedIds) expect(source.snapshotIds).not.toContain(id);
    expect(pendingSnapshots.Snapshots?.map((s) => s.State)).toEqual(['pending', 'pending']);
    expect(almost.State).toBe('pending');
    expect(done.State).toBe('available');
    expect(completedSnapshots.Snapshots?.map((s) => [s.State, s.VolumeSize])).toEqual([
      ['completed', 8],
      ['completed', 100],
    ]);
    await expectAwsError(
      ec2Client(url).send(new DescribeSnapshotsCommand({ SnapshotIds: copiedIds })),
      'InvalidSnapshot.NotFound',
    );
  });

  it('AWS-FACTS AMIs: CopyImage ClientToken — same token + same parameters → same ImageId; different parameters → IdempotentParameterMismatch', async () => {
    // Prepare
    const { url } = local();
    const source = await seedSourceImage();
    const eu = ec2Client(url, 'eu-west-1');
    // Act
    const first = await copy(eu, source.imageId, { ClientToken: 'nightly-2026-01-01-eu' });
    const retry = await copy(eu, source.imageId, { ClientToken: 'nightly-2026-01-01-eu' });
    const mismatch = await expectAwsError(
      copy(eu, source.imageId, { ClientToken: 'nightly-2026-01-01-eu', Name: 'another-name' }),
      'IdempotentParameterMismatch',
    );
    // Assess
    expect(retry.ImageId).toBe(first.ImageId);
    expect(mismatch.$metadata.httpStatusCode).toBe(400);
    expect((await eu.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images).toHaveLength(1);
    expect((await local().control.counters()).tallies['ec2.imagesCopied']).toBe(1);
  });

  it('AWS-FACTS AMIs: KmsKeyId without Encrypted → InvalidParameterCombination', async () => {
    const { url } = local();
    const source = await seedSourceImage();
    await expectAwsError(
      copy(ec2Client(url, 'eu-west-1'), source.imageId, { KmsKeyId: 'alias/aws/ebs' }),
      'InvalidParameterCombination',
    );
  });

  it('AWS-FACTS AMIs: an unknown KMS key is accepted, then the copy ends failed asynchronously with a StateReason', async () => {
    // Prepare
    const { url, control } = local();
    const source = await seedSourceImage();
    const eu = ec2Client(url, 'eu-west-1');
    // Act
    const { ImageId } = await copy(eu, source.imageId, { Encrypted: true, KmsKeyId: 'alias/does-not-exist' });
    const accepted = await image(eu, ImageId ?? '');
    await control.advance({ minutes: 30 });
    const failed = await image(eu, ImageId ?? '');
    // Assess
    expect(accepted.State).toBe('pending');
    expect(failed.State).toBe('failed');
    expect(failed.StateReason?.Message).toContain('alias/does-not-exist');
  });

  it('AWS-FACTS AMIs: encrypted copies with alias/aws/ebs or a seeded key become available and encrypted', async () => {
    // Prepare
    const { url, control } = local();
    await seedEc2(control, {
      kmsKeys: [{ region: 'eu-west-1', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', aliases: ['backups'] }],
    });
    const source = await seedSourceImage();
    const eu = ec2Client(url, 'eu-west-1');
    // Act
    const byDefault = await copy(eu, source.imageId, { Name: 'default-key', Encrypted: true });
    const byAlias = await copy(eu, source.imageId, {
      Name: 'alias-key',
      Encrypted: true,
      KmsKeyId: 'alias/backups',
    });
    const byArn = await copy(eu, source.imageId, {
      Name: 'arn-key',
      Encrypted: true,
      KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    await control.advance({ minutes: 30 });
    // Assess
    for (const { ImageId } of [byDefault, byAlias, byArn]) {
      const copied = await image(eu, ImageId ?? '');
      expect(copied.State).toBe('available');
      expect(copied.BlockDeviceMappings?.every((m) => m.Ebs?.Encrypted === true)).toBe(true);
    }
  });

  it('AWS-FACTS AMIs: launch permissions are not copied; tags only with CopyImageTags, plus TagSpecifications', async () => {
    // Prepare
    const { url } = local();
    const source = await seedSourceImage({ App: 'web', Env: 'prod' });
    await ec2Client(url).send(
      new ModifyImageAttributeCommand({
        ImageId: source.imageId,
        LaunchPermission: { Add: [{ UserId: '111122223333' }] },
      }),
    );
    const eu = ec2Client(url, 'eu-west-1');
    // Act
    const withTags = await copy(eu, source.imageId, {
      Name: 'with-tags',
      CopyImageTags: true,
      TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'Env', Value: 'dr' }] }],
    });
    const withoutTags = await copy(eu, source.imageId, { Name: 'without-tags' });
    const permissions = await eu.send(
      new DescribeImageAttributeCommand({ ImageId: withTags.ImageId, Attribute: 'launchPermission' }),
    );
    // Assess
    expect((await image(eu, withTags.ImageId ?? '')).Tags).toEqual([
      { Key: 'App', Value: 'web' },
      { Key: 'Env', Value: 'dr' },
    ]);
    expect((await image(eu, withoutTags.ImageId ?? '')).Tags).toBeUndefined();
    expect(permissions.LaunchPermissions).toEqual([]);
  });

  it('AWS-FACTS AMIs: the source must be available — a pending source → InvalidAMIID.Unavailable, an unknown one → InvalidAMIID.NotFound', async () => {
    // Prepare
    const { url, control } = local();
    const volumeId = await seedVolume(control, 10);
    const us = ec2Client(url);
    const snapshot = await us.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    const pending = await us.send(
      new RegisterImageCommand({
        Name: 'pending-source',
        RootDeviceName: '/dev/xvda',
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snapshot.SnapshotId } }],
      }),
    );
    const eu = ec2Client(url, 'eu-west-1');
    // Act + Assess
    await expectAwsError(copy(eu, pending.ImageId ?? ''), 'InvalidAMIID.Unavailable');
    await expectAwsError(copy(eu, 'ami-0123456789abcdef0'), 'InvalidAMIID.NotFound');
    await control.advance({ minutes: 5 });
    await expect(copy(eu, pending.ImageId ?? '')).resolves.toMatchObject({
      ImageId: expect.stringMatching(/^ami-/),
    });
  });

  it('AWS-FACTS AMIs: copy names are unique in the destination region → InvalidAMIName.Duplicate', async () => {
    const { url } = local();
    const source = await seedSourceImage();
    const eu = ec2Client(url, 'eu-west-1');
    await copy(eu, source.imageId, { Name: 'dr-copy' });
    await expectAwsError(copy(eu, source.imageId, { Name: 'dr-copy' }), 'InvalidAMIName.Duplicate');
    await expectAwsError(copy(eu, source.imageId, { Name: 'bad#name' }), 'InvalidAMIName.Malformed');
  });

  // EC2 User Guide, "How Amazon EC2 AMI copy works": 300 concurrent AMI copies per destination Region.
  it('AWS-FACTS AMIs (2026-12): 300 in-flight AMI copies per destination region, the next → ResourceLimitExceeded', async () => {
    // Prepare
    const { url, control } = local();
    const source = await seedSourceImage();
    const eu = ec2Client(url, 'eu-west-1');
    for (let i = 0; i < 300; i++) await copy(eu, source.imageId, { Name: `copy-${i}` });
    // Act
    const overLimit = await expectAwsError(
      copy(eu, source.imageId, { Name: 'copy-300' }),
      'ResourceLimitExceeded',
    );
    const otherRegion = await copy(ec2Client(url, 'us-west-2'), source.imageId, { Name: 'copy-300' });
    await control.advance({ minutes: 30 });
    const afterCompletion = await copy(eu, source.imageId, { Name: 'copy-300' });
    // Assess
    expect(CONCURRENT_AMI_COPIES_PER_REGION).toBe(300);
    expect(CONCURRENT_SNAPSHOT_COPIES_PER_REGION).toBe(20);
    expect(overLimit.message).toContain('300');
    expect(otherRegion.ImageId).toMatch(/^ami-/);
    expect(afterCompletion.ImageId).toMatch(/^ami-/);
  });

  it('copy concurrency limits are overridable through the seed limits', async () => {
    const { url, control } = local();
    await seedEc2(control, { limits: { concurrentImageCopies: 1 } });
    const source = await seedSourceImage();
    const eu = ec2Client(url, 'eu-west-1');
    await copy(eu, source.imageId, { Name: 'first' });
    await expectAwsError(copy(eu, source.imageId, { Name: 'second' }), 'ResourceLimitExceeded');
  });

  it('AWS-FACTS AMIs: an injected copy failure ends the copy failed with StateReason, its snapshots in error', async () => {
    // Prepare
    const { url, control } = local();
    await seedEc2(control, {
      asyncFaults: [{ kind: 'copy-failed', destinationRegion: 'eu-west-1', message: 'copy broke' }],
    });
    const source = await seedSourceImage();
    const eu = ec2Client(url, 'eu-west-1');
    // Act
    const { ImageId } = await copy(eu, source.imageId);
    await control.advance({ minutes: 30 });
    const failed = await image(eu, ImageId ?? '');
    const snapshots = await eu.send(
      new DescribeSnapshotsCommand({
        SnapshotIds: failed.BlockDeviceMappings?.map((m) => m.Ebs?.SnapshotId ?? ''),
      }),
    );
    // Assess
    expect(failed).toMatchObject({ State: 'failed', StateReason: { Message: 'copy broke' } });
    expect(snapshots.Snapshots?.map((s) => s.State)).toEqual(['error', 'error']);
  });

  it('AWS-FACTS EBS: CopySnapshot creates a new pending snapshot in the destination that completes after the copy time', async () => {
    // Prepare: 10 GiB × 4 s = 40 s, below the 180 s minimum
    const { url, control } = local();
    const seeded = await seedEc2(control, {
      snapshots: [{ region: 'us-east-1', sizeGiB: 10, tags: { App: 'web' } }],
    });
    const sourceId = seeded.ec2.snapshots[0] ?? '';
    const eu = ec2Client(url, 'eu-west-1');
    // Act
    const out = await eu.send(
      new CopySnapshotCommand({
        SourceRegion: 'us-east-1',
        SourceSnapshotId: sourceId,
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'Copy', Value: 'yes' }] }],
      }),
    );
    const describe = async () =>
      (await eu.send(new DescribeSnapshotsCommand({ SnapshotIds: [out.SnapshotId ?? ''] }))).Snapshots?.[0];
    const pending = await describe();
    await control.advance({ ms: 3 * MINUTE - 1 });
    const almost = await describe();
    await control.advance({ ms: 1 });
    const done = await describe();
    // Assess
    expect(out.SnapshotId).not.toBe(sourceId);
    expect(out.Tags).toEqual([{ Key: 'Copy', Value: 'yes' }]);
    expect(pending).toMatchObject({
      State: 'pending',
      VolumeSize: 10,
      Description: `[Copied ${sourceId} from us-east-1]`,
    });
    expect(almost?.State).toBe('pending');
    expect(done?.State).toBe('completed');
  });

  it('AWS-FACTS EBS: CopySnapshot needs a completed source → IncorrectState; 20 in-flight snapshot copies per destination → ResourceLimitExceeded', async () => {
    // Prepare
    const { url, control } = local();
    const volumeId = await seedVolume(control, 10);
    const pending = await ec2Client(url).send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    const seeded = await seedEc2(control, { snapshots: [{ region: 'us-east-1', sizeGiB: 10 }] });
    const eu = ec2Client(url, 'eu-west-1');
    const copySnapshot = (id: string) =>
      eu.send(new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: id }));
    // Act + Assess
    await expectAwsError(copySnapshot(pending.SnapshotId ?? ''), 'IncorrectState');
    for (let i = 0; i < 20; i++) await copySnapshot(seeded.ec2.snapshots[0] ?? '');
    await expectAwsError(copySnapshot(seeded.ec2.snapshots[0] ?? ''), 'ResourceLimitExceeded');
    await expectAwsError(copySnapshot('snap-0123456789abcdef0'), 'InvalidSnapshot.NotFound');
  });
});
