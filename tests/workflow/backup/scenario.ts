/**
 * The fleet and policy the workflow tests run against: three instances in eu-west-1 (one
 * with three volumes), copies to us-east-1 and eu-central-1 (each with its own KMS key),
 * shared with one account.
 */
import type { ControlClient } from '@shipyard/local-cloud';
import {
  type BackupPolicy,
  type BackupPolicyInput,
  backupPolicySchema,
} from '../../../shared/config/policies.ts';
import { runRecordsSeed } from '../../helpers/backup-deps.ts';

export const SOURCE = 'eu-west-1';
export const COPY_A = 'us-east-1';
export const COPY_B = 'eu-central-1';
export const SHARE_WITH = '210987654321';
export const KEY_A = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
export const KEY_B = 'arn:aws:kms:eu-central-1:123456789012:key/66666666-7777-8888-9999-000000000000';
/** Well-formed, in the right region, never created: the copy fails asynchronously. */
export const MISSING_KEY = 'arn:aws:kms:eu-central-1:123456789012:key/deadbeef-dead-beef-dead-beefdeadbeef';

export const INSTANCE_A = 'i-0aaaaaaaaaaaaaaa1';
export const INSTANCE_B = 'i-0bbbbbbbbbbbbbbb2';
export const INSTANCE_C = 'i-0ccccccccccccccc3';
export const VOLUMES_B = ['vol-0b0000000000000b1', 'vol-0b0000000000000b2', 'vol-0b0000000000000b3'];

export function policy(overrides: Partial<BackupPolicyInput> = {}): BackupPolicy {
  return backupPolicySchema.parse({
    name: 'nightly',
    schedule: { cron: 'cron(30 1 * * ? *)', timeZone: 'Europe/Berlin' },
    sourceRegion: SOURCE,
    targets: { instanceIds: [INSTANCE_A], tags: { Backup: 'nightly' } },
    copyRegions: [
      { region: COPY_A, kmsKeyId: KEY_A },
      { region: COPY_B, kmsKeyId: KEY_B },
    ],
    share: { accountIds: [SHARE_WITH] },
    retention: { keepLast: 7 },
    ...overrides,
  } satisfies BackupPolicyInput);
}

const instance = (
  instanceId: string,
  volumes: { id: string; device: string; size: number }[],
  tags = {},
) => ({
  region: SOURCE,
  instanceId,
  architecture: 'arm64',
  rootDeviceName: '/dev/xvda',
  bootMode: 'uefi',
  enaSupport: true,
  tags,
  volumes: volumes.map((v) => ({ deviceName: v.device, volumeId: v.id, sizeGiB: v.size, volumeType: 'gp3' })),
});

/** Seeds the fleet (plus an untagged instance that must never be backed up). */
export async function seedFleet(control: ControlClient, extra: Record<string, unknown> = {}) {
  await control.seed({
    ec2: {
      instances: [
        instance(INSTANCE_A, [{ id: 'vol-0a0000000000000a1', device: '/dev/xvda', size: 8 }]),
        instance(
          INSTANCE_B,
          [
            { id: VOLUMES_B[0] ?? '', device: '/dev/xvda', size: 20 },
            { id: VOLUMES_B[1] ?? '', device: '/dev/sdf', size: 50 },
            { id: VOLUMES_B[2] ?? '', device: '/dev/sdg', size: 10 },
          ],
          { Backup: 'nightly' },
        ),
        instance(INSTANCE_C, [{ id: 'vol-0c0000000000000c1', device: '/dev/xvda', size: 8 }], {
          Backup: 'nightly',
        }),
        instance('i-0ddddddddddddddd4', [{ id: 'vol-0d0000000000000d1', device: '/dev/xvda', size: 8 }]),
      ],
      kmsKeys: [
        { region: COPY_A, keyId: KEY_A },
        { region: COPY_B, keyId: KEY_B },
      ],
      ...extra,
    },
  });
}

/**
 * One execution of the workflow: named `runId`, its input naming the policy `p` (plus
 * `dryRun` / `targets`), with `p` as the deployed policy of that name.
 */
export const runInput = (p: BackupPolicy, runId: string, more: Record<string, unknown> = {}) => ({
  name: runId,
  input: { policy: p.name, ...more },
  policies: [p],
});

export interface OldBackup {
  policy: string;
  target: string;
  runId: string;
  createdAt: string;
  /** 17 hex digits, unique per seeded backup. */
  hex: string;
  managed?: boolean;
}

/**
 * Seeds finished backups (a tagged snapshot + the AMI registered from it) as earlier runs
 * left them, and the run records of those runs (unmanaged look-alikes have none).
 */
export async function seedOldBackups(control: ControlClient, region: string, backups: OldBackup[]) {
  const tags = (b: OldBackup, kind: string) =>
    b.managed === false
      ? {}
      : {
          'shipyard:managed': 'true',
          'shipyard:policy': b.policy,
          'shipyard:target': b.target,
          'shipyard:run': b.runId,
          'shipyard:created-at': b.createdAt,
          'shipyard:source-region': SOURCE,
          'shipyard:kind': kind,
        };
  await control.seed({
    s3: runRecordsSeed(
      backups.filter((b) => b.managed !== false).map((b) => ({ ...b, startedAt: b.createdAt })),
    ),
    ec2: {
      snapshots: backups.map((b) => ({
        region,
        snapshotId: `snap-${b.hex}`,
        sizeGiB: 8,
        tags: tags(b, 'snapshot'),
        startTime: b.createdAt,
      })),
      images: backups.map((b) => ({
        region,
        imageId: `ami-${b.hex}`,
        name: b.managed === false ? `golden-${b.hex}` : `shipyard/${b.policy}/${b.target}/${b.runId}`,
        snapshotIds: [`snap-${b.hex}`],
        tags: tags(b, 'image'),
        creationDate: b.createdAt,
      })),
    },
  });
}
