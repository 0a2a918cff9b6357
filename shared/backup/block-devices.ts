/**
 * From a described source instance and the snapshots just taken of its volumes, the
 * `RegisterImage` request that restores the same machine. Everything the API would
 * otherwise default wrongly is set explicitly (`VirtualizationType` defaults to
 * `paravirtual`, `Architecture` to `i386`).
 *
 * Decisions:
 * - A **standalone volume** target gets snapshots only, never an AMI (a data volume is not
 *   bootable). So does an instance whose **boot volume is excluded**: there is no root to
 *   register. {@link backupFormOf} says which.
 * - Excluded data volumes are simply absent from the AMI's mappings.
 * - Every non-excluded EBS volume of the instance must have a snapshot: an AMI silently
 *   missing a disk is worse than a failed backup.
 * - Paravirtual sources are rejected (they need a kernel id; hvm is all we register).
 * - No `Encrypted` on mappings: encryption follows the snapshot.
 */
import * as z from 'zod';
import { InvalidBackupInput } from './errors.ts';
import { productCodeSchema } from './image-method.ts';

export const architectureSchema = z.enum(['i386', 'x86_64', 'arm64', 'x86_64_mac', 'arm64_mac']);
export const bootModeSchema = z.enum(['legacy-bios', 'uefi', 'uefi-preferred']);
export const volumeTypeSchema = z.enum(['standard', 'io1', 'io2', 'gp2', 'gp3', 'sc1', 'st1']);

/** One EBS mapping of the source instance, merged with its volume's description. */
const sourceBlockDeviceSchema = z
  .object({
    deviceName: z.string().min(1),
    volumeId: z.string().min(1),
    deleteOnTermination: z.boolean(),
    sizeGiB: z.number().int().positive(),
    volumeType: volumeTypeSchema,
    iops: z.number().int().positive().optional(),
    throughput: z.number().int().positive().optional(),
  })
  .strict();

/** What `DescribeInstances` + `DescribeVolumes` say about the source instance. */
export const sourceInstanceSchema = z
  .object({
    instanceId: z.string().min(1),
    rootDeviceName: z.string().min(1),
    architecture: architectureSchema,
    virtualizationType: z.enum(['hvm', 'paravirtual']).optional(),
    enaSupport: z.boolean(),
    /** Boot mode of the AMI the instance was launched from (may be absent). */
    bootMode: bootModeSchema.optional(),
    /** `CurrentInstanceBootMode`: how it actually booted. */
    currentInstanceBootMode: z.enum(['legacy-bios', 'uefi']).optional(),
    blockDevices: z.array(sourceBlockDeviceSchema),
    /** Billing information (EC2 User Guide, "AMI billing information fields"). */
    platformDetails: z.string().min(1).optional(),
    usageOperation: z.string().min(1).optional(),
    productCodes: z.array(productCodeSchema).optional(),
    /** The AMI it was launched from (its instance-store mappings are the instance's). */
    imageId: z.string().min(1).optional(),
    /** NitroTPM (`v2.0`), IMDS token requirement, Intel 82599 VF networking (`simple`). */
    tpmSupport: z.literal('v2.0').optional(),
    httpTokens: z.enum(['optional', 'required']).optional(),
    sriovNetSupport: z.string().min(1).optional(),
  })
  .strict();

/** A completed snapshot of one volume. */
const volumeSnapshotSchema = z
  .object({
    snapshotId: z.string().min(1),
    volumeSizeGiB: z.number().int().positive(),
  })
  .strict();

/** Which volumes of an instance the policy leaves out. */
export const volumeExclusionsSchema = z
  .object({
    excludeBootVolume: z.boolean().optional(),
    excludeDataVolumeIds: z.array(z.string()).optional(),
  })
  .strict();

type Architecture = z.infer<typeof architectureSchema>;
type BootMode = z.infer<typeof bootModeSchema>;
export type VolumeType = z.infer<typeof volumeTypeSchema>;
type SourceBlockDevice = z.infer<typeof sourceBlockDeviceSchema>;
export type SourceInstance = z.infer<typeof sourceInstanceSchema>;
export type VolumeSnapshot = z.infer<typeof volumeSnapshotSchema>;
export type VolumeExclusions = z.infer<typeof volumeExclusionsSchema>;

