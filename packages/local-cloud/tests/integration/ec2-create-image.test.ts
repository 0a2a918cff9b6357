import {
  CreateImageCommand,
  DescribeImagesCommand,
  GetInstanceUefiDataCommand,
  ModifyImageAttributeCommand,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, expectAwsError, seedEc2 } from './ec2-fixtures.ts';

const local = useLocalCloud({ clock: { speed: 0 } });

const seedRhel = async (extra: Record<string, unknown> = {}) => {
  const seeded = await seedEc2(local().control, {
    instances: [
      {
        region: 'us-east-1',
        architecture: 'x86_64',
        rootDeviceName: '/dev/xvda',
        bootMode: 'uefi',
        platform: 'rhel',
        tpmSupport: 'v2.0',
        volumes: [{ deviceName: '/dev/xvda', sizeGiB: 8, volumeType: 'gp3' }],
        ...extra,
      },
    ],
  });
  return seeded.ec2.instances[0]?.instanceId ?? '';
};

const imageOf = async (imageId: string) =>
  (await ec2Client(local().url).send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0];

describe('EC2 CreateImage, GetInstanceUefiData and platform rules', () => {
  // CreateImage API reference: NoReboot, TagSpecifications image|snapshot; "AMI billing information fields".
  it('CreateImage keeps the instance platform details, NitroTPM and SourceInstanceId, and tags AMI and snapshots', async () => {
    const instanceId = await seedRhel();
    const ec2 = ec2Client(local().url);
    const { ImageId } = await ec2.send(
      new CreateImageCommand({
        InstanceId: instanceId,
        Name: 'rhel-backup',
        NoReboot: true,
        TagSpecifications: [
          { ResourceType: 'image', Tags: [{ Key: 'k', Value: 'image' }] },
          { ResourceType: 'snapshot', Tags: [{ Key: 'k', Value: 'snapshot' }] },
        ],
      }),
    );
    await local().control.advance({ minutes: 30 });
    const image = await imageOf(ImageId ?? '');
    expect(image).toMatchObject({
      State: 'available',
      PlatformDetails: 'Red Hat Enterprise Linux',
      UsageOperation: 'RunInstances:0010',
      TpmSupport: 'v2.0',
      BootMode: 'uefi',
      SourceInstanceId: instanceId,
      Tags: [{ Key: 'k', Value: 'image' }],
    });
  });

  // RegisterImage API reference: billing derived from the snapshots' metadata, which may be missing.
  it('RegisterImage from snapshots of a RHEL instance is Linux/UNIX unless the snapshots carry the billing metadata', async () => {
    const ec2 = ec2Client(local().url);
    const register = async (name: string) => {
      const instanceId = await seedRhel();
      const { Snapshots } = await ec2.send(
        new (await import('@aws-sdk/client-ec2')).CreateSnapshotsCommand({
          InstanceSpecification: { InstanceId: instanceId },
        }),
      );
      const { ImageId } = await ec2.send(
        new RegisterImageCommand({
          Name: name,
          RootDeviceName: '/dev/xvda',
          VirtualizationType: 'hvm',
          BlockDeviceMappings: [
            { DeviceName: '/dev/xvda', Ebs: { SnapshotId: Snapshots?.[0]?.SnapshotId ?? '' } },
          ],
        }),
      );
      return imageOf(ImageId ?? '');
    };
    expect(await register('plain')).toMatchObject({
      PlatformDetails: 'Linux/UNIX',
      UsageOperation: 'RunInstances',
    });
    await seedEc2(local().control, { snapshotsCarryBillingMetadata: true });
    expect(await register('carried')).toMatchObject({ PlatformDetails: 'Red Hat Enterprise Linux' });
  });

  // GetInstanceUefiData API reference: base64 of the non-volatile UEFI variable store.
  it('GetInstanceUefiData returns the seeded variable store of a UEFI instance', async () => {
    const instanceId = await seedRhel({ uefiData: 'U0hJUA==' });
    const out = await ec2Client(local().url).send(new GetInstanceUefiDataCommand({ InstanceId: instanceId }));
    expect(out).toMatchObject({ InstanceId: instanceId, UefiData: 'U0hJUA==' });
  });

  // ModifyImageAttribute API reference: "Images with an AWS Marketplace product code cannot be made public."
  it('ModifyImageAttribute refuses Group all for an image with a Marketplace product code', async () => {
    const instanceId = await seedRhel({ productCodes: [{ productCodeId: 'mkt1', type: 'marketplace' }] });
    const ec2 = ec2Client(local().url);
    const { ImageId } = await ec2.send(
      new CreateImageCommand({ InstanceId: instanceId, Name: 'mkt', NoReboot: true }),
    );
    await expectAwsError(
      ec2.send(new ModifyImageAttributeCommand({ ImageId, LaunchPermission: { Add: [{ Group: 'all' }] } })),
      'InvalidParameter',
    );
    await ec2.send(
      new ModifyImageAttributeCommand({ ImageId, LaunchPermission: { Add: [{ UserId: '210987654321' }] } }),
    );
  });
});
