import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRetention, type RetentionInput } from '../../../shared/backup/retention.ts';
import { baseInput, imageBackup } from './inventory-builders.ts';
import { scenarioArb, TARGET_VOLUMES } from './retention-arbitraries.ts';
import { idsRemovedByActions, isAvailableRun, ourRuns, provenRuns } from './retention-oracles.ts';

const PROPERTY_RUNS = { numRuns: 400 };

/** A scenario plus a random subset of its AMIs (any owner, any state) recorded as verified. */
const verifiedScenarioArb = scenarioArb.chain(({ input }) =>
  fc
    .subarray(input.images.map((i) => i.imageId))
    .map((verifiedImageIds): RetentionInput => ({ ...input, verifiedImageIds })),
);

/** The newest of our available runs holding an available AMI that passed a restore test. */
function newestVerifiedRun(input: RetentionInput) {
  const verified = new Set(input.verifiedImageIds ?? []);
  return [...provenRuns(input).values()]
    .filter((run) => isAvailableRun(run, input.form))
    .filter((run) => run.images.some((i) => i.state === 'available' && verified.has(i.imageId)))
    .sort((a, b) => b.time - a.time)[0];
}

describe('planRetention keeps the newest verified backup (property-based)', () => {
  it('never deletes any resource of the newest verified backup of the target', () => {
    fc.assert(
      fc.property(verifiedScenarioArb, (input) => {
        // Act
        const plan = planRetention(input);
        // Assess
        const run = newestVerifiedRun(input);
        fc.pre(run !== undefined);
        const removed = idsRemovedByActions(plan);
        for (const image of run?.images.filter((i) => i.state === 'available') ?? [])
          expect(removed.has(image.imageId)).toBe(false);
        for (const snapshot of run?.snapshots.filter((s) => s.state === 'completed') ?? [])
          expect(removed.has(snapshot.snapshotId)).toBe(false);
      }),
      PROPERTY_RUNS,
    );
  });

  it('verification only ever keeps more: whatever it deletes, the plan without it deletes too', () => {
    fc.assert(
      fc.property(verifiedScenarioArb, (input) => {
        const withVerified = idsRemovedByActions(planRetention(input));
        const { verifiedImageIds: _ignored, ...unverified } = input;
        const without = idsRemovedByActions(planRetention({ ...unverified, maxDeletesPerRun: 1_000 }));
        for (const id of withVerified) expect(without.has(id)).toBe(true);
      }),
      PROPERTY_RUNS,
    );
  });

  it('keeps an old verified backup the rules alone would delete, and says why', () => {
    // Prepare: keepLast 1 would delete everything but the newest; the older one is verified.
    // The case is found by asking the rules themselves: without the verification, this plan
    // deletes the verified image (so no other reason to keep it holds).
    const withRules = (input: RetentionInput): RetentionInput => ({
      ...input,
      protectedIds: [],
      retention: { keepLast: 1 },
      maxDeletesPerRun: 1_000,
    });
    const verifiedImageOf = (input: RetentionInput) =>
      newestVerifiedRun(input)?.images.find(
        (i) => i.state === 'available' && input.verifiedImageIds?.includes(i.imageId),
      );
    const found = fc
      .sample(verifiedScenarioArb, 2_000)
      .map(withRules)
      .find((input) => {
        const image = verifiedImageOf(input);
        if (image === undefined) return false;
        const unverified = planRetention({ ...input, verifiedImageIds: [] });
        return unverified.delete.some((item) => item.id === image.imageId);
      });
    expect(found).toBeDefined();
    const input = found as RetentionInput;
    const image = verifiedImageOf(input);
    // Act
    const plan = planRetention(input);
    // Assess
    const kept = plan.keep.find((item) => item.id === image?.imageId);
    expect(kept?.reason).toContain('newest verified backup');
    expect(plan.delete.some((item) => item.id === image?.imageId)).toBe(false);
  });
});

