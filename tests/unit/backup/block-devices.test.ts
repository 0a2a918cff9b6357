import { describe, expect, it } from 'vitest';
import {
  backupFormOf,
  buildCreateSnapshotsRequest,
  buildRegisterImageRequest,
  type SourceInstance,
  sourceInstanceSchema,
  type VolumeExclusions,
  type VolumeSnapshot,
} from '../../../shared/backup/block-devices.ts';
import { InvalidBackupInput } from '../../../shared/backup/errors.ts';

const instance: SourceInstance = {
  instanceId: 'i-0123456789abcdef0',
  rootDeviceName: '/dev/xvda',
  architecture: 'arm64',
  virtualizationType: 'hvm',
  enaSupport: true,
  bootMode: 'uefi',
  blockDevices: [
    {
      deviceName: '/dev/xvda',
      volumeId: 'vol-root',
      deleteOnTermination: true,
      sizeGiB: 8,
      volumeType: 'gp3',
      iops: 3000,
      throughput: 125,
    },
    {
      deviceName: '/dev/sdf',
      volumeId: 'vol-data',
      deleteOnTermination: false,
      sizeGiB: 100,
      volumeType: 'io2',
      iops: 8000,
    },
    {
      deviceName: '/dev/sdg',
      volumeId: 'vol-logs',
      deleteOnTermination: false,
      sizeGiB: 500,
      volumeType: 'st1',
    },
  ],
};

const snapshots = {
  'vol-root': { snapshotId: 'snap-root', volumeSizeGiB: 8 },
  'vol-data': { snapshotId: 'snap-data', volumeSizeGiB: 100 },
  'vol-logs': { snapshotId: 'snap-logs', volumeSizeGiB: 500 },
};

