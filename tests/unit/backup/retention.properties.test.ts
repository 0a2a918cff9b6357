import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImageRecord, SnapshotRecord } from '../../../shared/backup/inventory.ts';
import { planRetention, type RetentionInput, type RetentionPlan } from '../../../shared/backup/retention.ts';
import type { RetentionRule } from '../../../shared/backup/retention-rules.ts';
import { POLICY, REGION, TARGET } from './inventory-builders.ts';

// ---------------------------------------------------------------- generators

const NOW_MS = Date.parse('2026-11-20T12:00:00Z');
const CURRENT_RUN = 'run-current';

const ownerArb = fc.constantFrom('ours', 'ours', 'ours', 'ours', 'other-policy', 'other-target', 'unmanaged');
type OwnerKind = 'ours' | 'other-policy' | 'other-target' | 'unmanaged';

const runArb = fc.record({
  owner: ownerArb as fc.Arbitrary<OwnerKind>,
  hasImage: fc.boolean(),
  imageState: fc.constantFrom(
    'available',
    'available',
    'available',
    'pending',
    'failed',
    'error',
    'invalid',
    'deregistered',
    'disabled',
    'transient',
  ),
  snapshotStates: fc.array(
    fc.constantFrom('completed', 'completed', 'completed', 'pending', 'error', 'recoverable'),
    {
      minLength: 0,
      maxLength: 3,
    },
  ),
  isCurrent: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

const retentionArb: fc.Arbitrary<RetentionRule> = fc.record(
  {
    keepLast: fc.integer({ min: 0, max: 6 }),
    maxAgeDays: fc.integer({ min: 1, max: 120 }),
    gfs: fc.record(
      {
        daily: fc.integer({ min: 0, max: 7 }),
        weekly: fc.integer({ min: 0, max: 5 }),
        monthly: fc.integer({ min: 0, max: 4 }),
        yearly: fc.integer({ min: 0, max: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

interface Scenario {
  input: RetentionInput;
  /** run id → kind of owner, for the independent checks. */
  owners: Map<string, OwnerKind>;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    runs: fc.array(runArb, { maxLength: 14 }),
    minuteOffsets: fc.uniqueArray(fc.integer({ min: -600, max: 400 * 24 * 60 }), {
      minLength: 14,
      maxLength: 14,
    }),
    crossRefs: fc.array(fc.tuple(fc.nat(13), fc.nat(13)), { maxLength: 3 }),
    retention: retentionArb,
    maxDeletesPerRun: fc.integer({ min: 0, max: 30 }),
    timeZone: fc.constantFrom(
      'Europe/Berlin',
      'America/New_York',
      'UTC',
      'Asia/Kolkata',
      'Australia/Lord_Howe',
    ),
    protectSomeId: fc.boolean(),
  })
  .map(({ runs, minuteOffsets, crossRefs, retention, maxDeletesPerRun, timeZone, protectSomeId }) => {
    const images: ImageRecord[] = [];
    const snapshots: SnapshotRecord[] = [];
    const owners = new Map<string, OwnerKind>();
    runs.forEach((run, index) => {
      const runId = run.isCurrent ? CURRENT_RUN : `run-${index}`;
      const at = new Date(NOW_MS - (minuteOffsets[index] ?? 0) * 60_000).toISOString();
      if (!run.isCurrent) owners.set(runId, run.owner);
      const tags: Record<string, string> =
        run.owner === 'unmanaged'
          ? { Name: 'hand-made' }
          : {
              'shipyard:managed': 'true',
              'shipyard:policy': run.owner === 'other-policy' ? 'weekly' : POLICY,
              'shipyard:target': run.owner === 'other-target' ? 'i-0fedcba9876543210' : TARGET,
              'shipyard:run': runId,
              'shipyard:created-at': at,
            };
      const snapIds = run.snapshotStates.map((state, i) => {
        const snapshotId = `snap-${index}-${i}`;
        snapshots.push({ snapshotId, state, startTime: at, tags });
        return snapshotId;
      });
      if (run.hasImage) {
        images.push({
          imageId: `ami-${index}`,
          state: run.imageState,
          creationDate: at,
          tags,
          snapshotIds: snapIds,
        });
      }
    });
    // Some AMIs also use snapshots of other runs (e.g. an operator's AMI built from ours).
    for (const [from, to] of crossRefs) {
      const image = images.find((i) => i.imageId === `ami-${from}`);
      const extra = snapshots.filter((s) => s.snapshotId.startsWith(`snap-${to}-`)).map((s) => s.snapshotId);
      if (image !== undefined) image.snapshotIds = [...new Set([...image.snapshotIds, ...extra])];
    }
    const protectedIds = protectSomeId && snapshots[0] !== undefined ? [snapshots[0].snapshotId] : undefined;
    const input: RetentionInput = {
      policy: POLICY,
      target: TARGET,
      region: REGION,
      runId: CURRENT_RUN,
      now: new Date(NOW_MS).toISOString(),
      timeZone,
      retention,
      maxDeletesPerRun,
      images,
      snapshots,
      ...(protectedIds === undefined ? {} : { protectedIds }),
    };
    return { input, owners };
  });

// ---------------------------------------------------------------- independent oracles

const isOurs = (tags: Record<string, string>): boolean =>
  tags['shipyard:managed'] === 'true' &&
  tags['shipyard:policy'] === POLICY &&
  tags['shipyard:target'] === TARGET;

const deletedSet = (plan: RetentionPlan): Set<string> => new Set(plan.delete.map((i) => i.id));

/** Every id an executed plan would remove, from the actions alone. */
function idsRemovedByActions(plan: RetentionPlan): Set<string> {
  const ids = new Set<string>();
  for (const action of plan.actions) {
    if (action.type === 'deregister-image') {
      ids.add(action.imageId);
      for (const id of action.associatedSnapshotIds) ids.add(id);
    } else {
      ids.add(action.snapshotId);
    }
  }
  return ids;
}

/** Runs (of ours) by id, with their live resources. */
function ourRuns(input: RetentionInput) {
  const runs = new Map<string, { time: number; images: ImageRecord[]; snapshots: SnapshotRecord[] }>();
  const slot = (tags: Record<string, string>) => {
    const runId = tags['shipyard:run'] ?? '';
    const time = Date.parse(tags['shipyard:created-at'] ?? '');
    let run = runs.get(runId);
    if (run === undefined) {
      run = { time, images: [], snapshots: [] };
      runs.set(runId, run);
    }
    return run;
  };
  for (const image of input.images)
    if (isOurs(image.tags) && image.state !== 'deregistered') slot(image.tags).images.push(image);
  for (const snapshot of input.snapshots)
    if (isOurs(snapshot.tags)) slot(snapshot.tags).snapshots.push(snapshot);
  return runs;
}

/** The spec's "available backup": an available AMI with nothing pending, or (no AMI) all snapshots completed. */
function isAvailableRun(run: { images: ImageRecord[]; snapshots: SnapshotRecord[] }): boolean {
  const pending =
    run.images.some((i) => i.state === 'pending' || i.state === 'transient') ||
    run.snapshots.some((s) => s.state === 'pending');
  if (pending) return false;
  if (run.images.length > 0) return run.images.some((i) => i.state === 'available');
  return run.snapshots.length > 0 && run.snapshots.every((s) => s.state === 'completed');
}

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
        const available = [...ourRuns(input).values()].filter(isAvailableRun).sort((a, b) => b.time - a.time);
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
        const classified = [...plan.keep, ...plan.delete, ...plan.ignored].map((i) => i.id).sort();
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
