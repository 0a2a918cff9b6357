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
