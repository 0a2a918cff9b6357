/**
 * What a backup run WOULD do for one target (the dry run): the volumes it would snapshot,
 * the AMI it would make (RegisterImage or CreateImage, and why), the copies, the sharing and the rotation plan per region.
 * Built from the same domain functions the real steps use, so a request the real run
 * could not make (no root volume, paravirtual, io1 without IOPS) fails the plan the same way.
 */
import * as z from 'zod';
import {
  architectureSchema,
  bootModeSchema,
  buildRegisterImageRequest,
  type SourceInstance,
  type VolumeExclusions,
  volumeTypeSchema,
} from './block-devices.ts';
import { chooseImageMethod, imageMethodSchema } from './image-method.ts';
import { rotationReportSchema } from './rotation-report.ts';
import type { TargetSelection } from './target-cap.ts';

export const planItemSchema = z
  .object({
    resource: z.enum(['image', 'snapshot']),
    id: z.string(),
    runId: z.string().optional(),
    backupTime: z.string().optional(),
    reason: z.string(),
  })
  .strict();

const plannedVolumeSchema = z
  .object({
    volumeId: z.string().min(1),
    deviceName: z.string().optional(),
    sizeGiB: z.number().int().min(0),
    volumeType: volumeTypeSchema,
    iops: z.number().int().positive().optional(),
    throughput: z.number().int().positive().optional(),
  })
  .strict();

const excludedVolumeSchema = z
  .object({ volumeId: z.string().min(1), deviceName: z.string().optional(), reason: z.string() })
  .strict();

const plannedMappingSchema = z
  .object({
    deviceName: z.string().min(1),
    /** The volume whose new snapshot would back this mapping. */
    volumeId: z.string().min(1),
    sizeGiB: z.number().int().min(0),
    volumeType: volumeTypeSchema,
    iops: z.number().int().positive().optional(),
    throughput: z.number().int().positive().optional(),
    deleteOnTermination: z.boolean(),
  })
  .strict();

const imagePlanSchema = z
  .object({
    region: z.string().min(1),
    name: z.string().min(1),
    rootDeviceName: z.string().min(1),
    architecture: architectureSchema,
    virtualizationType: z.literal('hvm'),
    enaSupport: z.boolean(),
    bootMode: bootModeSchema.optional(),
    blockDeviceMappings: z.array(plannedMappingSchema),
    /**
     * How the run would make the AMI, chosen as the real step chooses it (chooseImageMethod):
     * CreateImage for licensed platforms, RegisterImage otherwise (which the real run may still
     * discard for CreateImage if the new AMI's billing differs from the instance's).
     */
    method: imageMethodSchema,
    methodReason: z.string(),
  })
  .strict();
export type ImagePlan = z.infer<typeof imagePlanSchema>;

export const targetPlanSchema = z
  .object({
    snapshots: z
      .object({
        region: z.string().min(1),
        call: z.enum(['CreateSnapshots', 'CreateSnapshot']),
        volumes: z.array(plannedVolumeSchema),
        excluded: z.array(excludedVolumeSchema),
        totalGiB: z.number().int().min(0),
      })
      .strict(),
    /** Absent for a snapshots-only target (standalone volume, or boot volume excluded). */
    image: imagePlanSchema.optional(),
    copies: z.array(z.object({ region: z.string().min(1), kmsKeyId: z.string().optional() }).strict()),
    /** Launch permissions per region the AMI would live in; absent when nothing is shared. */
    share: z
      .object({
        regions: z.array(z.string()),
        accountIds: z.array(z.string()),
        organizationArns: z.array(z.string()),
        organizationalUnitArns: z.array(z.string()),
        public: z.boolean(),
      })
      .strict()
      .optional(),
    /** The retention plan per region, as rotation would make it once this run's backup exists. */
    rotation: z.array(
      z
        .object({
          region: z.string().min(1),
          report: rotationReportSchema,
          wouldDelete: z.array(planItemSchema),
        })
        .strict(),
    ),
  })
  .strict();
export type TargetPlan = z.infer<typeof targetPlanSchema>;
export type SnapshotPlan = TargetPlan['snapshots'];

/** The plan section of a dry run's summary. */
export interface DryRunPlan {
  selection?: TargetSelection;
  targets: {
    target: string;
    kind: 'instance' | 'volume';
    form: 'image' | 'snapshots-only';
    plan?: TargetPlan;
    /** Why the real run would fail this target (e.g. `TargetNotFound: …`). */
    failure?: string;
  }[];
  totals: { snapshots: number; totalGiB: number; images: number; copies: number; wouldDelete: number };
}