describe('the newest verified backup and a pending snapshot of its run (fast-check seed -996751811)', () => {
  // The counterexample the property reported once (seed -996751811, after 331 runs), shrunk: the
  // current run's verified AMI is available, and a pending snapshot tagged for the current run is
  // listed by no AMI; an older recorded run holds a verified AMI no rule keeps. The oracle (then on
  // tags alone) held the current run "in progress" and so expected the older AMI kept.
  const CURRENT = 'run-current';
  const current = imageBackup(CURRENT, '2026-11-20T11:00:00Z');
  const older = imageBackup('run-old', '2026-11-18T11:59:00Z');
  const stray = {
    ...imageBackup(CURRENT, '2026-11-20T11:00:00Z', { idSuffix: 'stray', snapshotState: 'pending' })
      .snapshots[0],
  } as (typeof current.snapshots)[number];
  const inventory = (volumeOf: (index: number) => string) => {
    const onVolume = (s: typeof stray, i: number) => ({ ...s, volumeId: volumeOf(i) });
    return {
      images: [current.image, older.image],
      snapshots: [...current.snapshots.map(onVolume), ...older.snapshots.map(onVolume), onVolume(stray, 2)],
    };
  };
  const inputIn = (role: 'copy' | 'source'): RetentionInput =>
    baseInput({
      runId: CURRENT,
      form: 'image',
      retention: {},
      maxDeletesPerRun: 10,
      recordedRunIds: ['run-old'],
      verifiedImageIds: [current.image.imageId, older.image.imageId],
      // A copy region's snapshots carry the arbitrary volume id EC2 gives copies; the source
      // region's were taken of the target's volumes, which proves them ours.
      ...(role === 'copy'
        ? inventory(() => 'vol-ffffffff')
        : { ...inventory((i) => TARGET_VOLUMES[i] ?? 'vol-0'), sourceVolumeIds: TARGET_VOLUMES }),
    });

  it('copy region: a snapshot only tagged for the run holds nothing back; the older verified AMI goes', () => {
    const input = inputIn('copy');
    // Act
    const plan = planRetention(input);
    // Assess: the stray snapshot is not provably the run's (a copy is ours only through an AMI of
    // its run that lists it), so it is left alone and does not make the run pending...
    expect(plan.notOurs).toEqual([
      {
        resource: 'snapshot',
        id: 'snap-stray-0',
        reason: 'not ours, left alone: not used by an AMI of ours of its run',
      },
    ]);
    // ...which the oracle now agrees with (on tags alone it took the run for one in progress).
    const tagged = ourRuns(input).get(CURRENT);
    const proven = provenRuns(input).get(CURRENT);
    expect(tagged && isAvailableRun(tagged, 'image')).toBe(false);
    expect(proven && isAvailableRun(proven, 'image')).toBe(true);
    expect(newestVerifiedRun(input)?.images.map((i) => i.imageId)).toEqual([current.image.imageId]);
    // The current run's verified AMI is the newest verified backup and stays; the older is deleted.
    const removed = idsRemovedByActions(plan);
    for (const id of [current.image.imageId, 'snap-run-current-0', 'snap-stray-0'])
      expect(removed.has(id), id).toBe(false);
    expect([...removed].sort()).toEqual(['ami-run-old', 'snap-run-old-0']);
  });

  it('source region: a pending snapshot of the run on a target volume keeps the older verified AMI', () => {
    // Prepare: the same inventory where the stray snapshot was taken of a target volume, so it is
    // provably the current run's: that run is still in progress and licenses no deletion.
    const input = inputIn('source');
    // Act
    const plan = planRetention(input);
    // Assess
    expect(plan.notOurs).toEqual([]);
    expect(idsRemovedByActions(plan).size).toBe(0);
    expect(plan.keep.find((item) => item.id === 'ami-run-old')?.reason).toBe(
      'kept: newest verified backup (passed a restore test), newest available backup',
    );
    expect(newestVerifiedRun(input)?.images.map((i) => i.imageId)).toEqual(['ami-run-old']);
  });
});
