/** Builders of inventory records for the retention tests. */
import type { ImageRecord, SnapshotRecord } from '../../../shared/backup/inventory.ts';
import { imageName } from '../../../shared/backup/naming.ts';
import type { RetentionInput } from '../../../shared/backup/retention.ts';

export const POLICY = 'nightly';
export const TARGET = 'i-0123456789abcdef0';
export const REGION = 'eu-central-1';

export interface Owner {
  policy?: string;
  target?: string;
  managed?: boolean;
}

export function managedTagRecord(
  runId: string,
  createdAt: string,
  owner: Owner = {},
): Record<string, string> {
  if (owner.managed === false) return { Name: 'hand-made' };
  return {
    'shipyard:managed': 'true',
    'shipyard:policy': owner.policy ?? POLICY,
    'shipyard:target': owner.target ?? TARGET,
    'shipyard:run': runId,
    'shipyard:created-at': createdAt,
    'shipyard:source-region': REGION,
  };
}

/** One backup: an AMI (with the name Shipyard gives it) and its snapshots, all tagged for `runId`. */
export function imageBackup(
  runId: string,
  createdAt: string,
  options: {
    imageState?: string;
    snapshotState?: string;
    volumes?: number;
    owner?: Owner;
    idSuffix?: string;
  } = {},
): { image: ImageRecord; snapshots: SnapshotRecord[] } {
  const suffix = options.idSuffix ?? runId;
  const tags = managedTagRecord(runId, createdAt, options.owner);
  const snapshots = Array.from({ length: options.volumes ?? 1 }, (_, i) => ({
    snapshotId: `snap-${suffix}-${i}`,
    state: options.snapshotState ?? 'completed',
    startTime: createdAt,
    tags: { ...tags, 'shipyard:kind': 'snapshot' },
  }));
  const image: ImageRecord = {
    imageId: `ami-${suffix}`,
    name: imageName({
      policy: options.owner?.policy ?? POLICY,
      target: options.owner?.target ?? TARGET,
      runId,
    }),
    state: options.imageState ?? 'available',
    creationDate: createdAt,
    tags: { ...tags, 'shipyard:kind': 'image' },
    snapshotIds: snapshots.map((s) => s.snapshotId),
  };
  return { image, snapshots };
}

export function baseInput(overrides: Partial<RetentionInput> = {}): RetentionInput {
  return {
    policy: POLICY,
    target: TARGET,
    region: REGION,
    runId: 'nightly-current',
    now: '2026-11-20T12:00:00Z',
    timeZone: 'Europe/Berlin',
    retention: { keepLast: 3 },
    maxDeletesPerRun: 100,
    images: [],
    snapshots: [],
    ...overrides,
  };
}

/** Ids a plan deletes, explicit and through DeleteAssociatedSnapshots. */
export function deletedIds(plan: { delete: { id: string }[] }): Set<string> {
  return new Set(plan.delete.map((i) => i.id));
}
