/**
 * Launch templates (the LaunchTemplates port): the `$Latest` version's AMI, and a new
 * version from `$Latest` with only the ImageId changed (CreateLaunchTemplateVersion,
 * SourceVersion + LaunchTemplateData: the unspecified data is taken from the source).
 */
import {
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type EC2ClientConfig,
} from '@aws-sdk/client-ec2';
import { InvalidBackupInput } from '../backup/errors.ts';
import type { LaunchTemplates } from '../backup-service/ports/drill.ts';
import { ec2ErrorCode, toBackupError } from './ec2-errors.ts';

const NOT_FOUND = new Set([
  'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateId.Malformed',
  'InvalidLaunchTemplateName.NotFoundException',
]);

export function createLaunchTemplates(
  options: { clientConfig?: Omit<EC2ClientConfig, 'region'> } = {},
): LaunchTemplates {
  const byRegion = new Map<string, EC2Client>();
  const clientFor = (region: string) => {
    let client = byRegion.get(region);
    if (client === undefined) {
      client = new EC2Client({ ...options.clientConfig, region });
      byRegion.set(region, client);
    }
    return client;
  };
  return {
    async latestImageId(region, launchTemplateId) {
      try {
        const out = await clientFor(region).send(
          new DescribeLaunchTemplateVersionsCommand({
            LaunchTemplateId: launchTemplateId,
            Versions: ['$Latest'],
          }),
        );
        const version = out.LaunchTemplateVersions?.[0];
        if (version?.VersionNumber === undefined) return undefined;
        const imageId = version.LaunchTemplateData?.ImageId;
        return { version: version.VersionNumber, ...(imageId === undefined ? {} : { imageId }) };
      } catch (error) {
        if (NOT_FOUND.has(ec2ErrorCode(error) ?? '')) return undefined;
        throw toBackupError(error, `DescribeLaunchTemplateVersions (${region})`, InvalidBackupInput);
      }
    },
    async createVersion(region, launchTemplateId, imageId) {
      try {
        const out = await clientFor(region).send(
          new CreateLaunchTemplateVersionCommand({
            LaunchTemplateId: launchTemplateId,
            SourceVersion: '$Latest',
            VersionDescription: `shipyard drill: verified ${imageId}`,
            LaunchTemplateData: { ImageId: imageId },
          }),
        );
        const number = out.LaunchTemplateVersion?.VersionNumber;
        if (number === undefined)
          throw new InvalidBackupInput(`CreateLaunchTemplateVersion (${region}): no version returned`);
        return number;
      } catch (error) {
        throw toBackupError(error, `CreateLaunchTemplateVersion (${region})`, InvalidBackupInput);
      }
    },
  };
}