describe('buildRegisterImageRequest', () => {
  it('copies root device, architecture, ENA and boot mode, and sets hvm explicitly', () => {
    // Act
    const request = buildRegisterImageRequest({
      name: 'shipyard/n/i/r',
      description: 'd',
      instance,
      snapshotsByVolumeId: snapshots,
    });
    // Assess
    expect(request).toEqual({
      Name: 'shipyard/n/i/r',
      Description: 'd',
      RootDeviceName: '/dev/xvda',
      VirtualizationType: 'hvm',
      Architecture: 'arm64',
      EnaSupport: true,
      BootMode: 'uefi',
      BlockDeviceMappings: [
        {
          DeviceName: '/dev/xvda',
          Ebs: {
            SnapshotId: 'snap-root',
            VolumeSize: 8,
            VolumeType: 'gp3',
            Iops: 3000,
            Throughput: 125,
            DeleteOnTermination: true,
          },
        },
        {
          DeviceName: '/dev/sdf',
          Ebs: {
            SnapshotId: 'snap-data',
            VolumeSize: 100,
            VolumeType: 'io2',
            Iops: 8000,
            DeleteOnTermination: false,
          },
        },
        {
          DeviceName: '/dev/sdg',
          Ebs: { SnapshotId: 'snap-logs', VolumeSize: 500, VolumeType: 'st1', DeleteOnTermination: false },
        },
      ],
    });
    expect(JSON.stringify(request)).not.toContain('Encrypted');
  });

  it('puts the root first whatever the instance order, and matches sda1 to /dev/sda1', () => {
    const reordered: SourceInstance = {
      ...instance,
      rootDeviceName: 'sda1',
      blockDevices: [
        {
          deviceName: '/dev/sdf',
          volumeId: 'vol-data',
          deleteOnTermination: false,
          sizeGiB: 100,
          volumeType: 'gp2',
        },
        {
          deviceName: '/dev/sda1',
          volumeId: 'vol-root',
          deleteOnTermination: true,
          sizeGiB: 8,
          volumeType: 'gp2',
        },
      ],
    };
    const request = buildRegisterImageRequest({
      name: 'n',
      instance: reordered,
      snapshotsByVolumeId: snapshots,
    });
    expect(request.BlockDeviceMappings.map((m) => m.DeviceName)).toEqual(['/dev/sda1', '/dev/sdf']);
    expect(request.BlockDeviceMappings[1]?.Ebs).toEqual({
      SnapshotId: 'snap-data',
      VolumeSize: 100,
      VolumeType: 'gp2',
      DeleteOnTermination: false,
    });
  });

  it('uses the larger of volume and snapshot size (a volume resized after the snapshot)', () => {
    const request = buildRegisterImageRequest({
      name: 'n',
      instance,
      snapshotsByVolumeId: { ...snapshots, 'vol-root': { snapshotId: 'snap-root', volumeSizeGiB: 16 } },
    });
    expect(request.BlockDeviceMappings[0]?.Ebs.VolumeSize).toBe(16);
  });

  it.each([
    {
      name: 'boot mode from the AMI wins',
      bootMode: 'uefi-preferred' as const,
      current: 'uefi' as const,
      expected: 'uefi-preferred',
    },
    {
      name: 'else how it booted',
      bootMode: undefined,
      current: 'legacy-bios' as const,
      expected: 'legacy-bios',
    },
    { name: 'else omitted', bootMode: undefined, current: undefined, expected: undefined },
  ])('boot mode: $name', ({ bootMode, current, expected }) => {
    const source: SourceInstance = { ...instance, bootMode, currentInstanceBootMode: current };
    expect(
      buildRegisterImageRequest({ name: 'n', instance: source, snapshotsByVolumeId: snapshots }).BootMode,
    ).toBe(expected);
  });

  it('leaves excluded data volumes out of the AMI', () => {
    const request = buildRegisterImageRequest({
      name: 'n',
      instance,
      snapshotsByVolumeId: { 'vol-root': snapshots['vol-root'], 'vol-data': snapshots['vol-data'] },
      exclusions: { excludeDataVolumeIds: ['vol-logs'] },
    });
    expect(request.BlockDeviceMappings.map((m) => m.Ebs.SnapshotId)).toEqual(['snap-root', 'snap-data']);
  });

  it.each<{
    name: string;
    change: Partial<SourceInstance>;
    exclusions?: VolumeExclusions;
    snaps: Record<string, VolumeSnapshot>;
    message: RegExp;
  }>([
    {
      name: 'boot volume excluded',
      change: {},
      exclusions: { excludeBootVolume: true },
      snaps: snapshots,
      message: /boot volume excluded/,
    },
    {
      name: 'root snapshot missing',
      change: {},
      snaps: { 'vol-data': snapshots['vol-data'], 'vol-logs': snapshots['vol-logs'] },
      message: /no snapshot of root volume vol-root/,
    },
    {
      name: 'data snapshot missing',
      change: {},
      snaps: { 'vol-root': snapshots['vol-root'], 'vol-logs': snapshots['vol-logs'] },
      message: /no snapshot of volume vol-data/,
    },
    {
      name: 'root device not mapped',
      change: { rootDeviceName: '/dev/nvme0n1' },
      snaps: snapshots,
      message: /root device \/dev\/nvme0n1 is not among/,
    },
    {
      name: 'paravirtual source',
      change: { virtualizationType: 'paravirtual' as const },
      snaps: snapshots,
      message: /paravirtual/,
    },
    {
      name: 'io2 without iops',
      change: {
        blockDevices: [
          {
            deviceName: '/dev/xvda',
            volumeId: 'vol-root',
            deleteOnTermination: true,
            sizeGiB: 8,
            volumeType: 'io2' as const,
          },
        ],
      },
      snaps: snapshots,
      message: /has no iops/,
    },
  ])('rejects: $name', ({ change, exclusions, snaps, message }) => {
    const call = () =>
      buildRegisterImageRequest({
        name: 'n',
        instance: { ...instance, ...change },
        snapshotsByVolumeId: snaps,
        ...(exclusions ? { exclusions } : {}),
      });
    expect(call).toThrow(InvalidBackupInput);
    expect(call).toThrow(message);
  });

  it('validates a described instance at the boundary', () => {
    expect(sourceInstanceSchema.safeParse(instance).success).toBe(true);
    expect(sourceInstanceSchema.safeParse({ ...instance, architecure: 'arm64' }).success).toBe(false);
  });
});

describe('backup form and snapshot requests', () => {
  it.each([
    [{ kind: 'instance' as const }, 'image'],
    [{ kind: 'instance' as const, excludeBootVolume: false }, 'image'],
    [{ kind: 'instance' as const, excludeBootVolume: true }, 'snapshots-only'],
    [{ kind: 'volume' as const }, 'snapshots-only'],
  ])('backupFormOf(%j) = %s', (target, expected) => {
    expect(backupFormOf(target)).toBe(expected);
  });

  it('builds CreateSnapshots with exclusions', () => {
    expect(
      buildCreateSnapshotsRequest('i-1', 'desc', {
        excludeBootVolume: true,
        excludeDataVolumeIds: ['vol-2'],
      }),
    ).toEqual({
      InstanceSpecification: { InstanceId: 'i-1', ExcludeBootVolume: true, ExcludeDataVolumeIds: ['vol-2'] },
      Description: 'desc',
    });
    expect(buildCreateSnapshotsRequest('i-1', 'desc')).toEqual({
      InstanceSpecification: { InstanceId: 'i-1', ExcludeBootVolume: false },
      Description: 'desc',
    });
  });
});
