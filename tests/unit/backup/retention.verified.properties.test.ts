import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRetention, type RetentionInput } from '../../../shared/backup/retention.ts';
import { scenarioArb } from './retention-arbitraries.ts';
import { idsRemovedByActions, isAvailableRun, ourRuns } from './retention-oracles.ts';

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
  return [...ourRuns(input).values()]
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
    const found = fc.sample(verifiedScenarioArb, { numRuns: 2_000, seed: 20261202 }).find((input) => {
      const runs = [...ourRuns(input).values()].filter((r) => isAvailableRun(r, input.form));
      const verifiedRun = newestVerifiedRun(input);
      const newest = runs.sort((a, b) => b.time - a.time)[0];
      // A backup of the current run is kept as the run's own, whatever else holds: not this case.
      const ofCurrentRun = verifiedRun?.images.some((i) => i.tags['shipyard:run'] === input.runId) ?? false;
      return verifiedRun !== undefined && newest !== undefined && verifiedRun !== newest && !ofCurrentRun;
    });
    expect(found).toBeDefined();
    const input = {
      ...(found as RetentionInput),
      protectedIds: [],
      retention: { keepLast: 1 },
      maxDeletesPerRun: 1_000,
    };
    const run = newestVerifiedRun(input);
    // Act
    const plan = planRetention(input);
    // Assess
    const image = run?.images.find(
      (i) => i.state === 'available' && input.verifiedImageIds?.includes(i.imageId),
    );
    const kept = plan.keep.find((item) => item.id === image?.imageId);
    expect(kept?.reason).toContain('newest verified backup');
  });
});
