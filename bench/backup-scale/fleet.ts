/**
 * The benchmark fleet: N instances × 5 volumes in eu-west-1, copied to three regions, with
 * durations in the range AWS documents or users report, and the default EC2 limits.
 * Volume sizes are deterministic (the same fleet every run) and varied (8–200 GiB).
 */
import { DEFAULT_DURATIONS, type Durations } from '@shipyard/local-cloud';
import { type BackupPolicy, backupPolicySchema } from '../../shared/config/policies.ts';

export const SOURCE = 'eu-west-1';
export const COPY_REGIONS = ['us-east-1', 'eu-central-1', 'ap-southeast-2'] as const;
const VOLUMES_PER_INSTANCE = 5;
const KEY = (region: string, n: number) =>
  `arn:aws:kms:${region}:123456789012:key/0000000${n}-1111-2222-3333-444444444444`;

/**
 * First-night (full) snapshots at ~340 MB/s, registration in 90 s, cross-region copies at
 * ~250 MB/s scaled per region pair (farther regions are slower), never under 3 minutes.
 */
export const BENCH_DURATIONS: Durations = {
  ...DEFAULT_DURATIONS,
  snapshotMsPerGiB: 3_000,
  snapshotMinMs: 60_000,
  incrementalFactor: 0.2,
  registerImageMs: 90_000,
  copyMsPerGiB: 4_000,
  copyMinMs: 180_000,
  copyRegionFactor: {
    [`${SOURCE}>us-east-1`]: 1.3,
    [`${SOURCE}>eu-central-1`]: 1,
    [`${SOURCE}>ap-southeast-2`]: 1.8,
  },
  volumeCreateMs: 10_000,
  invalidationMs: 120_000,
};

/** Root 8–30 GiB, data volumes 20–200 GiB: deterministic per instance and device. */
export const volumeSizes = (instance: number): number[] =>
  Array.from({ length: VOLUMES_PER_INSTANCE }, (_, device) =>
    device === 0 ? 8 + ((instance * 7) % 23) : 20 + ((instance * 37 + device * 53) % 181),
  );

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
export const instanceId = (n: number) => `i-0${hex(n, 16)}`;
const volumeId = (n: number, device: number) => `vol-0${hex(n * 8 + device, 16)}`;
const DEVICES = ['/dev/xvda', '/dev/sdf', '/dev/sdg', '/dev/sdh', '/dev/sdi'];

/**
 * `shardSize`: instances per policy. A run carries every target's outcome in its Step
 * Functions state (256 KiB at most), so a fleet over maxTargetsPerRun is split into several
 * policies, selected by a `Shard` tag.
 */
export const fleetSeed = (instances: number, shardSize = instances) => ({
  ec2: {
    instances: Array.from({ length: instances }, (_, n) => ({
      region: SOURCE,
      instanceId: instanceId(n),
      architecture: 'x86_64',
      rootDeviceName: '/dev/xvda',
      tags: { Backup: 'bench', Shard: `${Math.floor(n / shardSize)}` },
      volumes: volumeSizes(n).map((sizeGiB, device) => ({
        deviceName: DEVICES[device] ?? '/dev/sdz',
        volumeId: volumeId(n, device),
        sizeGiB,
        volumeType: 'gp3',
      })),
    })),
    kmsKeys: COPY_REGIONS.map((region, n) => ({ region, keyId: KEY(region, n) })),
  },
});

/** The policy a user with this fleet writes: everything tagged, three copy regions, a week kept. */
export const benchPolicy = (overrides: Record<string, unknown> = {}): BackupPolicy =>
  backupPolicySchema.parse({
    name: 'bench',
    schedule: { cron: 'cron(30 1 * * ? *)', timeZone: 'Europe/Berlin' },
    sourceRegion: SOURCE,
    targets: { tags: { Backup: 'bench' } },
    copyRegions: COPY_REGIONS.map((region, n) => ({ region, kmsKeyId: KEY(region, n) })),
    retention: { keepLast: 7 },
    ...overrides,
  });
