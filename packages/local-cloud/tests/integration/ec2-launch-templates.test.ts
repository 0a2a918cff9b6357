import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyLaunchTemplateCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, expectAwsError, seedEc2 } from './ec2-fixtures.ts';

/**
 * The standby region's launch template, as a failover drill keeps it on the newest verified
 * AMI: a new version from the current one with only ImageId changed, then made the default.
 */

const local = useLocalCloud({ clock: { speed: 0 } });

const REGION = 'us-west-1';
const ec2 = () => ec2Client(local().url, REGION);

const seedImages = async (): Promise<[string, string]> => {
  const seeded = await seedEc2(local().control, {
    network: {
      vpcs: [{ region: REGION, vpcId: 'vpc-0000000d', cidrBlock: '10.2.0.0/16' }],
      subnets: [
        { region: REGION, subnetId: 'subnet-0000000d', vpcId: 'vpc-0000000d', cidrBlock: '10.2.1.0/24' },
      ],
      securityGroups: [{ region: REGION, groupId: 'sg-0000000d', groupName: 'web', vpcId: 'vpc-0000000d' }],
    },
    images: ['web-2026-12-01', 'web-2026-12-02'].map((name) => ({
      region: REGION,
      name,
      blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }],
    })),
  });
  const [older, newer] = seeded.ec2.images.map((i) => i.imageId);
  return [older ?? '', newer ?? ''];
};

const createTemplate = (imageId: string) =>
  ec2().send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web-standby',
      VersionDescription: 'first',
      LaunchTemplateData: {
        ImageId: imageId,
        InstanceType: 't3.small',
        SecurityGroupIds: ['sg-0000000d'],
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Role', Value: 'web' }] }],
      },
    }),
  );

describe('EC2 launch templates', () => {
  it('API_CreateLaunchTemplateVersion SourceVersion + ImageId keeps the other data; API_ModifyLaunchTemplate DefaultVersion; RunInstances uses $Default', async () => {
    // Prepare
    const [older, newer] = await seedImages();
    const created = await createTemplate(older);
    const templateId = created.LaunchTemplate?.LaunchTemplateId ?? '';
    // Act
    const version = await ec2().send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: templateId,
        SourceVersion: '1',
        VersionDescription: 'newest verified backup',
        LaunchTemplateData: { ImageId: newer },
      }),
    );
    const before = await ec2().send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [templateId] }));
    await ec2().send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: templateId, DefaultVersion: '2' }));
    const after = await ec2().send(
      new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['web-standby'] }),
    );
    const defaults = await ec2().send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, Versions: ['$Default'] }),
    );
    const launched = await ec2().send(
      new RunInstancesCommand({
        LaunchTemplate: { LaunchTemplateId: templateId, Version: '$Default' },
        SubnetId: 'subnet-0000000d',
        MinCount: 1,
        MaxCount: 1,
      }),
    );
    // Assess
    expect(created.LaunchTemplate).toMatchObject({ DefaultVersionNumber: 1, LatestVersionNumber: 1 });
    expect(version.LaunchTemplateVersion).toMatchObject({
      VersionNumber: 2,
      DefaultVersion: false,
      LaunchTemplateData: { ImageId: newer, InstanceType: 't3.small', SecurityGroupIds: ['sg-0000000d'] },
    });
    expect(before.LaunchTemplates?.[0]).toMatchObject({ DefaultVersionNumber: 1, LatestVersionNumber: 2 });
    expect(after.LaunchTemplates?.[0]).toMatchObject({ DefaultVersionNumber: 2, LatestVersionNumber: 2 });
    expect(defaults.LaunchTemplateVersions?.map((v) => [v.VersionNumber, v.DefaultVersion])).toEqual([
      [2, true],
    ]);
    const instance = launched.Instances?.[0];
    expect(instance).toMatchObject({ ImageId: newer, InstanceType: 't3.small' });
    // EC2 tags instances launched from a template with its id and version.
    expect(instance?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'Role', Value: 'web' },
        { Key: 'aws:ec2launchtemplate:id', Value: templateId },
        { Key: 'aws:ec2launchtemplate:version', Value: '2' },
      ]),
    );
  });

  it('API_DescribeLaunchTemplateVersions: all versions newest first; $Latest resolves', async () => {
    const [older, newer] = await seedImages();
    await createTemplate(older);
    await ec2().send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateName: 'web-standby',
        SourceVersion: '$Latest',
        LaunchTemplateData: { ImageId: newer },
      }),
    );
    const all = await ec2().send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'web-standby' }),
    );
    const latest = await ec2().send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'web-standby', Versions: ['$Latest'] }),
    );
    expect(all.LaunchTemplateVersions?.map((v) => v.VersionNumber)).toEqual([2, 1]);
    expect(latest.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.ImageId).toBe(newer);
  });

  it('launch template errors: a used name, an unknown template, an unknown version, ModifyLaunchTemplate to a missing version', async () => {
    const [older] = await seedImages();
    const created = await createTemplate(older);
    const templateId = created.LaunchTemplate?.LaunchTemplateId ?? '';
    await expectAwsError(createTemplate(older), 'InvalidLaunchTemplateName.AlreadyExistsException');
    await expectAwsError(
      ec2().send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['nope-template'] })),
      'InvalidLaunchTemplateName.NotFoundException',
    );
    await expectAwsError(
      ec2().send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: templateId,
          SourceVersion: '7',
          LaunchTemplateData: { ImageId: older },
        }),
      ),
      'InvalidLaunchTemplateId.VersionNotFound',
    );
    await expectAwsError(
      ec2().send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: templateId, DefaultVersion: '3' })),
      'InvalidLaunchTemplateId.VersionNotFound',
    );
    const unchanged = await ec2().send(
      new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [templateId] }),
    );
    expect(unchanged.LaunchTemplates?.[0]).toMatchObject({ DefaultVersionNumber: 1, LatestVersionNumber: 1 });
  });
});
