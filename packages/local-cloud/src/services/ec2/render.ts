import type { XmlObject, XmlValue } from '../../protocol/xml.ts';
import { instanceStateAt } from './instance-lifecycle.ts';
import { imageView, snapshotView, volumeState } from './lifecycle.ts';
import type {
  BlockDevice,
  ImageRecord,
  InstanceRecord,
  LaunchPermission,
  ProductCode,
  SnapshotRecord,
  Tags,
  VolumeRecord,
} from './records.ts';
import type { RegionState } from './store.ts';

/**
 * XML views of the resources, with the element names of the EC2 wire format (camelCase
 * locationNames, lists as `<item>`), as both the JS SDK and botocore parse them.
 */

/** `<tagSet>`; omitted when empty, as EC2 does. */
export const tagSet = (tags: Tags): XmlValue =>
  tags.size === 0 ? undefined : [...tags].map(([key, value]) => ({ key, value }));

const iso = (ms: number) => new Date(ms);

export const snapshotXml = (s: SnapshotRecord, ownerId: string, now: number): XmlObject => {
  const view = snapshotView(s, now);
  return {
    snapshotId: s.id,
    volumeId: s.volumeId,
    status: view.state,
    statusMessage: view.message,
    startTime: iso(s.startTime),
    progress: view.progress,
    ownerId,
    volumeSize: s.volumeSize,
    description: s.description,
    encrypted: s.encrypted,
    kmsKeyId: s.kmsKeyId,
    tagSet: tagSet(s.tags),
    storageTier: 'standard',
    completionTime: view.completedAt === undefined ? undefined : iso(view.completedAt),
  };
};

/** CreateSnapshots answers with SnapshotInfo, whose state element is `<state>`, not `<status>`. */
export const snapshotInfoXml = (s: SnapshotRecord, ownerId: string, now: number): XmlObject => {
  const view = snapshotView(s, now);
  return {
    snapshotId: s.id,
    volumeId: s.volumeId,
    state: view.state,
    startTime: iso(s.startTime),
    progress: view.progress,
    ownerId,
    volumeSize: s.volumeSize,
    description: s.description,
    encrypted: s.encrypted,
    tagSet: tagSet(s.tags),
  };
};

export const blockDeviceXml = (d: BlockDevice): XmlObject => ({
  deviceName: d.deviceName,
  virtualName: d.virtualName,
  noDevice: d.noDevice ? '' : undefined,
  ebs:
    d.snapshotId === undefined && d.volumeSize === undefined
      ? undefined
      : {
          snapshotId: d.snapshotId,
          volumeSize: d.volumeSize,
          deleteOnTermination: d.deleteOnTermination,
          volumeType: d.volumeType,
          iops: d.iops,
          throughput: d.throughput,
          encrypted: d.encrypted,
          kmsKeyId: d.kmsKeyId,
        },
});

/** `<productCodes>` items (`productCode`, `type`); omitted when empty. */
const productCodesXml = (codes: ProductCode[]): XmlValue =>
  codes.length === 0 ? undefined : codes.map((c) => ({ productCode: c.id, type: c.type }));

/** `Platform` is `windows` for Windows platforms and absent otherwise (DescribeImages / DescribeInstances). */
const platformOf = (platformDetails: string): string | undefined =>
  platformDetails.startsWith('Windows') ? 'windows' : undefined;

export const isPublic = (permissions: LaunchPermission[]): boolean =>
  permissions.some((p) => p.group === 'all');