/** An EBS mapping of the RegisterImage request (same field names as the EC2 API). */
interface ImageEbsMapping {
  DeviceName: string;
  Ebs: {
    SnapshotId: string;
    VolumeSize: number;
    VolumeType: VolumeType;
    Iops?: number;
    Throughput?: number;
    DeleteOnTermination: boolean;
  };
}

/** An instance-store mapping (`VirtualName` `ephemeral<N>`). */
export interface InstanceStoreMapping {
  DeviceName: string;
  VirtualName: string;
}

/** The RegisterImage request, minus TagSpecifications (see `tags.ts`). */
export interface RegisterImageRequest {
  Name: string;
  Description?: string;
  RootDeviceName: string;
  BlockDeviceMappings: ImageEbsMapping[];
  VirtualizationType: 'hvm';
  Architecture: Architecture;
  EnaSupport: boolean;
  BootMode?: BootMode;
  /** botocore RegisterImageRequest: `TpmSupport` (`v2.0`), `UefiData` (base64), `ImdsSupport` (`v2.0`), `SriovNetSupport` (`simple`). */
  TpmSupport?: 'v2.0';
  UefiData?: string;
  ImdsSupport?: 'v2.0';
  SriovNetSupport?: string;
}

/** What a target's backup consists of. */
export type BackupForm = 'image' | 'snapshots-only';

/**
 * An instance with its boot volume gets an AMI; a standalone volume, or an instance whose
 * boot volume is excluded, gets snapshots only.
 *
 * @example
 * backupFormOf({ kind: 'volume' });                                 // 'snapshots-only'
 * backupFormOf({ kind: 'instance', excludeBootVolume: true });     // 'snapshots-only'
 * backupFormOf({ kind: 'instance' });                               // 'image'
 */
export function backupFormOf(target: {
  kind: 'instance' | 'volume';
  excludeBootVolume?: boolean;
}): BackupForm {
  return target.kind === 'instance' && target.excludeBootVolume !== true ? 'image' : 'snapshots-only';
}