const deviceKey = (name: string): string => name.replace(/^\/dev\//, '');

/**
 * The volumes of an instance `CreateSnapshots` would snapshot, with the exclusions applied
 * (the boot volume, listed data volumes).
 *
 * @example
 * planInstanceSnapshots('eu-west-1', instance, { excludeDataVolumeIds: ['vol-2'] });
 * // { region: 'eu-west-1', call: 'CreateSnapshots', volumes: [vol-1 …], excluded: [{ volumeId: 'vol-2', reason: 'excludeDataVolumeIds' }], totalGiB: 8 }
 */
export function planInstanceSnapshots(
  region: string,
  instance: SourceInstance,
  exclusions: VolumeExclusions,
): SnapshotPlan {
  const excludedData = new Set(exclusions.excludeDataVolumeIds ?? []);
  const volumes: SnapshotPlan['volumes'] = [];
  const excluded: SnapshotPlan['excluded'] = [];
  for (const d of instance.blockDevices) {
    const root = deviceKey(d.deviceName) === deviceKey(instance.rootDeviceName);
    if (root && exclusions.excludeBootVolume === true) {
      excluded.push({ volumeId: d.volumeId, deviceName: d.deviceName, reason: 'excludeBootVolume' });
    } else if (!root && excludedData.has(d.volumeId)) {
      excluded.push({ volumeId: d.volumeId, deviceName: d.deviceName, reason: 'excludeDataVolumeIds' });
    } else {
      volumes.push({
        volumeId: d.volumeId,
        deviceName: d.deviceName,
        sizeGiB: d.sizeGiB,
        volumeType: d.volumeType,
        ...(d.iops === undefined ? {} : { iops: d.iops }),
        ...(d.throughput === undefined ? {} : { throughput: d.throughput }),
      });
    }
  }
  return { region, call: 'CreateSnapshots', volumes, excluded, totalGiB: sumGiB(volumes) };
}

export const sumGiB = (volumes: readonly { sizeGiB: number }[]): number =>
  volumes.reduce((n, v) => n + v.sizeGiB, 0);

/**
 * The AMI RegisterImage would create, through the real request builder: each volume stands
 * in for the snapshot the run would take of it, so every check the real step makes applies.
 *
 * @throws InvalidBackupInput as {@link buildRegisterImageRequest} does.
 * @example
 * planImage({ region: 'eu-west-1', name: 'shipyard/nightly/i-1/run', instance, exclusions: {} });
 * // { name, rootDeviceName: '/dev/xvda', architecture: 'arm64', bootMode: 'uefi', blockDeviceMappings: [{ deviceName: '/dev/xvda', volumeId: 'vol-1', sizeGiB: 8, … }], … }
 */
export function planImage(input: {
  region: string;
  name: string;
  instance: SourceInstance;
  exclusions: VolumeExclusions;
}): ImagePlan {
  const { instance } = input;
  const snapshotsByVolumeId = Object.fromEntries(
    instance.blockDevices.map((d) => [d.volumeId, { snapshotId: d.volumeId, volumeSizeGiB: d.sizeGiB }]),
  );
  const request = buildRegisterImageRequest({
    name: input.name,
    instance,
    snapshotsByVolumeId,
    exclusions: input.exclusions,
  });
  const choice = chooseImageMethod(instance);
  return {
    region: input.region,
    name: request.Name,
    rootDeviceName: request.RootDeviceName,
    architecture: request.Architecture,
    virtualizationType: request.VirtualizationType,
    enaSupport: request.EnaSupport,
    ...(request.BootMode === undefined ? {} : { bootMode: request.BootMode }),
    blockDeviceMappings: request.BlockDeviceMappings.map(({ DeviceName, Ebs }) => ({
      deviceName: DeviceName,
      volumeId: Ebs.SnapshotId,
      sizeGiB: Ebs.VolumeSize,
      volumeType: Ebs.VolumeType,
      ...(Ebs.Iops === undefined ? {} : { iops: Ebs.Iops }),
      ...(Ebs.Throughput === undefined ? {} : { throughput: Ebs.Throughput }),
      deleteOnTermination: Ebs.DeleteOnTermination,
    })),
    method: choice.method,
    methodReason: choice.reason,
  };
}
