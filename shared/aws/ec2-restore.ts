/**
 * The EC2 calls of `shipyard restore` (a port of its own, next to the backup workflow's
 * `ec2.ts`): resolve an AMI's block devices or a snapshot, list a region's zones, copy a
 * snapshot across regions, create and watch a volume. "Not found" is a value, not an
 * error; every other SDK failure becomes AwsCallError with the SDK error as `cause`.
 */
import {
  CopySnapshotCommand,
  CreateVolumeCommand,
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type EC2ClientConfig,
  type Filter,
  type Image,
  type Snapshot,
  type Volume,
  type VolumeType,
} from '@aws-sdk/client-ec2';
import { tagRecord } from './ec2-mapping.ts';
import { sdkErrorCode, toAwsCallError } from './errors.ts';

interface RestoreImageDevice {
  deviceName: string;
  snapshotId: string;
  sizeGiB?: number;
  volumeType?: string;
}

interface RestoreImage {
  imageId: string;
  name?: string;
  state: string;
  rootDeviceName?: string;
  /** EBS mappings that have a snapshot (instance-store and empty mappings are left out). */
  devices: RestoreImageDevice[];
}

export interface RestoreSnapshot {
  snapshotId: string;
  state: string;
  progress?: string;
  stateMessage?: string;
  sizeGiB: number;
  encrypted: boolean;
  tags: Record<string, string>;
}

export interface RestoreVolume {
  volumeId: string;
  state: string;
  availabilityZone: string;
  sizeGiB: number;
  volumeType: string;
  snapshotId?: string;
  tags: Record<string, string>;
}

type Tags = Record<string, string>;

export interface Ec2RestorePort {
  readonly region: string;
  describeImage(imageId: string): Promise<RestoreImage | undefined>;
  describeSnapshot(snapshotId: string): Promise<RestoreSnapshot | undefined>;
  /** Snapshots owned by this account carrying all these tags (paged). */
  findSnapshots(tags: Tags): Promise<RestoreSnapshot[]>;
  availabilityZones(): Promise<string[]>;
  /** Called in the destination region. */
  copySnapshot(input: {
    sourceRegion: string;
    sourceSnapshotId: string;
    description: string;
    tags: Tags;
  }): Promise<string>;
  createVolume(input: {
    availabilityZone: string;
    snapshotId: string;
    volumeType: string;
    sizeGiB?: number;
    tags: Tags;
  }): Promise<RestoreVolume>;
  describeVolume(volumeId: string): Promise<RestoreVolume | undefined>;
}

const NOT_FOUND = new Set([
  'InvalidAMIID.NotFound',
  'InvalidAMIID.Unavailable',
  'InvalidSnapshot.NotFound',
  'InvalidVolume.NotFound',
]);

