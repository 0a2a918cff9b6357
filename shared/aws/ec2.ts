/**
 * The EC2 adapter of the backup workflow — the only module that imports the EC2 SDK.
 * Listings use Filters (never id lists) so that a missing or not-yet-visible resource is
 * absent rather than an error for the whole call, and so MaxResults paging always applies.
 */
import {
  CopyImageCommand,
  CreateImageCommand,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type EC2ClientConfig,
  type Filter,
  GetInstanceUefiDataCommand,
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
  SnapshotFailed,
} from '../backup/errors.ts';
import type {
  DeleteSnapshotResult,
  DeregisterResult,
  Ec2Port,
  Ec2PortFactory,
  LaunchPermissions,
  TagQuery,
} from '../backup-service/ports/ec2.ts';
import { ec2ErrorCode, toBackupError } from './ec2-errors.ts';
import { toImage, toInstance, toSnapshot, toVolume } from './ec2-mapping.ts';

/** Page size for every listing (the APIs accept 5–1000; smaller pages in tests prove paging). */
const DEFAULT_PAGE_SIZE = 500;

export interface Ec2AdapterOptions {
  /** Builds the SDK client of a region; by default `new EC2Client({ region, ...clientConfig })`. */
  clientFor?: (region: string) => EC2Client;
  /** Extra SDK config (endpoint, credentials, retry settings). */
  clientConfig?: Omit<EC2ClientConfig, 'region'>;
  pageSize?: number;
}

const NOT_FOUND_IMAGE = new Set(['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable']);

function filtersOf(query: TagQuery, extra: Record<string, readonly string[] | undefined>): Filter[] {
  const filters: Filter[] = [];
  for (const [name, values] of Object.entries(extra)) {
    if (values !== undefined) filters.push({ Name: name, Values: [...values] });
  }
  for (const [key, values] of Object.entries(query.tags ?? {}))
    filters.push({ Name: `tag:${key}`, Values: [...values] });
  return filters;
}

/** An id list filter that selects nothing must short-circuit: EC2 rejects empty filter values. */
const isEmptySelection = (extra: Record<string, readonly string[] | undefined>): boolean =>
  Object.values(extra).some((v) => v !== undefined && v.length === 0);

