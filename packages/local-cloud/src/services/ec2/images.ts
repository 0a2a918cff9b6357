import { AwsError } from '../../aws-error.ts';
import type { QueryParams } from '../../protocol/query.ts';
import { takeAsyncFault } from './async-faults.ts';
import type { Ec2Action, Ec2Context } from './context.ts';
import {
  checkId,
  incorrectState,
  invalidCombination,
  invalidValue,
  missingParameter,
  notFound,
} from './errors.ts';
import { imageDeregistered, watchImage } from './events.ts';
import { compileFilters, parseFilters } from './filters.ts';
import { imageView, REGISTER_FAILED_REASON, snapshotView } from './lifecycle.ts';
import { PAGE_RANGES } from './limits.ts';
import { maxResultsParam, paginate } from './pagination.ts';
import {
  type Billing,
  type BlockDevice,
  DEFAULT_BILLING,
  type ImageRecord,
  type ProductCode,
  type SnapshotRecord,
} from './records.ts';
import { imageXml, isPublic } from './render.ts';
import {
  checkPendingLimit,
  findSnapshot,
  findVolume,
  ownsAll,
  removeSnapshot,
  startSnapshot,
} from './snapshots.ts';
import type { RegionState } from './store.ts';
import { initialTags, parseTagSpecifications } from './tags.ts';