const tagList = (tags: Tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

const toSnapshot = (s: Snapshot): RestoreSnapshot => ({
  snapshotId: s.SnapshotId ?? '',
  state: s.State ?? 'unknown',
  ...(s.Progress === undefined ? {} : { progress: s.Progress }),
  ...(s.StateMessage ? { stateMessage: s.StateMessage } : {}),
  sizeGiB: s.VolumeSize ?? 0,
  encrypted: s.Encrypted === true,
  tags: tagRecord(s.Tags),
});

const toVolume = (v: Volume): RestoreVolume => ({
  volumeId: v.VolumeId ?? '',
  state: v.State ?? 'unknown',
  availabilityZone: v.AvailabilityZone ?? '',
  sizeGiB: v.Size ?? 0,
  volumeType: v.VolumeType ?? 'unknown',
  ...(v.SnapshotId ? { snapshotId: v.SnapshotId } : {}),
  tags: tagRecord(v.Tags),
});

/** The AMI as a restore needs it: its EBS mappings that have a snapshot. */
const restoreImageOf = (image: Image, imageId: string): RestoreImage => ({
  imageId: image.ImageId ?? imageId,
  ...(image.Name ? { name: image.Name } : {}),
  state: image.State ?? 'unknown',
  ...(image.RootDeviceName ? { rootDeviceName: image.RootDeviceName } : {}),
  devices: (image.BlockDeviceMappings ?? []).flatMap((m) =>
    m.DeviceName && m.Ebs?.SnapshotId
      ? [
          {
            deviceName: m.DeviceName,
            snapshotId: m.Ebs.SnapshotId,
            ...(m.Ebs.VolumeSize === undefined ? {} : { sizeGiB: m.Ebs.VolumeSize }),
            ...(m.Ebs.VolumeType === undefined ? {} : { volumeType: m.Ebs.VolumeType }),
          },
        ]
      : [],
  ),
});

type CopySnapshotInput = Parameters<Ec2RestorePort['copySnapshot']>[0];
type CreateVolumeInput = Parameters<Ec2RestorePort['createVolume']>[0];

const copySnapshotCommand = (input: CopySnapshotInput) =>
  new CopySnapshotCommand({
    SourceRegion: input.sourceRegion,
    SourceSnapshotId: input.sourceSnapshotId,
    Description: input.description,
    TagSpecifications: [{ ResourceType: 'snapshot', Tags: tagList(input.tags) }],
  });

const createVolumeCommand = (input: CreateVolumeInput) =>
  new CreateVolumeCommand({
    AvailabilityZone: input.availabilityZone,
    SnapshotId: input.snapshotId,
    VolumeType: input.volumeType as VolumeType,
    ...(input.sizeGiB === undefined ? {} : { Size: input.sizeGiB }),
    TagSpecifications: [{ ResourceType: 'volume', Tags: tagList(input.tags) }],
  });

async function snapshotsTagged(client: EC2Client, tags: Tags): Promise<RestoreSnapshot[]> {
  const Filters: Filter[] = Object.entries(tags).map(([key, value]) => ({
    Name: `tag:${key}`,
    Values: [value],
  }));
  const out: RestoreSnapshot[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(
      new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters, MaxResults: 500, NextToken }),
    );
    out.push(...(page.Snapshots ?? []).map(toSnapshot));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** Every call's failure becomes AwsCallError; a lookup by id answers "not found" with `undefined`. */
function restoreCalls(region: string) {
  const fail = (operation: string, error: unknown) =>
    toAwsCallError('EC2', `${operation} (${region})`, error);
  return {
    async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
      try {
        return await run();
      } catch (error) {
        throw fail(operation, error);
      }
    },
    async lookup<T>(operation: string, run: () => Promise<T | undefined>): Promise<T | undefined> {
      try {
        return await run();
      } catch (error) {
        if (NOT_FOUND.has(sdkErrorCode(error) ?? '')) return undefined;
        throw fail(operation, error);
      }
    },
  };
}

/**
 * @example
 * const ec2 = createEc2RestorePort({ region: 'us-west-1' });
 * const copyId = await ec2.copySnapshot({ sourceRegion: 'ap-south-1', sourceSnapshotId: 'snap-0abc…', description: '…', tags: {} });
 */
export function createEc2RestorePort(
  config: EC2ClientConfig & { region: string },
  client: EC2Client = new EC2Client(config),
): Ec2RestorePort {
  const { region } = config;
  const { call, lookup } = restoreCalls(region);
  return {
    region,
    describeImage: (imageId) =>
      lookup('DescribeImages', async () => {
        const image = (await client.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0];
        return image === undefined ? undefined : restoreImageOf(image, imageId);
      }),
    describeSnapshot: (snapshotId) =>
      lookup('DescribeSnapshots', async () => {
        const out = await client.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));
        const snapshot = out.Snapshots?.[0];
        return snapshot === undefined ? undefined : toSnapshot(snapshot);
      }),
    findSnapshots: (tags) => call('DescribeSnapshots', () => snapshotsTagged(client, tags)),
    availabilityZones: () =>
      call('DescribeAvailabilityZones', async () => {
        const out = await client.send(new DescribeAvailabilityZonesCommand({}));
        return (out.AvailabilityZones ?? []).flatMap((z) => (z.ZoneName ? [z.ZoneName] : []));
      }),
    copySnapshot: (input) =>
      call('CopySnapshot', async () => {
        const out = await client.send(copySnapshotCommand(input));
        if (!out.SnapshotId) throw new Error('CopySnapshot returned no SnapshotId');
        return out.SnapshotId;
      }),
    createVolume: (input) =>
      call('CreateVolume', async () => toVolume(await client.send(createVolumeCommand(input)))),
    describeVolume: (volumeId) =>
      lookup('DescribeVolumes', async () => {
        const volume = (await client.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] })))
          .Volumes?.[0];
        return volume === undefined ? undefined : toVolume(volume);
      }),
  };
}
