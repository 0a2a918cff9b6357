/**
 * The AMI side of the backup workflow's EC2 port: register (from snapshots), create (from an
 * instance), copy across regions, share, deregister. A taken name is an answer, not an
 * error: the run's image may already exist (`InvalidAMIName.Duplicate`).
 */
import {
  CopyImageCommand,
  CreateImageCommand,
  DeregisterImageCommand,
  type LaunchPermission,
  ModifyImageAttributeCommand,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import {
  type BackupErrorClass,
  ImageCopyFailed,
  ImageRegistrationFailed,
  ImageShareFailed,
  InvalidBackupInput,
} from '../backup/errors.ts';
import type { DeregisterResult, Ec2Port, LaunchPermissions } from '../backup-service/ports/ec2.ts';
import { ec2ErrorCode } from './ec2-errors.ts';
import { type Ec2PortContext, NOT_FOUND_IMAGE } from './ec2-port-context.ts';

type Ec2Images = Pick<
  Ec2Port,
  'registerImage' | 'createImage' | 'copyImage' | 'addLaunchPermissions' | 'deregisterImage'
>;

/** The new image's id, or undefined when the name is taken. */
async function newImageId(
  ctx: Ec2PortContext,
  operation: string,
  fallback: BackupErrorClass,
  send: () => Promise<{ ImageId?: string | undefined }>,
): Promise<string | undefined> {
  try {
    const out = await send();
    if (out.ImageId === undefined) throw new fallback(`${operation} returned no ImageId`);
    return out.ImageId;
  } catch (error) {
    if (ec2ErrorCode(error) === 'InvalidAMIName.Duplicate') return undefined;
    throw ctx.failure(error, operation, fallback);
  }
}

function launchPermissionList(permissions: LaunchPermissions): LaunchPermission[] {
  const list: LaunchPermission[] = [
    ...permissions.userIds.map((UserId) => ({ UserId })),
    ...permissions.organizationArns.map((OrganizationArn) => ({ OrganizationArn })),
    ...permissions.organizationalUnitArns.map((OrganizationalUnitArn) => ({ OrganizationalUnitArn })),
  ];
  if (permissions.public) list.push({ Group: 'all' });
  return list;
}

const createImageCommand = (input: Parameters<Ec2Port['createImage']>[0]) =>
  new CreateImageCommand({
    InstanceId: input.instanceId,
    Name: input.name,
    Description: input.description,
    NoReboot: true,
    ...(input.excludedDeviceNames.length > 0
      ? { BlockDeviceMappings: input.excludedDeviceNames.map((DeviceName) => ({ DeviceName, NoDevice: '' })) }
      : {}),
    TagSpecifications: input.tagSpecifications,
  });

const copyImageCommand = (input: Parameters<Ec2Port['copyImage']>[0]) =>
  new CopyImageCommand({
    SourceRegion: input.sourceRegion,
    SourceImageId: input.sourceImageId,
    Name: input.name,
    Description: input.description,
    ClientToken: input.clientToken,
    ...(input.kmsKeyId === undefined ? {} : { Encrypted: true, KmsKeyId: input.kmsKeyId }),
    TagSpecifications: input.tagSpecifications,
  });

const registerImageCommand = (input: Parameters<Ec2Port['registerImage']>[0]) => {
  const { tagSpecifications, instanceStore, ...request } = input;
  return new RegisterImageCommand({
    ...request,
    BlockDeviceMappings: [...request.BlockDeviceMappings, ...(instanceStore ?? [])],
    TagSpecifications: tagSpecifications,
  });
};

async function deregisterImage(
  ctx: Ec2PortContext,
  imageId: string,
  deleteAssociatedSnapshots: boolean,
): Promise<DeregisterResult> {
  try {
    const out = await ctx.client.send(
      new DeregisterImageCommand({ ImageId: imageId, DeleteAssociatedSnapshots: deleteAssociatedSnapshots }),
    );
    const snapshots = (out.DeleteSnapshotResults ?? []).map((r) => ({
      snapshotId: r.SnapshotId ?? '',
      returnCode: r.ReturnCode ?? 'unknown',
    }));
    return { kind: 'deregistered', snapshots };
  } catch (error) {
    if (NOT_FOUND_IMAGE.has(ec2ErrorCode(error) ?? '')) return { kind: 'not-found', snapshots: [] };
    throw ctx.failure(error, 'DeregisterImage', InvalidBackupInput);
  }
}

export function ec2Images(ctx: Ec2PortContext): Ec2Images {
  const { client } = ctx;
  return {
    async registerImage(input) {
      const send = () => client.send(registerImageCommand(input));
      const imageId = await newImageId(ctx, 'RegisterImage', ImageRegistrationFailed, send);
      return imageId === undefined ? { kind: 'duplicate-name' } : { kind: 'registered', imageId };
    },
    async createImage(input) {
      const send = () => client.send(createImageCommand(input));
      const imageId = await newImageId(ctx, 'CreateImage', ImageRegistrationFailed, send);
      return imageId === undefined ? { kind: 'duplicate-name' } : { kind: 'registered', imageId };
    },
    async copyImage(input) {
      const send = () => client.send(copyImageCommand(input));
      const imageId = await newImageId(ctx, 'CopyImage', ImageCopyFailed, send);
      return imageId === undefined ? { kind: 'duplicate-name' } : { kind: 'copied', imageId };
    },
    async addLaunchPermissions(imageId, permissions) {
      const Add = launchPermissionList(permissions);
      if (Add.length === 0) return;
      await ctx.call('ModifyImageAttribute', ImageShareFailed, () =>
        client.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add } })),
      );
    },
    deregisterImage: (imageId, deleteAssociatedSnapshots) =>
      deregisterImage(ctx, imageId, deleteAssociatedSnapshots),
  };
}
