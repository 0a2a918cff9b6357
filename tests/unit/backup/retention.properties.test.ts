import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRetention } from '../../../shared/backup/retention.ts';
import { CURRENT_RUN, scenarioArb } from './retention-arbitraries.ts';
import { deletedSet, idsRemovedByActions, isAvailableRun, isOurs, ourRuns } from './retention-oracles.ts';

const PROPERTY_RUNS = { numRuns: 400 };

// ---------------------------------------------------------------- properties

describe('planRetention invariants (property-based)', () => {
  it("deletes only resources tagged as Shipyard's for this policy and target", () => {
    fc.assert(
      fc.property(scenarioArb, ({ input }) => {
        // Act
        const plan = planRetention(input);
        // Assess
        const ours = new Set([
          ...input.images.filter((i) => isOurs(i.tags)).map((i) => i.imageId),
          ...input.snapshots.filter((s) => isOurs(s.tags)).map((s) => s.snapshotId),
        ]);
        for (const id of [...deletedSet(plan), ...idsRemovedByActions(plan)]) expect(ours.has(id)).toBe(true);
      }),
      PROPERTY_RUNS,
    );
  });

  it('never deletes the newest available backup', () => {
    fc.assert(
      fc.property(scenarioArb, ({ input }) => {
        const plan = planRetention(input);
        const available = [...ourRuns(input).values()]
          .filter((run) => isAvailableRun(run, input.form))
          .sort((a, b) => b.time - a.time);
        const newest = available[0];
        fc.pre(newest !== undefined);
        const removed = idsRemovedByActions(plan);
        for (const image of newest?.images.filter((i) => i.state === 'available') ?? []) {
          expect(removed.has(image.imageId)).toBe(false);
        }
        for (const snapshot of newest?.snapshots.filter((s) => s.state === 'completed') ?? []) {
          expect(removed.has(snapshot.snapshotId)).toBe(false);
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it('never deletes what this run created (by run tag or protected id)', () => {
    fc.assert(
      fc.property(scenarioArb, ({ input }) => {
        const plan = planRetention(input);
        const removed = idsRemovedByActions(plan);
        const mine = [
          ...input.images.filter((i) => i.tags['shipyard:run'] === CURRENT_RUN).map((i) => i.imageId),
          ...input.snapshots.filter((s) => s.tags['shipyard:run'] === CURRENT_RUN).map((s) => s.snapshotId),
          ...(input.protectedIds ?? []),
        ];
        for (const id of mine) expect(removed.has(id)).toBe(false);
      }),
      PROPERTY_RUNS,
    );
  });

  it('deletes at most maxDeletesPerRun resources', () => {
    fc.assert(
      fc.property(scenarioArb, ({ input }) => {
        const plan = planRetention(input);
        expect(idsRemovedByActions(plan).size).toBeLessThanOrEqual(input.maxDeletesPerRun);
        expect(plan.actions.length).toBeLessThanOrEqual(input.maxDeletesPerRun);
      }),
      PROPERTY_RUNS,
    );
  });

  it('never deletes a snapshot used by an AMI that remains', () => {
    fc.assert(
      fc.property(scenarioArb, ({ input }) => {
        const plan = planRetention(input);
        const removed = idsRemovedByActions(plan);
        const remaining = input.images.filter((i) => i.state !== 'deregistered' && !removed.has(i.imageId));
        for (const image of remaining)
          for (const id of image.snapshotIds) expect(removed.has(id)).toBe(false);
      }),
      PROPERTY_RUNS,
    );
  });

  it('never touches pending resources nor anything of a run still in progress', () => {
    fc.assert(
      fc.property(scenarioArb, ({ input }) => {
        const plan = planRetention(input);
        const removed = idsRemovedByActions(plan);
        for (const run of ourRuns(input).values()) {
          const inProgress =
            run.images.some((i) => i.state === 'pending' || i.state === 'transient') ||
            run.snapshots.some((s) => s.state === 'pending');
          if (!inProgress) continue;
          for (const i of run.images) expect(removed.has(i.imageId)).toBe(false);
          for (const s of run.snapshots) expect(removed.has(s.snapshotId)).toBe(false);
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it('deletes failed AMIs as garbage when the cap allows', () => {
    fc.assert(
      fc.property(scenarioArb, ({ input }) => {
        const roomy = { ...input, maxDeletesPerRun: 1000 };
        const removed = idsRemovedByActions(planRetention(roomy));
        for (const [runId, run] of ourRuns(roomy)) {
          const settled =
            run.images.every((i) => ['available', 'failed', 'error', 'invalid'].includes(i.state)) &&
            run.snapshots.every((s) => s.state === 'completed' || s.state === 'error');
          const isProtected =
            runId === CURRENT_RUN || run.snapshots.some((s) => roomy.protectedIds?.includes(s.snapshotId));
          if (!settled || isProtected) continue;
          for (const image of run.images.filter((i) => i.state === 'failed'))
            expect(removed.has(image.imageId)).toBe(true);
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it('orders every deregistration before any snapshot deletion, and its actions match its delete list', () => {
    fc.assert(
      fc.property(scenarioArb, ({ input }) => {
        const plan = planRetention(input);
        const firstDelete = plan.actions.findIndex((a) => a.type === 'delete-snapshot');
        const lastDeregister = plan.actions.map((a) => a.type).lastIndexOf('deregister-image');
        if (firstDelete >= 0) expect(lastDeregister).toBeLessThan(firstDelete);
        expect([...idsRemovedByActions(plan)].sort()).toEqual([...deletedSet(plan)].sort());
        // Every inventory resource is classified exactly once.
        const classified = [...plan.keep, ...plan.delete, ...plan.ignored, ...plan.notOurs]
          .map((i) => i.id)
          .sort();
        expect(classified).toEqual(
          [...input.images.map((i) => i.imageId), ...input.snapshots.map((s) => s.snapshotId)].sort(),
        );
      }),
      PROPERTY_RUNS,
    );
  });

  it('does not depend on the order of the inventory listing', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer(), ({ input }, seed) => {
        const shuffle = <T>(items: readonly T[]): T[] =>
          items
            .map((item, i) => ({ item, key: Math.sin(seed + i * 7919) }))
            .sort((a, b) => a.key - b.key)
            .map((x) => x.item);
        const a = planRetention(input);
        const b = planRetention({
          ...input,
          images: shuffle(input.images),
          snapshots: shuffle(input.snapshots),
        });
        expect(b.actions).toEqual(a.actions);
        const byId = (x: { id: string }, y: { id: string }) => (x.id < y.id ? -1 : 1);
        expect([...b.keep].sort(byId)).toEqual([...a.keep].sort(byId));
        expect([...b.delete].sort(byId)).toEqual([...a.delete].sort(byId));
      }),
      PROPERTY_RUNS,
    );
  });

  it('is a union of rules: combining rules never deletes more than either alone', () => {
    const countRules = fc.record(
      { keepLast: fc.integer({ min: 0, max: 6 }), maxAgeDays: fc.integer({ min: 1, max: 90 }) },
      { requiredKeys: [] },
    );
    const gfsRules = fc.record({
      daily: fc.integer({ min: 0, max: 7 }),
      weekly: fc.integer({ min: 0, max: 5 }),
      monthly: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(scenarioArb, countRules, gfsRules, ({ input }, a, gfs) => {
        const roomy = { ...input, maxDeletesPerRun: 1000 };
        const onlyA = deletedSet(planRetention({ ...roomy, retention: a }));
        const onlyB = deletedSet(planRetention({ ...roomy, retention: { gfs } }));
        const both = deletedSet(planRetention({ ...roomy, retention: { ...a, gfs } }));
        for (const id of both) {
          expect(onlyA.has(id)).toBe(true);
          expect(onlyB.has(id)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
