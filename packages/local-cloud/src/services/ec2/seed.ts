import * as z from 'zod';
import type { LocalCloud } from '../../cloud.ts';
import { isEc2Id } from '../../ids.ts';
import { AsyncFaultSchema, addAsyncFaults } from './async-faults.ts';
import { GuestSchema } from './guest.ts';
import { addImage, bootAttributesOf, checkImageName } from './images.ts';
import { instanceStateAt } from './instance-lifecycle.ts';
import { addKmsKey, reportedKeyId } from './kms.ts';
import { imageView, snapshotView, volumeState } from './lifecycle.ts';
import { LimitsSchema } from './limits.ts';
import { dumpNetwork, NetworkSeedSchema, seedNetwork } from './network.ts';
import {
  type Billing,
  type BlockDevice,
  DEFAULT_BILLING,
  type ImageRecord,
  type InstanceRecord,
  type ProductCode,
  type SnapshotRecord,
  type Tags,
  type VolumeRecord,
} from './records.ts';
import { isRegionName, zonesOf } from './regions.ts';
import { isPublic } from './render.ts';
import { RequestThrottle } from './request-throttle.ts';
import { ec2Store, type RegionState } from './store.ts';
import { applyTags } from './tags.ts';
import { ThrottlingSeedSchema } from './throttling.ts';

const region = z.string().refine(isRegionName, { message: 'not a region name (like eu-west-1)' });
const idOf = (prefix: string) =>
  z.string().refine((v) => isEc2Id(prefix, v), { message: `not a ${prefix}- id (8 or 17 hex digits)` });
const tags = z.record(z.string().min(1), z.string());
const volumeType = z.enum(['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3']);

const AttachedVolumeSchema = z
  .object({
    deviceName: z.string().min(1),
    volumeId: idOf('vol').optional(),
    sizeGiB: z.number().int().min(1),
    volumeType,
    iops: z.number().int().min(1).optional(),
    deleteOnTermination: z.boolean().optional(),
    encrypted: z.boolean().optional(),
    kmsKeyId: z.string().min(1).optional(),
    tags: tags.optional(),
  })
  .strict();

const productCodeSchema = z
  .object({ productCodeId: z.string().min(1), type: z.enum(['devpay', 'marketplace']) })
  .strict();

/**
 * Platform presets: `PlatformDetails` / `UsageOperation` as EC2 User Guide, "AMI billing
 * information fields" lists them. `platformDetails` + `usageOperation` set any other pair.
 */
