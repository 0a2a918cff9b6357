import type { LocalCloud } from '../../cloud.ts';
import type { AsyncFault } from './async-faults.ts';
import type { Guest } from './guest.ts';
import { IdIndex } from './id-index.ts';
import type { LaunchDetails } from './instance-lifecycle.ts';
import type { LaunchTemplateRecord } from './launch-templates.ts';
import { DEFAULT_LIMITS, type Ec2Limits } from './limits.ts';
import { NetworkState } from './network.ts';
import type { RequestThrottle } from './request-throttle.ts';

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

interface VolumeSnapshotStats {
  /** Snapshots ever started from the volume: later ones are incremental. */
  started: number;
  /** Possibly still pending; pruned lazily, so it stays no longer than the per-volume limit. */
  inFlight: SnapshotRecord[];
}

interface TokenEntry {
  fingerprint: string;
  id: string;
}

/** One region of the account: resources are never visible from another region. */
export class RegionState {
  readonly snapshots = new IdIndex<SnapshotRecord>();
  readonly images = new IdIndex<ImageRecord>();
  readonly volumes = new IdIndex<VolumeRecord>();
  readonly instances = new IdIndex<InstanceRecord>();
  /** Instances between TerminateInstances and the end of their visibility. */
  readonly terminating = new Set<string>();
  readonly network = new NetworkState();
  readonly launchTemplates = new IdIndex<LaunchTemplateRecord>();
  /** Registered image names (unique per account and region) → image id. */
  readonly imageNames = new Map<string, string>();
  /** Snapshot id → images that reference it (DeleteSnapshot InUse, DeregisterImage skipped). */
  readonly snapshotUsers = new Map<string, Set<string>>();
  readonly volumeSnapshots = new Map<string, VolumeSnapshotStats>();
  /** ClientToken → request fingerprint and resulting id, per operation. */
  readonly clientTokens = new Map<string, TokenEntry>();
  /** Copies into this region that may still be in flight; pruned lazily. */
  imageCopies: ImageRecord[] = [];
  snapshotCopies: SnapshotRecord[] = [];

  constructor(readonly name: string) {}

  volumeStats(volumeId: string): VolumeSnapshotStats {
    let stats = this.volumeSnapshots.get(volumeId);
    if (!stats) {
      stats = { started: 0, inFlight: [] };
      this.volumeSnapshots.set(volumeId, stats);
    }
    return stats;
  }

  addSnapshotUser(snapshotId: string, imageId: string): void {
    let users = this.snapshotUsers.get(snapshotId);
    if (!users) {
      users = new Set();
      this.snapshotUsers.set(snapshotId, users);
    }
    users.add(imageId);
  }

  removeSnapshotUser(snapshotId: string, imageId: string): void {
    const users = this.snapshotUsers.get(snapshotId);
    users?.delete(imageId);
    if (users?.size === 0) this.snapshotUsers.delete(snapshotId);
  }
}

export interface ActiveAsyncFault {
  fault: AsyncFault;
  remaining: number;
}

/** The whole EC2 state of one local cloud; dropped by cloud.reset(). */
export class Ec2Store {
  readonly regions = new Map<string, RegionState>();
  limits: Ec2Limits = { ...DEFAULT_LIMITS };
  /** Region → KMS key identifiers (id, ARN, aliases) that exist there. */
  readonly kmsKeys = new Map<string, Set<string>>();
  asyncFaults: ActiveAsyncFault[] = [];
  /** How long a new AMI stays invisible to Describe* (EC2 is eventually consistent). */
  imageVisibilityDelayMs = 0;
  /** Request-rate throttling (seed `throttling`); off when undefined. */
  throttle: RequestThrottle | undefined;
  /**
   * Whether snapshots of a licensed instance's volumes carry the billing metadata that
   * RegisterImage derives an AMI's billing from. The RegisterImage API reference says the
   * metadata "may" be missing without saying when [unconfirmed]: off by default (the case
   * Shipyard must survive), seed `snapshotsCarryBillingMetadata` to turn it on.
   */
  snapshotsCarryBillingMetadata = false;

  region(name: string): RegionState {
    let state = this.regions.get(name);
    if (!state) {
      state = new RegionState(name);
      this.regions.set(name, state);
    }
    return state;
  }
}

export const ec2Store = (cloud: LocalCloud): Ec2Store => cloud.store('ec2', () => new Ec2Store());