async function allPages<T>(
  fetch: (token: string | undefined) => Promise<{ items: T[]; next?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    out.push(...page.items);
    token = page.next;
  } while (token !== undefined && token !== '');
  return out;
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

/**
 * The EC2 port of one region over an SDK client.
 *
 * @example
 * const port = createEc2Port(new EC2Client({ region: 'eu-west-1' }), 'eu-west-1');
 * await port.describeSnapshots({ tags: { 'shipyard:run': ['nightly-2026-11-20'] } });
 */
export function createEc2Port(client: EC2Client, region: string, pageSize = DEFAULT_PAGE_SIZE): Ec2Port {
  const call = async <T>(
    operation: string,
    fallback: BackupErrorClass,
    run: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toBackupError(error, `${operation} (${region})`, fallback);
    }
  };

  return {
    region,

    async describeInstances(query) {
      const extra = { 'instance-id': query.instanceIds };
      if (isEmptySelection(extra)) return [];
      const Filters = filtersOf(query, extra);
      return call('DescribeInstances', InvalidBackupInput, () =>
        allPages(async (NextToken) => {
          const out = await client.send(
            new DescribeInstancesCommand({ Filters, MaxResults: pageSize, NextToken }),
          );
          const items = (out.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map(toInstance));
          return { items, next: out.NextToken };
        }),
      );
    },

    async describeVolumes(query) {
      const extra = { 'volume-id': query.volumeIds, 'attachment.instance-id': query.attachedInstanceIds };
      if (isEmptySelection(extra)) return [];
      const Filters = filtersOf(query, extra);
      return call('DescribeVolumes', InvalidBackupInput, () =>
        allPages(async (NextToken) => {
          const out = await client.send(
            new DescribeVolumesCommand({ Filters, MaxResults: pageSize, NextToken }),
          );
          return { items: (out.Volumes ?? []).map(toVolume), next: out.NextToken };
        }),
      );
    },

    async describeSnapshots(query) {
      const extra = { 'snapshot-id': query.snapshotIds };
      if (isEmptySelection(extra)) return [];
      const Filters = filtersOf(query, extra);
      return call('DescribeSnapshots', InvalidBackupInput, () =>
        allPages(async (NextToken) => {
          const out = await client.send(
            new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters, MaxResults: pageSize, NextToken }),
          );
          return { items: (out.Snapshots ?? []).map(toSnapshot), next: out.NextToken };
        }),
      );
    },

    async describeImages(query) {
      const extra = { 'image-id': query.imageIds, name: query.names };
      if (isEmptySelection(extra)) return [];
      const Filters = filtersOf(query, extra);
      return call('DescribeImages', InvalidBackupInput, () =>
        allPages(async (NextToken) => {
          const out = await client.send(
            new DescribeImagesCommand({ Owners: ['self'], Filters, MaxResults: pageSize, NextToken }),
          );
          return { items: (out.Images ?? []).map(toImage), next: out.NextToken };
        }),
      );
    },

    async describeLaunchImage(imageId) {
      try {
        // No Owners: the launch AMI is often Amazon's or a Marketplace seller's.
        const out = await client.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
        const image = out.Images?.[0];
        return image === undefined ? undefined : toImage(image);
      } catch (error) {
        if (NOT_FOUND_IMAGE.has(ec2ErrorCode(error) ?? '')) return undefined;
        throw toBackupError(error, `DescribeImages (${region})`, InvalidBackupInput);
      }
    },

    getInstanceUefiData(instanceId) {
      return call('GetInstanceUefiData', InvalidBackupInput, async () => {
        const out = await client.send(new GetInstanceUefiDataCommand({ InstanceId: instanceId }));
        return out.UefiData === undefined || out.UefiData === '' ? undefined : out.UefiData;
      });
    },

    createSnapshots(input) {
      return call('CreateSnapshots', SnapshotFailed, async () => {
        const out = await client.send(
          new CreateSnapshotsCommand({
            InstanceSpecification: {
              InstanceId: input.instanceId,
              ExcludeBootVolume: input.excludeBootVolume,
              ...(input.excludeDataVolumeIds?.length
                ? { ExcludeDataVolumeIds: [...input.excludeDataVolumeIds] }
                : {}),
            },
            Description: input.description,
            TagSpecifications: input.tagSpecifications,
          }),
        );
        return (out.Snapshots ?? []).map(toSnapshot);
      });
    },

    createSnapshot(input) {
      return call('CreateSnapshot', SnapshotFailed, async () => {
        const out = await client.send(
          new CreateSnapshotCommand({
            VolumeId: input.volumeId,
            Description: input.description,
            TagSpecifications: input.tagSpecifications,
          }),
        );
        return toSnapshot(out);
      });
    },

    async registerImage(input) {
      const { tagSpecifications, instanceStore, ...request } = input;
      try {
        const out = await client.send(
          new RegisterImageCommand({
            ...request,
            BlockDeviceMappings: [...request.BlockDeviceMappings, ...(instanceStore ?? [])],
            TagSpecifications: tagSpecifications,
          }),
        );
        if (out.ImageId === undefined) throw new ImageRegistrationFailed('RegisterImage returned no ImageId');
        return { kind: 'registered', imageId: out.ImageId };
      } catch (error) {
        if (ec2ErrorCode(error) === 'InvalidAMIName.Duplicate') return { kind: 'duplicate-name' };
        throw toBackupError(error, `RegisterImage (${region})`, ImageRegistrationFailed);
      }
    },

    async createImage(input) {
      try {
        const out = await client.send(
          new CreateImageCommand({
            InstanceId: input.instanceId,
            Name: input.name,
            Description: input.description,
            NoReboot: true,
            ...(input.excludedDeviceNames.length > 0
              ? {
                  BlockDeviceMappings: input.excludedDeviceNames.map((DeviceName) => ({
                    DeviceName,
                    NoDevice: '',
                  })),
                }
              : {}),
            TagSpecifications: input.tagSpecifications,
          }),
        );
        if (out.ImageId === undefined) throw new ImageRegistrationFailed('CreateImage returned no ImageId');
        return { kind: 'registered', imageId: out.ImageId };
      } catch (error) {
        if (ec2ErrorCode(error) === 'InvalidAMIName.Duplicate') return { kind: 'duplicate-name' };
        throw toBackupError(error, `CreateImage (${region})`, ImageRegistrationFailed);
      }
    },

    async copyImage(input) {
      try {
        const out = await client.send(
          new CopyImageCommand({
            SourceRegion: input.sourceRegion,
            SourceImageId: input.sourceImageId,
            Name: input.name,
            Description: input.description,
            ClientToken: input.clientToken,
            ...(input.kmsKeyId === undefined ? {} : { Encrypted: true, KmsKeyId: input.kmsKeyId }),
            TagSpecifications: input.tagSpecifications,
          }),
        );
        if (out.ImageId === undefined) throw new ImageCopyFailed('CopyImage returned no ImageId');
        return { kind: 'copied', imageId: out.ImageId };
      } catch (error) {
        if (ec2ErrorCode(error) === 'InvalidAMIName.Duplicate') return { kind: 'duplicate-name' };
        throw toBackupError(error, `CopyImage (${region})`, ImageCopyFailed);
      }
    },

    async addLaunchPermissions(imageId, permissions) {
      const Add = launchPermissionList(permissions);
      if (Add.length === 0) return;
      await call('ModifyImageAttribute', ImageShareFailed, () =>
        client.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add } })),
      );
    },

    async deregisterImage(imageId, deleteAssociatedSnapshots): Promise<DeregisterResult> {
      try {
        const out = await client.send(
          new DeregisterImageCommand({
            ImageId: imageId,
            DeleteAssociatedSnapshots: deleteAssociatedSnapshots,
          }),
        );
        const snapshots = (out.DeleteSnapshotResults ?? []).map((r) => ({
          snapshotId: r.SnapshotId ?? '',
          returnCode: r.ReturnCode ?? 'unknown',
        }));
        return { kind: 'deregistered', snapshots };
      } catch (error) {
        if (NOT_FOUND_IMAGE.has(ec2ErrorCode(error) ?? '')) return { kind: 'not-found', snapshots: [] };
        throw toBackupError(error, `DeregisterImage (${region})`, InvalidBackupInput);
      }
    },

    async deleteSnapshot(snapshotId): Promise<DeleteSnapshotResult> {
      try {
        await client.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
        return 'deleted';
      } catch (error) {
        const code = ec2ErrorCode(error);
        if (code === 'InvalidSnapshot.InUse') return 'in-use';
        if (code === 'InvalidSnapshot.NotFound') return 'not-found';
        throw toBackupError(error, `DeleteSnapshot (${region})`, InvalidBackupInput);
      }
    },
  };
}

/**
 * One port per region, clients built on first use and kept (a Lambda container reuses
 * them across invocations).
 *
 * @example
 * const ec2 = createEc2PortFactory({ clientConfig: { endpoint: 'http://127.0.0.1:4566' } });
 * await ec2('eu-west-1').describeImages({ names: ['shipyard/nightly/i-1/nightly-2026-11-20'] });
 */
export function createEc2PortFactory(options: Ec2AdapterOptions = {}): Ec2PortFactory {
  const ports = new Map<string, Ec2Port>();
  const clientFor =
    options.clientFor ?? ((region: string) => new EC2Client({ ...options.clientConfig, region }));
  return (region) => {
    let port = ports.get(region);
    if (port === undefined) {
      port = createEc2Port(clientFor(region), region, options.pageSize ?? DEFAULT_PAGE_SIZE);
      ports.set(region, port);
    }
    return port;
  };
}