const PLATFORMS = {
  linux: { platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' },
  windows: { platformDetails: 'Windows', usageOperation: 'RunInstances:0002' },
  rhel: { platformDetails: 'Red Hat Enterprise Linux', usageOperation: 'RunInstances:0010' },
  'rhel-byol': { platformDetails: 'Red Hat BYOL Linux', usageOperation: 'RunInstances:00g0' },
  suse: { platformDetails: 'SUSE Linux', usageOperation: 'RunInstances:000g' },
  'windows-sql-server-standard': {
    platformDetails: 'Windows with SQL Server Standard',
    usageOperation: 'RunInstances:0006',
  },
} as const;

const InstanceSchema = z
  .object({
    region,
    instanceId: idOf('i').optional(),
    /** Shorthand for the Name tag. */
    name: z.string().optional(),
    tags: tags.optional(),
    availabilityZone: z.string().optional(),
    architecture: z.enum(['x86_64', 'arm64']),
    rootDeviceName: z.string().min(1),
    bootMode: z.enum(['legacy-bios', 'uefi', 'uefi-preferred']).optional(),
    enaSupport: z.boolean().optional(),
    state: z.enum(['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped']).optional(),
    instanceType: z.string().min(1).optional(),
    imageId: idOf('ami').optional(),
    volumes: z.array(AttachedVolumeSchema).min(1),
    /** Billing preset (default `linux`); `platformDetails` / `usageOperation` override it. */
    platform: z
      .enum(Object.keys(PLATFORMS) as [keyof typeof PLATFORMS, ...(keyof typeof PLATFORMS)[]])
      .optional(),
    platformDetails: z.string().min(1).optional(),
    usageOperation: z
      .string()
      .regex(/^RunInstances(:[0-9a-z]{4})?$/, 'like RunInstances:0010')
      .optional(),
    productCodes: z.array(productCodeSchema).optional(),
    tpmSupport: z.literal('v2.0').optional(),
    /** MetadataOptions.HttpTokens (default optional). */
    httpTokens: z.enum(['optional', 'required']).optional(),
    sriovNetSupport: z.literal('simple').optional(),
    /** The UEFI variable store (base64); UEFI instances get a fixed sample by default. */
    uefiData: z
      .string()
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64')
      .optional(),
    instanceStore: z
      .array(
        z.object({ deviceName: z.string().min(1), virtualName: z.string().regex(/^ephemeral\d+$/) }).strict(),
      )
      .optional(),
  })
  .strict()
  .refine((i) => i.volumes.some((v) => v.deviceName === i.rootDeviceName), {
    message: 'one of the volumes must have the rootDeviceName as deviceName',
  })
  .refine((i) => i.tpmSupport === undefined || i.bootMode === 'uefi', {
    message: 'tpmSupport needs bootMode uefi (NitroTPM requires UEFI boot)',
  });

const VolumeSchema = z
  .object({
    region,
    volumeId: idOf('vol').optional(),
    availabilityZone: z.string().optional(),
    sizeGiB: z.number().int().min(1),
    volumeType,
    encrypted: z.boolean().optional(),
    kmsKeyId: z.string().min(1).optional(),
    tags: tags.optional(),
  })
  .strict();

/** An AWS creation time of a resource seeded as pre-existing. */
const pastInstant = z.iso.datetime({ offset: true });

const SnapshotSchema = z
  .object({
    region,
    snapshotId: idOf('snap').optional(),
    volumeId: idOf('vol').optional(),
    sizeGiB: z.number().int().min(1),
    description: z.string().max(255).optional(),
    encrypted: z.boolean().optional(),
    kmsKeyId: z.string().min(1).optional(),
    tags: tags.optional(),
    /** `StartTime` of a snapshot that existed before the seed (ISO; not after the simulated now). */
    startTime: pastInstant.optional(),
  })
  .strict();

const ImageSchema = z
  .object({
    region,
    imageId: idOf('ami').optional(),
    name: z.string(),
    description: z.string().optional(),
    architecture: z.enum(['i386', 'x86_64', 'arm64']).optional(),
    rootDeviceName: z.string().min(1).optional(),
    /** Existing snapshots (seeded earlier or in this call with explicit ids), mapped in order. */
    snapshotIds: z.array(idOf('snap')).optional(),
    /** Or fresh completed snapshots created for the image. */
    blockDevices: z
      .array(z.object({ deviceName: z.string().min(1), sizeGiB: z.number().int().min(1) }).strict())
      .optional(),
    tags: tags.optional(),
    /** `CreationDate` of an image that existed before the seed (ISO; not after the simulated now). */
    creationDate: pastInstant.optional(),
    launchPermissionUserIds: z.array(z.string().regex(/^\d{12}$/)).optional(),
    /** How instances launched from it behave: status checks, SSM Agent (guest.ts). */
    guest: GuestSchema.optional(),
    /** Instance-store mappings of the image (an instance launched from it has them). */
    instanceStore: z
      .array(
        z.object({ deviceName: z.string().min(1), virtualName: z.string().regex(/^ephemeral\d+$/) }).strict(),
      )
      .optional(),
  })
  .strict()
  .refine((i) => (i.snapshotIds?.length ?? 0) + (i.blockDevices?.length ?? 0) > 0, {
    message: 'give snapshotIds or blockDevices',
  });

const KmsKeySchema = z
  .object({ region, keyId: z.string().min(1), aliases: z.array(z.string().min(1)).optional() })
  .strict();

const Ec2SeedSchema = z
  .object({
    instances: z.array(InstanceSchema).optional(),
    volumes: z.array(VolumeSchema).optional(),
    snapshots: z.array(SnapshotSchema).optional(),
    images: z.array(ImageSchema).optional(),
    kmsKeys: z.array(KmsKeySchema).optional(),
    limits: LimitsSchema.partial().optional(),
    asyncFaults: z.array(AsyncFaultSchema).optional(),
    imageVisibilityDelayMs: z.number().int().min(0).optional(),
    /** Request-rate throttling: 'off' (default), 'aws-default', or per-bucket overrides. */
    throttling: ThrottlingSeedSchema.optional(),
    /** Snapshots of a licensed instance's volumes carry its billing metadata (default false, [unconfirmed]). */
    snapshotsCarryBillingMetadata: z.boolean().optional(),
    /** VPCs, subnets, internet gateways, route tables and security groups (network.ts). */
    network: NetworkSeedSchema.optional(),
  })
  .strict();

export interface Ec2SeedResult {
  instances: { instanceId: string; reservationId: string; volumeIds: Record<string, string> }[];
  volumes: string[];
  snapshots: string[];
  images: { imageId: string; snapshotIds: string[] }[];
  network?: ReturnType<typeof seedNetwork>;
}

/** A seeded UEFI instance's variable store when the seed gives none (base64 of a short marker). */
const SAMPLE_UEFI_DATA = Buffer.from('shipyard-local-uefi-variable-store').toString('base64');

const tagMap = (record: Record<string, string> | undefined, name?: string): Tags => {
  const result: Tags = new Map();
  if (name !== undefined) result.set('Name', name);
  applyTags(result, new Map(Object.entries(record ?? {})));
  return result;
};

const zoneIn = (regionName: string, zone: string | undefined): string => {
  const zones = zonesOf(regionName);
  if (zone === undefined) return zones[0] ?? `${regionName}a`;
  if (!zones.includes(zone))
    throw new RangeError(`seed: ${zone} is not a zone of ${regionName} (${zones.join(', ')})`);
  return zone;
};

const claim = <T extends { id: string }>(
  what: string,
  index: { has(id: string): boolean; add(item: T): void },
  item: T,
) => {
  if (index.has(item.id)) throw new RangeError(`seed: ${what} ${item.id} already exists`);
  index.add(item);
};

const completedSnapshot = (
  cloud: LocalCloud,
  state: RegionState,
  init: Omit<SnapshotRecord, 'id' | 'region' | 'startTime' | 'durationMs'> & { id?: string | undefined },
  startTime: number = cloud.now(),
): SnapshotRecord => {
  const snapshot: SnapshotRecord = {
    ...init,
    id: init.id ?? cloud.ids.next('snap'),
    region: state.name,
    startTime,
    durationMs: 0,
  };
  claim('snapshot', state.snapshots, snapshot);
  state.volumeStats(snapshot.volumeId).started += 1;
  return snapshot;
};

/** A seeded creation time: in the past of the simulated clock (AWS never reports a future one). */
const seededTime = (cloud: LocalCloud, iso: string | undefined, field: string): number => {
  if (iso === undefined) return cloud.now();
  const ms = Date.parse(iso);
  if (ms > cloud.now()) throw new RangeError(`seed: ${field} ${iso} is after the simulated now`);
  return ms;
};

/**
 * Seeds the EC2 section of the control API: limits, throttling, KMS keys and async faults first, then
 * volumes, instances (with attached volumes), completed snapshots and available images.
 */
export const seedEc2 = (cloud: LocalCloud, input: unknown): Ec2SeedResult => {
  const seed = Ec2SeedSchema.parse(input);
  const store = ec2Store(cloud);
  const now = cloud.now();
  const result: Ec2SeedResult = { instances: [], volumes: [], snapshots: [], images: [] };
  if (seed.limits) store.limits = LimitsSchema.parse({ ...store.limits, ...seed.limits });
  if (seed.imageVisibilityDelayMs !== undefined) store.imageVisibilityDelayMs = seed.imageVisibilityDelayMs;
  if (seed.throttling !== undefined) store.throttle = RequestThrottle.fromSeed(seed.throttling);
  if (seed.snapshotsCarryBillingMetadata !== undefined)
    store.snapshotsCarryBillingMetadata = seed.snapshotsCarryBillingMetadata;
  for (const key of seed.kmsKeys ?? []) addKmsKey(cloud, key);
  addAsyncFaults(store, seed.asyncFaults ?? []);
  if (seed.network) result.network = seedNetwork(cloud, store, seed.network);

  for (const v of seed.volumes ?? []) {
    const state = store.region(v.region);
    const volume: VolumeRecord = {
      id: v.volumeId ?? cloud.ids.next('vol'),
      region: v.region,
      availabilityZone: zoneIn(v.region, v.availabilityZone),
      size: v.sizeGiB,
      volumeType: v.volumeType,
      encrypted: v.encrypted ?? false,
      ...(v.encrypted ? { kmsKeyId: reportedKeyId(cloud, v.region, v.kmsKeyId) } : {}),
      createTime: now,
      readyAt: now,
      tags: tagMap(v.tags),
    };
    claim('volume', state.volumes, volume);
    result.volumes.push(volume.id);
  }

  for (const i of seed.instances ?? []) {
    const state = store.region(i.region);
    const zone = zoneIn(i.region, i.availabilityZone);
    const instanceId = i.instanceId ?? cloud.ids.next('i');
    const volumeIds: Record<string, string> = {};
    const preset = PLATFORMS[i.platform ?? 'linux'];
    const billing: Billing = {
      platformDetails: i.platformDetails ?? preset.platformDetails,
      usageOperation: i.usageOperation ?? preset.usageOperation,
    };
    const productCodes: ProductCode[] = (i.productCodes ?? []).map((c) => ({
      id: c.productCodeId,
      type: c.type,
    }));
    // The instance's volumes came from its (licensed) AMI: they carry its codes and billing.
    const inherited = {
      ...(productCodes.length > 0 ? { productCodes } : {}),
      ...(billing.usageOperation !== DEFAULT_BILLING.usageOperation ? { billing } : {}),
    };
    const devices = i.volumes.map((v) => {
      const volume: VolumeRecord = {
        id: v.volumeId ?? cloud.ids.next('vol'),
        region: i.region,
        availabilityZone: zone,
        size: v.sizeGiB,
        volumeType: v.volumeType,
        ...(v.iops !== undefined ? { iops: v.iops } : {}),
        encrypted: v.encrypted ?? false,
        ...(v.encrypted ? { kmsKeyId: reportedKeyId(cloud, i.region, v.kmsKeyId) } : {}),
        createTime: now,
        readyAt: now,
        tags: tagMap(v.tags),
        ...inherited,
        attachment: {
          instanceId,
          device: v.deviceName,
          deleteOnTermination: v.deleteOnTermination ?? true,
          attachTime: now,
        },
      };
      claim('volume', state.volumes, volume);
      volumeIds[v.deviceName] = volume.id;
      return {
        deviceName: v.deviceName,
        volumeId: volume.id,
        deleteOnTermination: v.deleteOnTermination ?? true,
      };
    });
    const instance: InstanceRecord = {
      id: instanceId,
      reservationId: cloud.ids.next('r'),
      region: i.region,
      availabilityZone: zone,
      architecture: i.architecture,
      rootDeviceName: i.rootDeviceName,
      ...(i.bootMode ? { bootMode: i.bootMode } : {}),
      enaSupport: i.enaSupport ?? true,
      state: i.state ?? 'running',
      instanceType: i.instanceType ?? (i.architecture === 'arm64' ? 't4g.micro' : 't3.micro'),
      imageId: i.imageId ?? 'ami-00000000000000000',
      launchTime: now,
      tags: tagMap(i.tags, i.name),
      devices,
      billing,
      productCodes,
      ...(i.tpmSupport ? { tpmSupport: i.tpmSupport } : {}),
      httpTokens: i.httpTokens ?? 'optional',
      ...(i.sriovNetSupport ? { sriovNetSupport: i.sriovNetSupport } : {}),
      ...(i.bootMode === 'uefi' ? { uefiData: i.uefiData ?? SAMPLE_UEFI_DATA } : {}),
      instanceStore: i.instanceStore ?? [],
    };
    claim('instance', state.instances, instance);
    result.instances.push({ instanceId, reservationId: instance.reservationId, volumeIds });
  }

  for (const s of seed.snapshots ?? []) {
    const state = store.region(s.region);
    const snapshot = completedSnapshot(
      cloud,
      state,
      {
        id: s.snapshotId,
        volumeId: s.volumeId ?? 'vol-ffffffff',
        volumeSize: s.sizeGiB,
        description: s.description ?? '',
        encrypted: s.encrypted ?? false,
        ...(s.encrypted ? { kmsKeyId: reportedKeyId(cloud, s.region, s.kmsKeyId) } : {}),
        tags: tagMap(s.tags),
      },
      seededTime(cloud, s.startTime, `snapshot ${s.snapshotId ?? ''} startTime`),
    );
    result.snapshots.push(snapshot.id);
  }

  for (const img of seed.images ?? []) {
    const state = store.region(img.region);
    try {
      checkImageName(img.name);
    } catch (error) {
      throw new RangeError(`seed: image name ${img.name}: ${(error as Error).message}`);
    }
    if (state.imageNames.has(img.name))
      throw new RangeError(`seed: image name ${img.name} is already in use`);
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const blockDevices: BlockDevice[] = [];
    (img.snapshotIds ?? []).forEach((snapshotId, n) => {
      const snapshot = state.snapshots.get(snapshotId);
      if (!snapshot)
        throw new RangeError(`seed: image ${img.name}: no snapshot ${snapshotId} in ${img.region}`);
      blockDevices.push({
        deviceName: n === 0 ? (img.rootDeviceName ?? '/dev/xvda') : `/dev/sd${letters[n] ?? 'z'}`,
        snapshotId,
        volumeSize: snapshot.volumeSize,
        volumeType: 'gp3',
        deleteOnTermination: true,
        encrypted: snapshot.encrypted,
      });
    });
    for (const d of img.blockDevices ?? []) {
      const snapshot = completedSnapshot(cloud, state, {
        volumeId: 'vol-ffffffff',
        volumeSize: d.sizeGiB,
        description: `Seeded for ${img.name}`,
        encrypted: false,
        tags: new Map(),
      });
      blockDevices.push({
        deviceName: d.deviceName,
        snapshotId: snapshot.id,
        volumeSize: d.sizeGiB,
        volumeType: 'gp3',
        deleteOnTermination: true,
        encrypted: false,
      });
    }
    for (const store of img.instanceStore ?? []) blockDevices.push({ ...store });
    const rootDeviceName = img.rootDeviceName ?? blockDevices[0]?.deviceName ?? '/dev/xvda';
    const image: ImageRecord = {
      id: img.imageId ?? cloud.ids.next('ami'),
      region: img.region,
      name: img.name,
      ...(img.description !== undefined ? { description: img.description } : {}),
      architecture: img.architecture ?? 'x86_64',
      virtualizationType: 'hvm',
      rootDeviceName,
      enaSupport: true,
      blockDevices,
      createdAt: seededTime(cloud, img.creationDate, `image ${img.name} creationDate`),
      settleMs: 0,
      visibleAt: now,
      tags: tagMap(img.tags),
      launchPermissions: (img.launchPermissionUserIds ?? []).map((userId) => ({ userId })),
      billing: DEFAULT_BILLING,
      productCodes: [],
      ...(img.guest ? { guest: img.guest } : {}),
    };
    if (state.images.has(image.id)) throw new RangeError(`seed: image ${image.id} already exists`);
    addImage({ state }, image);
    result.images.push({
      imageId: image.id,
      snapshotIds: blockDevices.map((d) => d.snapshotId).filter((s): s is string => !!s),
    });
  }
  return result;
};

const tagsJson = (t: Tags) => Object.fromEntries(t);

/** A JSON view of every region for the control API's /state. */
export const dumpEc2 = (cloud: LocalCloud) => {
  const store = ec2Store(cloud);
  const now = cloud.now();
  const regions: Record<string, unknown> = {};
  for (const [name, state] of store.regions) {
    regions[name] = {
      instances: [...state.instances.values()].map((i) => ({
        instanceId: i.id,
        state: instanceStateAt(i, now),
        volumes: i.devices,
        tags: tagsJson(i.tags),
      })),
      volumes: [...state.volumes.values()].map((v) => ({
        volumeId: v.id,
        state: volumeState(v, now),
        sizeGiB: v.size,
        tags: tagsJson(v.tags),
      })),
      snapshots: [...state.snapshots.values()].map((s) => {
        const view = snapshotView(s, now);
        return {
          snapshotId: s.id,
          volumeId: s.volumeId,
          state: view.state,
          progress: view.progress,
          ...(view.message ? { stateMessage: view.message } : {}),
          usedBy: [...(state.snapshotUsers.get(s.id) ?? [])],
          tags: tagsJson(s.tags),
        };
      }),
      images: [...state.images.values()].map((i) => {
        const view = imageView(i, state, now);
        return {
          imageId: i.id,
          name: i.name,
          state: view.state,
          ...(view.reason ? { stateReason: view.reason } : {}),
          snapshotIds: i.blockDevices.map((d) => d.snapshotId).filter(Boolean),
          public: isPublic(i.launchPermissions),
          launchPermissions: i.launchPermissions,
          tags: tagsJson(i.tags),
          platformDetails: i.billing.platformDetails,
          usageOperation: i.billing.usageOperation,
          productCodes: i.productCodes,
          ...(i.sourceInstanceId ? { sourceInstanceId: i.sourceInstanceId } : {}),
          ...(i.bootMode ? { bootMode: i.bootMode } : {}),
          ...bootAttributesOf(i),
          instanceStore: i.blockDevices.flatMap((d) =>
            d.virtualName ? [{ deviceName: d.deviceName, virtualName: d.virtualName }] : [],
          ),
        };
      }),
    };
  }
  return {
    regions,
    limits: store.limits,
    imageVisibilityDelayMs: store.imageVisibilityDelayMs,
    asyncFaults: store.asyncFaults.map((f) => ({ ...f.fault, remaining: f.remaining })),
    throttling: store.throttle ? { buckets: store.throttle.view() } : 'off',
    network: dumpNetwork(store),
  };
};
