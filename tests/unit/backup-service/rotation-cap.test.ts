import { describe, expect, it } from 'vitest';
import { Ec2Throttled } from '../../../shared/backup/errors.ts';
import { TAG_KEYS } from '../../../shared/backup/tags.ts';
import type { Ec2Image, Ec2Port, Ec2Snapshot } from '../../../shared/backup-service/ports/ec2.ts';
import { rotateRegion } from '../../../shared/backup-service/rotation.ts';
import { runOf } from '../../helpers/backup-deps.ts';
import { INSTANCE_A, policy, SOURCE } from '../../workflow/backup/scenario.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-20T00:30:00Z');
const run = runOf(
  policy({ retention: { keepLast: 1 }, maxDeletesPerRun: 10 }),
  'nightly-2026-03-20',
  new Date(NOW).toISOString(),
);
/** The six earlier runs and this one were recorded. */
const recordedRunIds = Array.from(
  { length: 7 },
  (_, i) => `nightly-2026-03-${String(20 - i).padStart(2, '0')}`,
);
const target = { id: INSTANCE_A, kind: 'instance' as const, form: 'image' as const };

/** Six nightly backups (AMI + one snapshot each) of the target, all managed by this policy. */
const inventory = () => {
  const images: Ec2Image[] = [];
  const snapshots: Ec2Snapshot[] = [];
  for (let night = 1; night <= 6; night += 1) {
    const at = new Date(NOW - night * DAY).toISOString();
    const runId = `nightly-2026-03-${String(20 - night).padStart(2, '0')}`;
    const tags = {
      [TAG_KEYS.managed]: 'true',
      [TAG_KEYS.policy]: 'nightly',
      [TAG_KEYS.target]: INSTANCE_A,
      [TAG_KEYS.run]: runId,
      [TAG_KEYS.createdAt]: at,
    };
    const snapshotId = `snap-0000000000000000${night}`;
    images.push({
      imageId: `ami-0000000000000000${night}`,
      name: `shipyard/nightly/${INSTANCE_A}/${runId}`,
      state: 'available',
      creationDate: at,
      tags,
      snapshotIds: [snapshotId],
    });
    snapshots.push({ snapshotId, state: 'completed', startTime: at, tags, volumeSizeGiB: 8 });
  }
  return { images, snapshots };
};

/** An EC2 port over the inventory whose deregister call throttles from the `throttleFrom`-th call on. */
const fakeEc2 = (throttleFrom: number) => {
  const { images, snapshots } = inventory();
  let deregisterCalls = 0;
  const deleted: string[] = [];
  const port = {
    region: SOURCE,
    describeImages: async () => images.filter((i) => !deleted.includes(i.imageId)),
    describeSnapshots: async () => snapshots.filter((s) => !deleted.includes(s.snapshotId)),
    deregisterImage: async (imageId: string) => {
      deregisterCalls += 1;
      if (deregisterCalls >= throttleFrom) throw new Ec2Throttled('RequestLimitExceeded');
      const image = images.find((i) => i.imageId === imageId);
      deleted.push(imageId, ...(image?.snapshotIds ?? []));
      return {
        kind: 'deregistered' as const,
        snapshots: (image?.snapshotIds ?? []).map((snapshotId) => ({ snapshotId, returnCode: 'success' })),
      };
    },
    deleteSnapshot: async (snapshotId: string) => {
      deleted.push(snapshotId);
      return 'deleted' as const;
    },
  } as unknown as Ec2Port;
  return { port, deleted };
};

describe('rotation under throttling keeps maxDeletesPerRun for the whole run', () => {
  it('defers the remaining deletions to the next run once some were made, instead of failing into a fresh retry', async () => {
    // Prepare: keepLast 1 → 5 backups to delete; EC2 throttles from the 3rd deregistration on
    const { port, deleted } = fakeEc2(3);
    // Act
    const result = await rotateRegion({ ec2: port, run, target, protectedIds: [], recordedRunIds });
    // Assess
    expect(result.report.deleted).toHaveLength(4); // 2 AMIs + their 2 snapshots
    expect(result.report.deferredDeletions).toBe(3);
    expect(result.report.failed).toEqual([]);
    expect(deleted).toHaveLength(4);
  });

  it('propagates a throttle before any deletion, so the state machine retries with the cap intact', async () => {
    const { port, deleted } = fakeEc2(1);
    await expect(
      rotateRegion({ ec2: port, run, target, protectedIds: [], recordedRunIds }),
    ).rejects.toBeInstanceOf(Ec2Throttled);
    expect(deleted).toEqual([]);
  });
});
