/**
 * The local KMS (DescribeKey) and the key ARNs EC2 reports. Sources: KMS API Reference,
 * DescribeKey (a key id, key ARN, alias name or alias ARN; describing a predefined AWS alias
 * creates its AWS managed key) and KeyMetadata (`KeyManager`: `AWS` | `CUSTOMER`); EC2 API
 * Reference, Volume.KmsKeyId / Snapshot.KmsKeyId ("The Amazon Resource Name (ARN) of the KMS
 * key"); EC2 User Guide, "Share an AMI with specific AWS accounts" (no sharing of AMIs backed by
 * snapshots encrypted with the AWS managed key).
 */
import {
  CreateSnapshotCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  ModifyImageAttributeCommand,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, expectAwsError, seedEc2 } from './ec2-fixtures.ts';

const local = useLocalCloud({ clock: { speed: 0 } });
const kms = (region = 'eu-west-1') => new KMSClient({ ...clientConfig(local().url, region), maxAttempts: 1 });
const describeKey = async (KeyId: string, region = 'eu-west-1') =>
  (await kms(region).send(new DescribeKeyCommand({ KeyId }))).KeyMetadata;

const CUSTOMER_KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('KMS DescribeKey (awsJson1_1, TrentService)', () => {
  it('describes the AWS managed aws/ebs key of each region by alias, alias ARN, key id and key ARN', async () => {
    // Act
    const byAlias = await describeKey('alias/aws/ebs');
    const other = await describeKey('alias/aws/ebs', 'us-east-1');
    // Assess
    expect(byAlias).toMatchObject({
      KeyManager: 'AWS',
      AWSAccountId: '123456789012',
      KeyState: 'Enabled',
      KeySpec: 'SYMMETRIC_DEFAULT',
    });
    expect(byAlias?.Arn).toMatch(/^arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f-]{36}$/);
    for (const id of [
      'arn:aws:kms:eu-west-1:123456789012:alias/aws/ebs',
      byAlias?.KeyId ?? '',
      byAlias?.Arn ?? '',
    ])
      expect((await describeKey(id))?.Arn).toBe(byAlias?.Arn);
    expect(other?.Arn).not.toBe(byAlias?.Arn);
    expect(other?.Arn).toMatch(/^arn:aws:kms:us-east-1:/);
  });

  it('describes a seeded customer managed key by every identifier; an unknown one is NotFoundException', async () => {
    // Prepare
    await local().control.seed({
      kms: { keys: [{ region: 'eu-west-1', keyId: CUSTOMER_KEY, aliases: ['backups'] }] },
    });
    // Act
    const ids = [
      CUSTOMER_KEY,
      `arn:aws:kms:eu-west-1:123456789012:key/${CUSTOMER_KEY}`,
      'alias/backups',
      'arn:aws:kms:eu-west-1:123456789012:alias/backups',
    ];
    // Assess
    for (const id of ids)
      expect(await describeKey(id)).toMatchObject({
        KeyId: CUSTOMER_KEY,
        Arn: `arn:aws:kms:eu-west-1:123456789012:key/${CUSTOMER_KEY}`,
        KeyManager: 'CUSTOMER',
      });
    await expectAwsError(kms().send(new DescribeKeyCommand({ KeyId: 'alias/missing' })), 'NotFoundException');
    // Keys are regional: the same id in another region is unknown.
    await expectAwsError(
      kms('us-east-1').send(new DescribeKeyCommand({ KeyId: CUSTOMER_KEY })),
      'NotFoundException',
    );
  });

  it('EC2 reports the key ARN, never the alias, on volumes and snapshots; aws/ebs AMIs are still not shared', async () => {
    // Prepare: default encryption (no key), aws/ebs by alias, a customer key by alias
    const seeded = await seedEc2(local().control, {
      kmsKeys: [{ region: 'eu-west-1', keyId: CUSTOMER_KEY, aliases: ['backups'] }],
      volumes: [
        { region: 'eu-west-1', sizeGiB: 8, volumeType: 'gp3', encrypted: true },
        { region: 'eu-west-1', sizeGiB: 8, volumeType: 'gp3', encrypted: true, kmsKeyId: 'alias/aws/ebs' },
        { region: 'eu-west-1', sizeGiB: 8, volumeType: 'gp3', encrypted: true, kmsKeyId: 'alias/backups' },
      ],
    });
    const ec2 = ec2Client(local().url, 'eu-west-1');
    const ebs = (await describeKey('alias/aws/ebs'))?.Arn;
    const customer = `arn:aws:kms:eu-west-1:123456789012:key/${CUSTOMER_KEY}`;
    // Act
    const volumes =
      (await ec2.send(new DescribeVolumesCommand({ VolumeIds: seeded.ec2.volumes }))).Volumes ?? [];
    const snapshotId = (await ec2.send(new CreateSnapshotCommand({ VolumeId: seeded.ec2.volumes[1] })))
      .SnapshotId;
    const [snapshot] =
      (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId ?? ''] }))).Snapshots ?? [];
    // Assess
    expect(Object.fromEntries(volumes.map((v) => [v.VolumeId, v.KmsKeyId]))).toEqual({
      [seeded.ec2.volumes[0] ?? '']: ebs,
      [seeded.ec2.volumes[1] ?? '']: ebs,
      [seeded.ec2.volumes[2] ?? '']: customer,
    });
    expect(snapshot?.KmsKeyId).toBe(ebs);
    const { ImageId } = await ec2.send(
      new RegisterImageCommand({
        Name: 'backup-web-2026-01-01',
        RootDeviceName: '/dev/xvda',
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snapshotId } }],
      }),
    );
    await expectAwsError(
      ec2.send(
        new ModifyImageAttributeCommand({ ImageId, LaunchPermission: { Add: [{ UserId: '111122223333' }] } }),
      ),
      'InvalidParameter',
    );
  });
});
