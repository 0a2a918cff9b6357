/**
 * The records the local EC2 keeps per region: what Describe* answers are rendered from and
 * what the operations change. Types only (and the default billing), so every EC2 module can
 * name a record without importing the state that holds it.
 */
import type { Guest, GuestService } from './guest.ts';

/** User tags in insertion order (AWS returns them unordered; insertion order keeps runs comparable). */
export type Tags = Map<string, string>;

/** A planned asynchronous failure: the resource turns to error/failed at `at` (simulated ms). */
export interface FailurePlan {
  at: number;
  message: string;
}

/** A product code as DescribeImages / DescribeInstances report it (`ProductCode{ProductCodeId, ProductCodeType}`). */
export interface ProductCode {
  id: string;
  type: 'devpay' | 'marketplace';
}

/**
 * The billing information of an AMI or instance ("AMI billing information fields", EC2 User
 * Guide): `PlatformDetails` + `UsageOperation`, e.g. `Red Hat Enterprise Linux` / `RunInstances:0010`.
 */
export interface Billing {
  platformDetails: string;
  usageOperation: string;
}

/** What an AMI registered from snapshots gets when they carry no billing metadata. */
export const DEFAULT_BILLING: Billing = { platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' };

/** The members of one CreateSnapshots call share a fate: one failure fails them all. */
export interface SnapshotGroup {
  failure?: FailurePlan;
}

export interface SnapshotRecord {
  id: string;
  region: string;
  volumeId: string;
  volumeSize: number;
  description: string;
  startTime: number;
  /** Simulated time from pending to completed, fixed when the snapshot starts. */
  durationMs: number;
  encrypted: boolean;
  kmsKeyId?: string;
  tags: Tags;
  failure?: FailurePlan;
  group?: SnapshotGroup;
  copiedFrom?: { region: string; snapshotId: string };
  /** Marketplace product codes follow the snapshot (RegisterImage API reference). */
  productCodes?: ProductCode[];
  /** Billing metadata RegisterImage derives the AMI's billing from, when present. */
  billing?: Billing;
}

export interface BlockDevice {
  deviceName: string;
  snapshotId?: string;
  volumeSize?: number;
  volumeType?: string;
  deleteOnTermination?: boolean;
  iops?: number;
  throughput?: number;
  encrypted?: boolean;
  kmsKeyId?: string;
  virtualName?: string;
  noDevice?: boolean;
}

export interface LaunchPermission {
  userId?: string;
  group?: string;
  organizationArn?: string;
  organizationalUnitArn?: string;
}

interface ImageFailure {
  at: number;
  code: string;
  message: string;
}

export interface ImageRecord {
  id: string;
  region: string;
  name: string;
  description?: string;
  architecture: string;
  virtualizationType: string;
  rootDeviceName: string;
  enaSupport?: boolean;
  bootMode?: string;
  blockDevices: BlockDevice[];
  createdAt: number;
  /** Time after the last backing snapshot completes until the image is available. */
  settleMs: number;
  /** Before this time Describe* answers InvalidAMIID.NotFound (eventual consistency). */
  visibleAt: number;
  tags: Tags;
  launchPermissions: LaunchPermission[];
  failure?: ImageFailure;
  copiedFrom?: { region: string; imageId: string };
  billing: Billing;
  productCodes: ProductCode[];
  tpmSupport?: string;
  imdsSupport?: string;
  sriovNetSupport?: string;
  uefiData?: string;
  /** Set by CreateImage only (DescribeImages `SourceInstanceId`). */
  sourceInstanceId?: string;
  /** How instances booted from it behave (status checks, SSM Agent); guest.ts. */
  guest?: Guest;
}

interface VolumeAttachment {
  instanceId: string;
  device: string;
  deleteOnTermination: boolean;
  attachTime: number;
}

export interface VolumeRecord {
  id: string;
  region: string;
  availabilityZone: string;
  size: number;
  volumeType: string;
  iops?: number;
  throughput?: number;
  encrypted: boolean;
  kmsKeyId?: string;
  snapshotId?: string;
  createTime: number;
  readyAt: number;
  tags: Tags;
  attachment?: VolumeAttachment;
  /** Inherited from the licensed AMI the volume came from; snapshots of it may carry them. */
  productCodes?: ProductCode[];
  billing?: Billing;
}

export type InstanceStateName =
  | 'pending'
  | 'running'
  | 'shutting-down'
  | 'terminated'
  | 'stopping'
  | 'stopped';

export interface InstanceRecord {
  id: string;
  reservationId: string;
  region: string;
  availabilityZone: string;
  architecture: string;
  rootDeviceName: string;
  bootMode?: string;
  enaSupport: boolean;
  state: InstanceStateName;
  instanceType: string;
  imageId: string;
  launchTime: number;
  tags: Tags;
  devices: { deviceName: string; volumeId: string; deleteOnTermination: boolean }[];
  billing: Billing;
  productCodes: ProductCode[];
  tpmSupport?: string;
  /** MetadataOptions.HttpTokens. */
  httpTokens: 'optional' | 'required';
  sriovNetSupport?: string;
  /** The non-volatile UEFI variable store (GetInstanceUefiData), UEFI boot only. */
  uefiData?: string;
  /** Instance-store mappings (not listed by DescribeInstances; kept by CreateImage). */
  instanceStore: { deviceName: string; virtualName: string }[];
  /** Instances from RunInstances: their clock-driven lifecycle and network placement. */
  launch?: LaunchDetails;
}

/** Instances from RunInstances: their clock-driven lifecycle and network placement. */
export interface LaunchDetails {
  runningAt: number;
  /** When the status checks finish initializing (ok, or impaired when `impaired` is set). */
  statusReadyAt: number;
  /** The reason of an injected status-check failure (async fault `status-check-failed`). */
  impaired?: string;
  /** The status checks never finish initializing (image guest `never-ready`, fault `status-check-stuck`). */
  checksStuck?: true;
  /** Whether an SSM Agent registers the instance once running (SSM DescribeInstanceInformation). */
  ssmAgent?: boolean;
  /** What answers an HTTP GET on localhost inside the instance (guest.ts). */
  service?: GuestService;
  shutdownAt?: number;
  terminatedAt?: number;
  /** Set once the delete-on-termination volumes are gone. */
  released?: boolean;
  subnetId?: string;
  vpcId?: string;
  securityGroups: { groupId: string; groupName: string }[];
  privateIpAddress?: string;
  publicIpAddress?: string;
  shutdownBehavior: 'stop' | 'terminate';
  launchTemplate?: { id: string; version: number };
  /** RunInstances' ClientToken: Instance.ClientToken and the `client-token` filter of DescribeInstances. */
  clientToken?: string;
}

export interface LaunchTemplateData {
  imageId?: string;
  instanceType?: string;
  securityGroupIds?: string[];
  instanceInitiatedShutdownBehavior?: string;
  tagSpecifications?: { resourceType: string; tags: Tags }[];
}

export interface LaunchTemplateVersionRecord {
  number: number;
  description?: string;
  createdAt: number;
  data: LaunchTemplateData;
}

export interface LaunchTemplateRecord {
  id: string;
  name: string;
  createdAt: number;
  defaultVersion: number;
  versions: LaunchTemplateVersionRecord[];
  tags: Tags;
}

// ---- network (seeded, never created through the API) ------------------------------

export interface VpcRecord {
  id: string;
  cidrBlock: string;
  isDefault: boolean;
  tags: Tags;
}

export interface SubnetRecord {
  id: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  mapPublicIpOnLaunch: boolean;
  defaultForAz: boolean;
  tags: Tags;
}

interface RouteRecord {
  destinationCidrBlock: string;
  /** `local`, an `igw-` id or another gateway id. */
  gatewayId?: string;
  natGatewayId?: string;
}

export interface RouteTableRecord {
  id: string;
  vpcId: string;
  main: boolean;
  /** Explicitly associated subnets (the main table also serves every subnet that has none). */
  subnetIds: string[];
  routes: RouteRecord[];
  tags: Tags;
}

export interface InternetGatewayRecord {
  id: string;
  vpcIds: string[];
  tags: Tags;
}

export interface SecurityGroupRule {
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIps: string[];
  groupIds: string[];
}

export interface SecurityGroupRecord {
  id: string;
  name: string;
  description: string;
  vpcId: string;
  ingress: SecurityGroupRule[];
  egress: SecurityGroupRule[];
  tags: Tags;
}
