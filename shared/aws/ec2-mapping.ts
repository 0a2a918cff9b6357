/** SDK shapes → the port's plain records (part of the EC2 adapter: type-only SDK imports). */
import type {
  BlockDeviceMapping,
  Image,
  Instance,
  ProductCode as SdkProductCode,
  Snapshot,
  SnapshotInfo,
  Tag,
  Volume,
} from '@aws-sdk/client-ec2';
import { volumeTypeSchema } from '../backup/block-devices.ts';
import { InvalidBackupInput } from '../backup/errors.ts';
import type { ProductCode } from '../backup/image-method.ts';
import type { Ec2Image, Ec2Instance, Ec2Snapshot, Ec2Volume } from '../backup-service/ports/ec2.ts';

export function tagRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  return out;
}

const iso = (value: Date | string | undefined): string =>
  value === undefined ? new Date(0).toISOString() : new Date(value).toISOString();

/** Optional fields are left out rather than set to `undefined` (the records travel as JSON). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const toProductCodes = (codes: readonly SdkProductCode[] | undefined): ProductCode[] =>
  (codes ?? []).flatMap((c) =>
    c.ProductCodeId === undefined || (c.ProductCodeType !== 'marketplace' && c.ProductCodeType !== 'devpay')
      ? []
      : [{ productCodeId: c.ProductCodeId, type: c.ProductCodeType }],
  );

const toInstanceStore = (mappings: readonly BlockDeviceMapping[] | undefined) =>
  (mappings ?? []).flatMap((m) =>
    m.VirtualName === undefined || m.DeviceName === undefined
      ? []
      : [{ deviceName: m.DeviceName, virtualName: m.VirtualName }],
  );

export function toInstance(i: Instance): Ec2Instance {
  return defined({
    instanceId: i.InstanceId ?? '',
    state: i.State?.Name ?? 'unknown',
    tags: tagRecord(i.Tags),
    rootDeviceName: i.RootDeviceName,
    architecture: i.Architecture,
    virtualizationType: i.VirtualizationType,
    enaSupport: i.EnaSupport === true,
    bootMode: i.BootMode,
    currentInstanceBootMode: i.CurrentInstanceBootMode,
    imageId: i.ImageId,
    platformDetails: i.PlatformDetails,
    usageOperation: i.UsageOperation,
    productCodes: toProductCodes(i.ProductCodes),
    tpmSupport: i.TpmSupport,
    httpTokens: i.MetadataOptions?.HttpTokens,
    sriovNetSupport: i.SriovNetSupport,
    blockDevices: (i.BlockDeviceMappings ?? []).flatMap((m) =>
      m.Ebs?.VolumeId === undefined || m.DeviceName === undefined
        ? []
        : [
            {
              deviceName: m.DeviceName,
              volumeId: m.Ebs.VolumeId,
              deleteOnTermination: m.Ebs.DeleteOnTermination === true,
            },
          ],
    ),
  });
}

export function toVolume(v: Volume): Ec2Volume {
  const type = volumeTypeSchema.safeParse(v.VolumeType);
  if (!type.success)
    throw new InvalidBackupInput(`volume ${v.VolumeId}: unsupported volume type ${v.VolumeType}`);
  return defined({
    volumeId: v.VolumeId ?? '',
    state: v.State ?? 'unknown',
    sizeGiB: v.Size ?? 0,
    volumeType: type.data,
    iops: v.Iops,
    throughput: v.Throughput,
    tags: tagRecord(v.Tags),
    attachedTo: (v.Attachments ?? []).flatMap((a) =>
      a.InstanceId === undefined ? [] : [{ instanceId: a.InstanceId, device: a.Device ?? '' }],
    ),
  });
}

/** `CreateSnapshot` answers with a Snapshot, `CreateSnapshots` with SnapshotInfo: same fields. */
export function toSnapshot(s: Snapshot | SnapshotInfo): Ec2Snapshot {
  return defined({
    snapshotId: s.SnapshotId ?? '',
    volumeId: s.VolumeId,
    state: s.State ?? 'unknown',
    progress: s.Progress,
    stateMessage: 'StateMessage' in s ? s.StateMessage : undefined,
    startTime: iso(s.StartTime),
    volumeSizeGiB: s.VolumeSize ?? 0,
    tags: tagRecord(s.Tags),
    encrypted: s.Encrypted,
    kmsKeyId: 'KmsKeyId' in s ? s.KmsKeyId : undefined,
  });
}

export function toImage(i: Image): Ec2Image {
  const reason = i.StateReason;
  return defined({
    imageId: i.ImageId ?? '',
    name: i.Name,
    state: i.State ?? 'unknown',
    creationDate: iso(i.CreationDate),
    tags: tagRecord(i.Tags),
    snapshotIds: [
      ...new Set((i.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []))),
    ],
    stateReason: reason === undefined ? undefined : defined({ code: reason.Code, message: reason.Message }),
    platformDetails: i.PlatformDetails,
    usageOperation: i.UsageOperation,
    productCodes: toProductCodes(i.ProductCodes),
    sourceInstanceId: i.SourceInstanceId,
    instanceStore: toInstanceStore(i.BlockDeviceMappings),
  });
}