const NAME_PATTERN = /^[A-Za-z0-9()[\] ./\-'@_]{3,128}$/;
const ARCHITECTURES = ['i386', 'x86_64', 'arm64', 'x86_64_mac', 'arm64_mac'];
const VIRTUALIZATION_TYPES = ['hvm', 'paravirtual'];
const BOOT_MODES = ['legacy-bios', 'uefi', 'uefi-preferred'];
const VOLUME_TYPES = ['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3'];
/** RegisterImage's volume type when a mapping names none [assumed: the EBS default]. */
const DEFAULT_VOLUME_TYPE = 'gp2';
/** botocore `TpmSupportValues`, `ImdsSupportValues`; `SriovNetSupport` "Set to simple". */
const TPM_SUPPORT = ['v2.0'];
const IMDS_SUPPORT = ['v2.0'];
const SRIOV_NET_SUPPORT = ['simple'];
/** botocore `ImageUefiDataRequest`: a string of at most 64,000 characters (base64). */
const MAX_UEFI_DATA_LENGTH = 64_000;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/**
 * CreateImage has no ImdsSupport parameter (botocore CreateImageRequest) and no page says
 * the new AMI inherits the instance's IMDSv2 requirement [unconfirmed]: not inherited here.
 */
const CREATE_IMAGE_INHERITS_IMDS_SUPPORT = false;
/** CreateImage refuses an instance that is neither running nor stopped [code unconfirmed]. */
const CREATE_IMAGE_STATE_ERROR = 'IncorrectInstanceState';

/** AMI names: 3–128 characters of letters, digits and ( ) [ ] space . / - ' @ _ */
export const checkImageName = (name: string): void => {
  if (!NAME_PATTERN.test(name))
    throw new AwsError(
      'InvalidAMIName.Malformed',
      `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '[', ']', ' ', '.', '/', '-', ''', '@' and '_': ${name}`,
    );
};

/** Names are unique per account and region among images that are not deregistered. */
export const checkNameFree = (state: RegionState, name: string): void => {
  const holder = state.imageNames.get(name);
  if (holder)
    throw new AwsError('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${holder}`);
};

const oneOf = (params: QueryParams, name: string, allowed: string[], fallback: string): string => {
  const value = params.get(name) ?? fallback;
  if (!allowed.includes(value))
    throw invalidValue(
      `Value (${value}) for parameter ${name} is invalid. Expected one of: ${allowed.join(', ')}.`,
    );
  return value;
};

const optionalOneOf = (params: QueryParams, name: string, allowed: string[]): string | undefined =>
  params.has(name) ? oneOf(params, name, allowed, '') : undefined;

export const findImage = (state: RegionState, id: string): ImageRecord => {
  checkId('image', id);
  const image = state.images.get(id);
  if (!image) throw notFound('image', [id]);
  return image;
};

/** A snapshot-based mapping: the size defaults to the snapshot's and may only grow; encryption follows it. */
const parseMapping = (state: RegionState, now: number, member: QueryParams, i: number): BlockDevice => {
  const deviceName = member.get('DeviceName');
  if (!deviceName) throw missingParameter(`BlockDeviceMapping.${i + 1}.DeviceName`);
  const virtualName = member.get('VirtualName');
  if (member.has('NoDevice')) return { deviceName, noDevice: true };
  const ebs = member.scope('Ebs');
  if (ebs.isEmpty()) {
    if (virtualName) return { deviceName, virtualName };
    throw new AwsError(
      'InvalidBlockDeviceMapping',
      `The block device mapping for ${deviceName} names no volume`,
    );
  }
  const snapshotId = ebs.get('SnapshotId');
  const volumeType = oneOf(ebs, 'VolumeType', VOLUME_TYPES, DEFAULT_VOLUME_TYPE);
  const deleteOnTermination = ebs.bool('DeleteOnTermination') ?? true;
  const iops = ebs.int('Iops');
  const throughput = ebs.int('Throughput');
  const requestedSize = ebs.int('VolumeSize');
  if (!snapshotId) {
    if (requestedSize === undefined)
      throw new AwsError(
        'InvalidBlockDeviceMapping',
        `The block device mapping for ${deviceName} needs a SnapshotId or a VolumeSize`,
      );
    return { deviceName, volumeSize: requestedSize, volumeType, deleteOnTermination, encrypted: false };
  }
  const snapshot = findSnapshot(state, snapshotId);
  // A failed snapshot can never back an image; the error code is an assumption [unconfirmed].
  if (snapshotView(snapshot, now).state === 'error')
    throw incorrectState(`Snapshot ${snapshot.id} is in state error and cannot be registered`);
  if (requestedSize !== undefined && requestedSize < snapshot.volumeSize)
    throw new AwsError(
      'InvalidBlockDeviceMapping',
      `Volume of size ${requestedSize}GB is smaller than snapshot '${snapshot.id}', expect size >= ${snapshot.volumeSize}GB`,
    );
  const encrypted = ebs.bool('Encrypted');
  if (encrypted !== undefined && encrypted !== snapshot.encrypted)
    throw new AwsError(
      'InvalidBlockDeviceMapping',
      `The encryption of ${deviceName} follows its snapshot ${snapshot.id} (encrypted=${snapshot.encrypted}) and cannot be set`,
    );
  if (ebs.has('KmsKeyId'))
    throw new AwsError(
      'InvalidBlockDeviceMapping',
      `The KMS key of ${deviceName} follows its snapshot ${snapshot.id} and cannot be set`,
    );
  return {
    deviceName,
    snapshotId: snapshot.id,
    volumeSize: requestedSize ?? snapshot.volumeSize,
    volumeType,
    deleteOnTermination,
    ...(iops !== undefined ? { iops } : {}),
    ...(throughput !== undefined ? { throughput } : {}),
    encrypted: snapshot.encrypted,
    ...(snapshot.kmsKeyId ? { kmsKeyId: snapshot.kmsKeyId } : {}),
  };
};

/** The boot and networking attributes an AMI passes on (CopyImage keeps the source's). */
export const bootAttributesOf = (
  image: Pick<ImageRecord, 'tpmSupport' | 'imdsSupport' | 'sriovNetSupport' | 'uefiData'>,
): Pick<ImageRecord, 'tpmSupport' | 'imdsSupport' | 'sriovNetSupport' | 'uefiData'> => ({
  ...(image.tpmSupport !== undefined ? { tpmSupport: image.tpmSupport } : {}),
  ...(image.imdsSupport !== undefined ? { imdsSupport: image.imdsSupport } : {}),
  ...(image.sriovNetSupport !== undefined ? { sriovNetSupport: image.sriovNetSupport } : {}),
  ...(image.uefiData !== undefined ? { uefiData: image.uefiData } : {}),
});

const uefiDataParam = (params: QueryParams): string | undefined => {
  const data = params.get('UefiData');
  if (data === undefined) return undefined;
  if (data.length > MAX_UEFI_DATA_LENGTH || !BASE64.test(data))
    throw invalidValue(
      `Value for parameter UefiData is invalid: expected base64 of at most ${MAX_UEFI_DATA_LENGTH} characters.`,
    );
  return data;
};

/**
 * RegisterImage API reference: Marketplace product codes of the snapshots are copied to the
 * new AMI, and its billing information is derived from the snapshots' metadata — which may
 * be missing, and then the AMI is plain `Linux/UNIX` / `RunInstances`.
 */
const fromSnapshots = (snapshots: SnapshotRecord[]): { billing: Billing; productCodes: ProductCode[] } => {
  const productCodes: ProductCode[] = [];
  for (const code of snapshots.flatMap((s) => s.productCodes ?? []))
    if (!productCodes.some((c) => c.id === code.id)) productCodes.push(code);
  const billing = snapshots.find((s) => s.billing !== undefined)?.billing ?? DEFAULT_BILLING;
  return { billing, productCodes };
};

/** Adds an image to the region: name taken, snapshots marked in use, counted. */
export const addImage = (ctx: { state: RegionState }, image: ImageRecord): void => {
  ctx.state.images.add(image);
  ctx.state.imageNames.set(image.name, image.id);
  for (const device of image.blockDevices)
    if (device.snapshotId) ctx.state.addSnapshotUser(device.snapshotId, image.id);
};

/**
 * RegisterImage from snapshots. Pending snapshots are accepted: the image stays pending
 * until they complete and then takes registerImageMs more (fails if one of them fails).
 */
/**
 * What every new image starts with, registered or created: pending for `registerImageMs`,
 * visible after the configured delay, tagged on create, an injected `register-failed` fault
 * failing it halfway.
 */
const newImageLifecycle = (
  ctx: Parameters<Ec2Action>[0],
  specs: ReturnType<typeof parseTagSpecifications>,
): Pick<ImageRecord, 'createdAt' | 'settleMs' | 'visibleAt' | 'tags' | 'launchPermissions' | 'failure'> => {
  const { now } = ctx;
  const settleMs = ctx.cloud.durations.registerImageMs;
  const fault = takeAsyncFault(ctx.store, 'register-failed', { region: ctx.region });
  return {
    createdAt: now,
    settleMs,
    visibleAt: now + ctx.store.imageVisibilityDelayMs,
    tags: initialTags(specs, 'image'),
    launchPermissions: [],
    ...(fault
      ? { failure: { at: now + Math.floor(settleMs / 2), code: REGISTER_FAILED_REASON, message: fault } }
      : {}),
  };
};

export const registerImage: Ec2Action = (ctx) => {
  const { params, state, now } = ctx;
  const name = params.required('Name');
  checkImageName(name);
  if (params.has('ImageLocation'))
    throw invalidCombination(
      'The local cloud registers EBS-backed images from snapshots only (no ImageLocation)',
    );
  const rootDeviceName = params.required('RootDeviceName');
  const mappings = params.members('BlockDeviceMapping');
  if (mappings.length === 0) throw missingParameter('BlockDeviceMapping');
  const blockDevices = mappings.map((m, i) => parseMapping(state, now, m, i));
  const root = blockDevices.find((d) => d.deviceName === rootDeviceName);
  if (!root?.snapshotId)
    throw new AwsError(
      'InvalidBlockDeviceMapping',
      `The root device ${rootDeviceName} must be mapped to an EBS snapshot in BlockDeviceMapping`,
    );
  const architecture = oneOf(params, 'Architecture', ARCHITECTURES, 'i386');
  const virtualizationType = oneOf(params, 'VirtualizationType', VIRTUALIZATION_TYPES, 'paravirtual');
  const bootMode = optionalOneOf(params, 'BootMode', BOOT_MODES);
  const enaSupport = params.bool('EnaSupport');
  const tpmSupport = optionalOneOf(params, 'TpmSupport', TPM_SUPPORT);
  const imdsSupport = optionalOneOf(params, 'ImdsSupport', IMDS_SUPPORT);
  const sriovNetSupport = optionalOneOf(params, 'SriovNetSupport', SRIOV_NET_SUPPORT);
  const uefiData = uefiDataParam(params);
  const specs = parseTagSpecifications(params, ['image']);
  checkNameFree(state, name);
  const id = ctx.cloud.ids.next('ami');
  const description = params.get('Description');
  const image: ImageRecord = {
    id,
    region: ctx.region,
    name,
    ...(description !== undefined ? { description } : {}),
    architecture,
    virtualizationType,
    rootDeviceName,
    ...(enaSupport !== undefined ? { enaSupport } : {}),
    ...(bootMode !== undefined ? { bootMode } : {}),
    ...bootAttributesOf({ tpmSupport, imdsSupport, sriovNetSupport, uefiData }),
    ...fromSnapshots(blockDevices.flatMap((d) => (d.snapshotId ? [findSnapshot(state, d.snapshotId)] : []))),
    blockDevices,
    ...newImageLifecycle(ctx, specs),
  };
  addImage(ctx, image);
  watchImage(ctx, image);
  ctx.cloud.counters.add('ec2.imagesRegistered');
  return { imageId: id };
};

/**
 * CreateImage from a running or stopped EBS-backed instance: one new snapshot per attached
 * EBS volume (`BlockDeviceMapping.N.NoDevice` leaves a device out), tagged from
 * TagSpecifications (`image` and/or `snapshot`, CreateImage API reference). The AMI keeps the
 * instance's billing information, product codes, boot mode, NitroTPM, UEFI variable store,
 * ENA and SriovNetSupport, and its instance-store mappings; `SourceInstanceId` names it.
 */
export const createImage: Ec2Action = (ctx) => {
  const { params, state } = ctx;
  const instanceId = checkId('instance', params.required('InstanceId'));
  const name = params.required('Name');
  checkImageName(name);
  const instance = state.instances.get(instanceId);
  if (!instance) throw notFound('instance', [instanceId]);
  if (instance.state !== 'running' && instance.state !== 'stopped')
    throw new AwsError(
      CREATE_IMAGE_STATE_ERROR,
      `The instance '${instanceId}' is in state ${instance.state}: CreateImage needs a running or stopped instance`,
    );
  params.bool('NoReboot');
  const left = new Set<string>();
  params.members('BlockDeviceMapping').forEach((m, i) => {
    const deviceName = m.get('DeviceName');
    if (!deviceName) throw missingParameter(`BlockDeviceMapping.${i + 1}.DeviceName`);
    if (!m.has('NoDevice'))
      throw invalidCombination(
        `The local cloud's CreateImage takes BlockDeviceMapping entries with NoDevice only (${deviceName})`,
      );
    left.add(deviceName);
  });
  if (left.has(instance.rootDeviceName))
    throw new AwsError(
      'InvalidBlockDeviceMapping',
      `The root device ${instance.rootDeviceName} cannot be left out`,
    );
  const specs = parseTagSpecifications(params, ['image', 'snapshot']);
  checkNameFree(state, name);
  const volumes = instance.devices
    .filter((d) => !left.has(d.deviceName))
    .map((d) => ({ device: d, volume: findVolume(state, d.volumeId) }));
  for (const { volume } of volumes) checkPendingLimit(ctx, volume.id);
  const id = ctx.cloud.ids.next('ami');
  const blockDevices: BlockDevice[] = volumes.map(({ device, volume }) => {
    const snapshot = startSnapshot(
      ctx,
      volume,
      `Created by CreateImage(${instance.id}) for ${id}`,
      initialTags(specs, 'snapshot'),
    );
    return {
      deviceName: device.deviceName,
      snapshotId: snapshot.id,
      volumeSize: volume.size,
      volumeType: volume.volumeType,
      deleteOnTermination: device.deleteOnTermination,
      ...(volume.iops !== undefined ? { iops: volume.iops } : {}),
      ...(volume.throughput !== undefined ? { throughput: volume.throughput } : {}),
      encrypted: volume.encrypted,
      ...(volume.kmsKeyId ? { kmsKeyId: volume.kmsKeyId } : {}),
    };
  });
  for (const store of instance.instanceStore)
    if (!left.has(store.deviceName)) blockDevices.push({ ...store });
  const description = params.get('Description');
  const image: ImageRecord = {
    id,
    region: ctx.region,
    name,
    ...(description !== undefined ? { description } : {}),
    architecture: instance.architecture,
    virtualizationType: 'hvm',
    rootDeviceName: instance.rootDeviceName,
    enaSupport: instance.enaSupport,
    ...(instance.bootMode !== undefined ? { bootMode: instance.bootMode } : {}),
    ...bootAttributesOf({
      tpmSupport: instance.tpmSupport,
      imdsSupport:
        CREATE_IMAGE_INHERITS_IMDS_SUPPORT && instance.httpTokens === 'required' ? 'v2.0' : undefined,
      sriovNetSupport: instance.sriovNetSupport,
      uefiData: instance.bootMode === 'uefi' ? instance.uefiData : undefined,
    }),
    billing: instance.billing,
    productCodes: instance.productCodes,
    sourceInstanceId: instance.id,
    blockDevices,
    ...newImageLifecycle(ctx, specs),
  };
  addImage(ctx, image);
  watchImage(ctx, image);
  ctx.cloud.counters.add('ec2.imagesCreated');
  return { imageId: id };
};

export const describeImages: Ec2Action = (ctx) => {
  const { params, state, now } = ctx;
  const accountId = ctx.cloud.accountId;
  const ids = params.list('ImageId');
  const maxResults = maxResultsParam(params, PAGE_RANGES.images);
  const owned = ownsAll(params.list('Owner'), accountId);
  const executableBy = params.list('ExecutableBy');
  const view = (i: ImageRecord) => imageView(i, state, now);
  const filter = compileFilters<ImageRecord>(parseFilters(params), {
    'image-id': (i) => i.id,
    name: (i) => i.name,
    state: (i) => view(i).state,
    description: (i) => i.description,
    architecture: (i) => i.architecture,
    'owner-id': () => accountId,
    'is-public': (i) => isPublic(i.launchPermissions),
    'image-type': () => 'machine',
    'root-device-name': (i) => i.rootDeviceName,
    'root-device-type': () => 'ebs',
    'virtualization-type': (i) => i.virtualizationType,
    'ena-support': (i) => i.enaSupport,
    'boot-mode': (i) => i.bootMode,
    'source-image-id': (i) => i.copiedFrom?.imageId,
    'source-image-region': (i) => i.copiedFrom?.region,
    'creation-date': (i) => new Date(i.createdAt).toISOString(),
    'block-device-mapping.snapshot-id': (i) => i.blockDevices.map((d) => d.snapshotId),
    'block-device-mapping.device-name': (i) => i.blockDevices.map((d) => d.deviceName),
    'block-device-mapping.volume-type': (i) => i.blockDevices.map((d) => d.volumeType),
    'block-device-mapping.encrypted': (i) => i.blockDevices.map((d) => String(d.encrypted ?? false)),
    'block-device-mapping.volume-size': (i) => i.blockDevices.map((d) => d.volumeSize?.toString()),
    'block-device-mapping.delete-on-termination': (i) =>
      i.blockDevices.map((d) => String(d.deleteOnTermination ?? false)),
  });
  const executable = (i: ImageRecord) =>
    executableBy.length === 0 ||
    executableBy.some(
      (who) =>
        who === 'self' ||
        who === accountId ||
        (who === 'all' && isPublic(i.launchPermissions)) ||
        i.launchPermissions.some((p) => p.userId === who),
    );
  const visible = (i: ImageRecord) => now >= i.visibleAt;
  const matches = (i: ImageRecord) => visible(i) && owned && executable(i) && filter(i);
  const render = (i: ImageRecord) => imageXml(i, state, accountId, now);
  if (ids.length > 0) {
    for (const id of ids) checkId('image', id);
    const missing = ids.filter((id) => {
      const image = state.images.get(id);
      return !image || !visible(image);
    });
    if (missing.length > 0) throw notFound('image', missing);
    const found = [...new Set(ids)]
      .sort()
      .map((id) => state.images.get(id))
      .filter((i): i is ImageRecord => i !== undefined && matches(i));
    return { imagesSet: found.map(render) };
  }
  const page = paginate(state.images, 'images', matches, maxResults, params.get('NextToken'));
  return { imagesSet: page.items.map(render), nextToken: page.nextToken };
};

/**
 * DeregisterImage frees the name at once. With DeleteAssociatedSnapshots the image's
 * snapshots are deleted too, except those another image still uses (reported `skipped`).
 */
export const deregisterImage: Ec2Action = (ctx: Ec2Context) => {
  const { params, state } = ctx;
  const image = findImage(state, params.required('ImageId'));
  const deleteSnapshots = params.bool('DeleteAssociatedSnapshots') ?? false;
  state.images.delete(image.id);
  if (state.imageNames.get(image.name) === image.id) state.imageNames.delete(image.name);
  const snapshotIds = [
    ...new Set(image.blockDevices.map((d) => d.snapshotId).filter((s): s is string => !!s)),
  ];
  for (const id of snapshotIds) state.removeSnapshotUser(id, image.id);
  ctx.cloud.counters.add('ec2.imagesDeregistered');
  imageDeregistered(ctx, image);
  if (!deleteSnapshots) return { return: true };
  const results = snapshotIds.map((snapshotId) => {
    if (state.snapshotUsers.has(snapshotId)) return { snapshotId, returnCode: 'skipped' };
    if (!state.snapshots.has(snapshotId)) return { snapshotId, returnCode: 'client-error' };
    removeSnapshot(ctx, snapshotId);
    return { snapshotId, returnCode: 'success' };
  });
  return { return: true, deleteSnapshotResultSet: results };
};