const deviceKey = (name: string): string => name.replace(/^\/dev\//, '');

function ebsFor(device: SourceBlockDevice, snapshot: VolumeSnapshot): ImageEbsMapping['Ebs'] {
  const ebs: ImageEbsMapping['Ebs'] = {
    SnapshotId: snapshot.snapshotId,
    VolumeSize: Math.max(device.sizeGiB, snapshot.volumeSizeGiB),
    VolumeType: device.volumeType,
    DeleteOnTermination: device.deleteOnTermination,
  };
  if (device.volumeType === 'io1' || device.volumeType === 'io2') {
    if (device.iops === undefined) {
      throw new InvalidBackupInput(`volume ${device.volumeId} (${device.volumeType}) has no iops`);
    }
    ebs.Iops = device.iops;
  } else if (device.volumeType === 'gp3') {
    if (device.iops !== undefined) ebs.Iops = device.iops;
    if (device.throughput !== undefined) ebs.Throughput = device.throughput;
  }
  return ebs;
}

/** Inputs of {@link buildRegisterImageRequest}. */
export interface RegisterImageSource {
  name: string;
  description?: string;
  instance: SourceInstance;
  /** Completed snapshots by volume id. */
  snapshotsByVolumeId: Readonly<Record<string, VolumeSnapshot>>;
  exclusions?: VolumeExclusions;
}

/**
 * The RegisterImage request for an instance backup: root device and boot settings copied
 * from the instance, one EBS mapping per non-excluded volume (root first, then in the
 * instance's order), each with its snapshot, a size at least the snapshot's, the volume's
 * type, IOPS (io1/io2 always, gp3 when set), throughput (gp3) and delete-on-termination.
 * Boot mode: the source AMI's mode if known, else how the instance booted, else omitted.
 *
 * @throws InvalidBackupInput when the boot volume is excluded, the root device is not among
 *   the mappings, a volume has no snapshot, io1/io2 lacks IOPS, or the source is paravirtual.
 * @example
 * buildRegisterImageRequest({
 *   name: 'shipyard/nightly/i-1/nightly-2026-11-20',
 *   instance: { instanceId: 'i-1', rootDeviceName: '/dev/xvda', architecture: 'arm64', enaSupport: true,
 *     blockDevices: [{ deviceName: '/dev/xvda', volumeId: 'vol-1', deleteOnTermination: true, sizeGiB: 8, volumeType: 'gp3' }] },
 *   snapshotsByVolumeId: { 'vol-1': { snapshotId: 'snap-1', volumeSizeGiB: 8 } },
 * });
 * // { Name: …, RootDeviceName: '/dev/xvda', VirtualizationType: 'hvm', Architecture: 'arm64', EnaSupport: true,
 * //   BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-1', VolumeSize: 8, VolumeType: 'gp3', DeleteOnTermination: true } }] }
 */
export function buildRegisterImageRequest(source: RegisterImageSource): RegisterImageRequest {
  const { instance, snapshotsByVolumeId, exclusions } = source;
  const where = `instance ${instance.instanceId}`;
  if (exclusions?.excludeBootVolume === true) {
    throw new InvalidBackupInput(`${where}: boot volume excluded, no AMI can be registered (snapshots only)`);
  }
  if (instance.virtualizationType === 'paravirtual') {
    throw new InvalidBackupInput(`${where}: paravirtual instances are not supported (hvm only)`);
  }
  const root = instance.blockDevices.find(
    (d) => deviceKey(d.deviceName) === deviceKey(instance.rootDeviceName),
  );
  if (root === undefined) {
    throw new InvalidBackupInput(
      `${where}: root device ${instance.rootDeviceName} is not among its EBS mappings`,
    );
  }
  const excluded = new Set(exclusions?.excludeDataVolumeIds ?? []);
  const devices = [root, ...instance.blockDevices.filter((d) => d !== root && !excluded.has(d.volumeId))];
  const seen = new Set<string>();
  const mappings: ImageEbsMapping[] = devices.map((device) => {
    const key = deviceKey(device.deviceName);
    if (seen.has(key)) throw new InvalidBackupInput(`${where}: device ${device.deviceName} mapped twice`);
    seen.add(key);
    const snapshot = snapshotsByVolumeId[device.volumeId];
    if (snapshot === undefined) {
      const role = device === root ? 'root volume' : 'volume';
      throw new InvalidBackupInput(
        `${where}: no snapshot of ${role} ${device.volumeId} (${device.deviceName})`,
      );
    }
    return { DeviceName: device.deviceName, Ebs: ebsFor(device, snapshot) };
  });
  const request: RegisterImageRequest = {
    Name: source.name,
    RootDeviceName: instance.rootDeviceName,
    BlockDeviceMappings: mappings,
    VirtualizationType: 'hvm',
    Architecture: instance.architecture,
    EnaSupport: instance.enaSupport,
  };
  if (source.description !== undefined) request.Description = source.description;
  const bootMode = instance.bootMode ?? instance.currentInstanceBootMode;
  if (bootMode !== undefined) request.BootMode = bootMode;
  return request;
}

/** `CreateSnapshots` request for an instance target (one crash-consistent set). */
export interface CreateSnapshotsRequest {
  InstanceSpecification: { InstanceId: string; ExcludeBootVolume: boolean; ExcludeDataVolumeIds?: string[] };
  Description: string;
}

/**
 * The `CreateSnapshots` request (TagSpecifications come from `tags.ts`).
 *
 * @example
 * buildCreateSnapshotsRequest('i-1', 'Shipyard backup …', { excludeDataVolumeIds: ['vol-2'] });
 * // { InstanceSpecification: { InstanceId: 'i-1', ExcludeBootVolume: false, ExcludeDataVolumeIds: ['vol-2'] }, Description: … }
 */
export function buildCreateSnapshotsRequest(
  instanceId: string,
  description: string,
  exclusions?: VolumeExclusions,
): CreateSnapshotsRequest {
  const spec: CreateSnapshotsRequest['InstanceSpecification'] = {
    InstanceId: instanceId,
    ExcludeBootVolume: exclusions?.excludeBootVolume === true,
  };
  const dataIds = exclusions?.excludeDataVolumeIds ?? [];
  if (dataIds.length > 0) spec.ExcludeDataVolumeIds = [...dataIds];
  return { InstanceSpecification: spec, Description: description };
}