export const imageXml = (
  image: ImageRecord,
  region: RegionState,
  ownerId: string,
  now: number,
): XmlObject => {
  const view = imageView(image, region, now);
  return {
    imageId: image.id,
    imageLocation: `${ownerId}/${image.name}`,
    imageState: view.state,
    imageOwnerId: ownerId,
    creationDate: new Date(image.createdAt).toISOString(),
    isPublic: isPublic(image.launchPermissions),
    architecture: image.architecture,
    imageType: 'machine',
    name: image.name,
    description: image.description,
    rootDeviceType: 'ebs',
    rootDeviceName: image.rootDeviceName,
    blockDeviceMapping: image.blockDevices.map(blockDeviceXml),
    virtualizationType: image.virtualizationType,
    hypervisor: 'xen',
    enaSupport: image.enaSupport,
    bootMode: image.bootMode,
    stateReason: view.reason ? { code: view.reason.code, message: view.reason.message } : undefined,
    tagSet: tagSet(image.tags),
    platform: platformOf(image.billing.platformDetails),
    platformDetails: image.billing.platformDetails,
    usageOperation: image.billing.usageOperation,
    productCodes: productCodesXml(image.productCodes),
    tpmSupport: image.tpmSupport,
    imdsSupport: image.imdsSupport,
    sriovNetSupport: image.sriovNetSupport,
    sourceInstanceId: image.sourceInstanceId,
    sourceImageId: image.copiedFrom?.imageId,
    sourceImageRegion: image.copiedFrom?.region,
  };
};

export const launchPermissionXml = (p: LaunchPermission): XmlObject => ({
  userId: p.userId,
  group: p.group,
  organizationArn: p.organizationArn,
  organizationalUnitArn: p.organizationalUnitArn,
});

export const volumeXml = (v: VolumeRecord, now: number): XmlObject => ({
  volumeId: v.id,
  size: v.size,
  snapshotId: v.snapshotId ?? '',
  availabilityZone: v.availabilityZone,
  status: volumeState(v, now),
  createTime: iso(v.createTime),
  attachmentSet: v.attachment
    ? [
        {
          volumeId: v.id,
          instanceId: v.attachment.instanceId,
          device: v.attachment.device,
          status: 'attached',
          attachTime: iso(v.attachment.attachTime),
          deleteOnTermination: v.attachment.deleteOnTermination,
        },
      ]
    : undefined,
  volumeType: v.volumeType,
  iops: v.iops,
  throughput: v.throughput,
  encrypted: v.encrypted,
  kmsKeyId: v.kmsKeyId,
  tagSet: tagSet(v.tags),
  multiAttachEnabled: false,
});

const INSTANCE_STATE_CODES: Record<InstanceRecord['state'], number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export const instanceStateXml = (state: InstanceRecord['state']): XmlObject => ({
  code: INSTANCE_STATE_CODES[state],
  name: state,
});

export const instanceXml = (i: InstanceRecord, now: number): XmlObject => ({
  instanceId: i.id,
  imageId: i.imageId,
  instanceState: instanceStateXml(instanceStateAt(i, now)),
  instanceType: i.instanceType,
  subnetId: i.launch?.subnetId,
  vpcId: i.launch?.vpcId,
  privateIpAddress: i.launch?.privateIpAddress,
  ipAddress: i.launch?.publicIpAddress,
  groupSet: i.launch?.securityGroups,
  launchTime: iso(i.launchTime),
  clientToken: i.launch?.clientToken,
  placement: { availabilityZone: i.availabilityZone, tenancy: 'default' },
  architecture: i.architecture,
  rootDeviceType: 'ebs',
  rootDeviceName: i.rootDeviceName,
  blockDeviceMapping: i.devices.map((d) => ({
    deviceName: d.deviceName,
    ebs: {
      volumeId: d.volumeId,
      status: 'attached',
      attachTime: iso(i.launchTime),
      deleteOnTermination: d.deleteOnTermination,
    },
  })),
  virtualizationType: 'hvm',
  hypervisor: 'xen',
  tagSet: tagSet(i.tags),
  enaSupport: i.enaSupport,
  bootMode: i.bootMode,
  currentInstanceBootMode: i.bootMode === 'uefi' ? 'uefi' : i.bootMode ? 'legacy-bios' : undefined,
  platform: platformOf(i.billing.platformDetails),
  platformDetails: i.billing.platformDetails,
  usageOperation: i.billing.usageOperation,
  productCodes: productCodesXml(i.productCodes),
  tpmSupport: i.tpmSupport,
  sriovNetSupport: i.sriovNetSupport,
  metadataOptions: { state: 'applied', httpTokens: i.httpTokens, httpEndpoint: 'enabled' },
});

export const reservationXml = (i: InstanceRecord, ownerId: string, now: number): XmlObject => ({
  reservationId: i.reservationId,
  ownerId,
  instancesSet: [instanceXml(i, now)],
});
