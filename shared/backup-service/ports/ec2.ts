/**
 * The narrow EC2 port the backup workflow uses: only the calls it makes, every listing
 * already paged to the end, every failure already a named backup error. The use cases
 * declare it; `shared/aws/ec2.ts` implements it over the SDK, `../ec2-dry-run.ts` wraps it
 * for rehearsals.
 */
import type { InstanceStoreMapping, RegisterImageRequest, VolumeType } from '../../backup/block-devices.ts';
import type { ProductCode } from '../../backup/image-method.ts';
import type { TagSpecification } from '../../backup/tags.ts';

interface Ec2InstanceDevice {
  deviceName: string;
  volumeId: string;
  deleteOnTermination: boolean;
}

export interface Ec2Instance {
  instanceId: string;
  state: string;
  tags: Record<string, string>;
  rootDeviceName?: string;
  architecture?: string;
  virtualizationType?: string;
  enaSupport: boolean;
  bootMode?: string;
  currentInstanceBootMode?: string;
  /** EBS mappings only (instance-store devices cannot be snapshotted). */
  blockDevices: Ec2InstanceDevice[];
  imageId?: string;
  platformDetails?: string;
  usageOperation?: string;
  productCodes?: ProductCode[];
  tpmSupport?: string;
  /** MetadataOptions.HttpTokens. */
  httpTokens?: string;
  sriovNetSupport?: string;
}

export interface Ec2Volume {
  volumeId: string;
  state: string;
  sizeGiB: number;
  volumeType: VolumeType;
  iops?: number;
  throughput?: number;
  tags: Record<string, string>;
  attachedTo: { instanceId: string; device: string }[];
}

export interface Ec2Snapshot {
  snapshotId: string;
  volumeId?: string;
  state: string;
  progress?: string;
  stateMessage?: string;
  /** ISO instant (`StartTime`). */
  startTime: string;
  volumeSizeGiB: number;
  tags: Record<string, string>;
  encrypted?: boolean;
  /** The ARN of the KMS key of an encrypted snapshot. */
  kmsKeyId?: string;
}

export interface Ec2Image {
  imageId: string;
  name?: string;
  state: string;
  /** ISO instant (`CreationDate`). */
  creationDate: string;
  tags: Record<string, string>;
  snapshotIds: string[];
  stateReason?: { code?: string; message?: string };
  platformDetails?: string;
  usageOperation?: string;
  productCodes?: ProductCode[];
  /** Set only on AMIs made by CreateImage. */
  sourceInstanceId?: string;
  /** Instance-store mappings (`VirtualName`). */
  instanceStore?: { deviceName: string; virtualName: string }[];
}

/** Which resources a listing selects: tag filters are ANDed, values within a tag ORed. */
export interface TagQuery {
  tags?: Record<string, readonly string[]>;
}

interface CreateSnapshotsInput {
  instanceId: string;
  excludeBootVolume: boolean;
  excludeDataVolumeIds?: readonly string[];
  description: string;
  tagSpecifications: TagSpecification[];
}

interface CreateSnapshotInput {
  volumeId: string;
  description: string;
  tagSpecifications: TagSpecification[];
}

export type RegisterImageInput = RegisterImageRequest & {
  tagSpecifications: TagSpecification[];
  /** Appended to the EBS mappings. */
  instanceStore?: readonly InstanceStoreMapping[];
};

interface CreateImageInput {
  instanceId: string;
  name: string;
  description: string;
  /** Devices of the instance left out of the AMI (`NoDevice`). */
  excludedDeviceNames: readonly string[];
  tagSpecifications: TagSpecification[];
}

/** `duplicate-name`: an AMI with this name already exists in the region (the caller decides whose). */
type RegisterImageResult = { kind: 'registered'; imageId: string } | { kind: 'duplicate-name' };

interface CopyImageInput {
  sourceRegion: string;
  sourceImageId: string;
  name: string;
  description?: string;
  clientToken: string;
  kmsKeyId?: string;
  tagSpecifications: TagSpecification[];
}

/** `duplicate-name`: the name is taken in the destination (e.g. the token's idempotency window passed). */
type CopyImageResult = { kind: 'copied'; imageId: string } | { kind: 'duplicate-name' };

export interface LaunchPermissions {
  userIds: readonly string[];
  organizationArns: readonly string[];
  organizationalUnitArns: readonly string[];
  /**
   * Adds `Group: all`. Only ever true when the policy says `public: true`. The share step
   * passes one kind of principal per call, so a refused public share refuses nothing else.
   */
  public: boolean;
}

export interface DeregisterResult {
  kind: 'deregistered' | 'not-found';
  /** DeleteSnapshotResults: `success`, or why a snapshot was left (e.g. used by another AMI). */
  snapshots: { snapshotId: string; returnCode: string }[];
}

export type DeleteSnapshotResult = 'deleted' | 'in-use' | 'not-found';

/** Read side: all a dry run may call. */
export interface Ec2Reader {
  readonly region: string;
  describeInstances(query: TagQuery & { instanceIds?: readonly string[] }): Promise<Ec2Instance[]>;
  describeVolumes(
    query: TagQuery & { volumeIds?: readonly string[]; attachedInstanceIds?: readonly string[] },
  ): Promise<Ec2Volume[]>;
  /** Owner self. Ids not found (yet) are simply absent from the result. */
  describeSnapshots(query: TagQuery & { snapshotIds?: readonly string[] }): Promise<Ec2Snapshot[]>;
  /** Owner self. Ids not found are simply absent from the result. */
  describeImages(
    query: TagQuery & { imageIds?: readonly string[]; names?: readonly string[] },
  ): Promise<Ec2Image[]>;
  /** Any owner (the AMI an instance was launched from); undefined when not visible. */
  describeLaunchImage(imageId: string): Promise<Ec2Image | undefined>;
  /** GetInstanceUefiData: the base64 UEFI variable store, undefined when there is none. */
  getInstanceUefiData(instanceId: string): Promise<string | undefined>;
}

/** Write side. */
interface Ec2Writer {
  createSnapshots(input: CreateSnapshotsInput): Promise<Ec2Snapshot[]>;
  createSnapshot(input: CreateSnapshotInput): Promise<Ec2Snapshot>;
  registerImage(input: RegisterImageInput): Promise<RegisterImageResult>;
  /** CreateImage with `NoReboot: true` (crash-consistent, the instance keeps running). */
  createImage(input: CreateImageInput): Promise<RegisterImageResult>;
  copyImage(input: CopyImageInput): Promise<CopyImageResult>;
  addLaunchPermissions(imageId: string, permissions: LaunchPermissions): Promise<void>;
  deregisterImage(imageId: string, deleteAssociatedSnapshots: boolean): Promise<DeregisterResult>;
  deleteSnapshot(snapshotId: string): Promise<DeleteSnapshotResult>;
}

export type Ec2Port = Ec2Reader & Ec2Writer;

/** One port per region (CopyImage is called in the destination region). */
export type Ec2PortFactory = (region: string) => Ec2Port;
