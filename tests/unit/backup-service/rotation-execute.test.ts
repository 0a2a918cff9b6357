/**
 * Rotation executing its plan over a fake EC2 port: what EC2 answers per item becomes that
 * item's outcome in the report — an AMI or snapshot already gone, a snapshot still in use,
 * a terminal refusal — and never stops the other deletions.
 */
import { describe, expect, it } from 'vitest';
import { Ec2AccessDenied } from '../../../shared/backup/errors.ts';
import { TAG_KEYS } from '../../../shared/backup/tags.ts';
import type { Ec2Image, Ec2Port, Ec2Snapshot } from '../../../shared/backup-service/ports/ec2.ts';
import { rotateRegion } from '../../../shared/backup-service/rotation.ts';
import { runOf } from '../../helpers/backup-deps.ts';
import { INSTANCE_A, policy, SOURCE } from '../../workflow/backup/scenario.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-20T00:30:00Z');
const VOLUME = 'vol-0a0000000000000a0';
const run = runOf(
  policy({ retention: { keepLast: 1 }, maxDeletesPerRun: 20 }),
  'nightly-2026-03-20',
  new Date(NOW).toISOString(),
);
const runIdOf = (night: number) => `nightly-2026-03-${String(20 - night).padStart(2, '0')}`;
const recordedRunIds = [0, 1, 2, 3, 4].map(runIdOf);

/** Nights 1…4 before this run: one snapshot each (and an AMI each when `withImages`). */
function inventory(withImages: boolean) {
  const images: Ec2Image[] = [];
  const snapshots: Ec2Snapshot[] = [];
  for (let night = 1; night <= 4; night += 1) {
    const at = new Date(NOW - night * DAY).toISOString();
    const tags = {
      [TAG_KEYS.managed]: 'true',
      [TAG_KEYS.policy]: 'nightly',
      [TAG_KEYS.target]: INSTANCE_A,
      [TAG_KEYS.run]: runIdOf(night),
      [TAG_KEYS.createdAt]: at,
    };
    const snapshotId = `snap-${night}`;
    snapshots.push({
      snapshotId,
      state: 'completed',
      startTime: at,
      tags,
      volumeSizeGiB: 8,
      volumeId: VOLUME,
    });
    if (withImages)
      images.push({
        imageId: `ami-${night}`,
        name: `shipyard/nightly/${INSTANCE_A}/${runIdOf(night)}`,
        state: 'available',
        creationDate: at,
        tags,
        snapshotIds: [snapshotId],
      });
  }
  return { images, snapshots };
}

/** An EC2 port over the inventory answering each deletion as `answers` says (default: done). */
function fakeEc2(withImages: boolean, answers: Record<string, 'not-found' | 'in-use' | Error>) {
  const { images, snapshots } = inventory(withImages);
  const calls: string[] = [];
  const answer = (id: string) => {
    calls.push(id);
    const a = answers[id];
    if (a instanceof Error) throw a;
    return a;
  };
  const port = {
    region: SOURCE,
    describeImages: async () => images,
    describeSnapshots: async () => snapshots,
    deregisterImage: async (imageId: string) => {
      const a = answer(imageId);
      if (a === 'not-found') return { kind: 'not-found' as const, snapshots: [] };
      const image = images.find((i) => i.imageId === imageId);
      return {
        kind: 'deregistered' as const,
        snapshots: (image?.snapshotIds ?? []).map((snapshotId) => ({ snapshotId, returnCode: 'success' })),
      };
    },
    deleteSnapshot: async (snapshotId: string) => answer(snapshotId) ?? ('deleted' as const),
  } as unknown as Ec2Port;
  return { port, calls };
}

describe('rotation outcomes per item', () => {
  it('reports an AMI deregistered meanwhile as already gone and deletes the others with their snapshots', async () => {
    // Prepare: keepLast 1 keeps night 1; nights 2-4 go; ami-3 was deregistered by someone meanwhile.
    const { port, calls } = fakeEc2(true, { 'ami-3': 'not-found' });
    // Act
    const { report } = await rotateRegion({
      ec2: port,
      run,
      target: { id: INSTANCE_A, kind: 'instance', form: 'image' },
      protectedIds: [],
      recordedRunIds,
      sourceVolumeIds: [VOLUME],
    });
    // Assess
    expect(calls.sort()).toEqual(['ami-2', 'ami-3', 'ami-4']);
    expect(report.alreadyGone).toEqual(['ami-3']);
    expect(report.deleted.sort()).toEqual(['ami-2', 'ami-4', 'snap-2', 'snap-4']);
    expect(report.failed).toEqual([]);
    expect(report.keptBackups).toBe(1); // night 1, the newest
  });

  it('reports a snapshot in use as skipped, one gone as already gone, a refusal as failed, and goes on', async () => {
    // Prepare: a snapshots-only target; nights 2-4 go.
    const { port, calls } = fakeEc2(false, {
      'snap-2': 'in-use',
      'snap-3': 'not-found',
      'snap-4': new Ec2AccessDenied('DeleteSnapshot (eu-west-1): UnauthorizedOperation: not allowed'),
    });
    // Act
    const { report } = await rotateRegion({
      ec2: port,
      run,
      target: { id: INSTANCE_A, kind: 'instance', form: 'snapshots-only' },
      protectedIds: [],
      recordedRunIds,
      sourceVolumeIds: [VOLUME],
    });
    // Assess
    expect(calls.sort()).toEqual(['snap-2', 'snap-3', 'snap-4']);
    expect(report.deleted).toEqual([]);
    expect(report.skippedInUse).toEqual(['snap-2']);
    expect(report.alreadyGone).toEqual(['snap-3']);
    expect(report.failed).toEqual([
      {
        id: 'snap-4',
        detail: expect.stringContaining('UnauthorizedOperation: not allowed'),
        retryable: false,
      },
    ]);
  });
});
