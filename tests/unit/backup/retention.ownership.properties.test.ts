/**
 * Forged and foreign resources never change what rotation deletes. A hostile account user
 * can copy our tags (anyone with ec2:CreateTags can: "users must also have explicit
 * permissions to use the ec2:CreateTags action" is all that guards them, EC2 User Guide,
 * "Grant permission to tag resources during creation"), but not the run record, the AMI name
 * held by our AMI (AMI names are unique per account and region, EC2 API Reference,
 * RegisterImage / CopyImage `Name`), the source volume of a snapshot, nor AWS's own creation
 * time (`CreationDate`, `StartTime`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRetention } from '../../../shared/backup/retention.ts';
import { retentionArb, scenarioArb, withForgeries } from './retention-arbitraries.ts';
import { deletedSet, idsRemovedByActions, isAvailableRun, ourRuns } from './retention-oracles.ts';

const PROPERTY_RUNS = { numRuns: 300 };

const forgedScenarioArb = scenarioArb.chain((scenario) =>
  withForgeries(scenario).map((forged) => ({ scenario, ...forged })),
);

describe('planRetention with forged and foreign resources (property-based)', () => {
  it('deletes nothing it would not delete without them, and never one of them', () => {
    fc.assert(
      fc.property(forgedScenarioArb, ({ scenario, input, forgedIds }) => {
        // Act
        const clean = planRetention(scenario.input);
        const attacked = planRetention(input);
        // Assess
        const before = idsRemovedByActions(clean);
        for (const id of idsRemovedByActions(attacked)) expect(before.has(id), id).toBe(true);
        for (const id of deletedSet(attacked)) expect(forgedIds.has(id), id).toBe(false);
        const leftAlone = new Set([...attacked.notOurs, ...attacked.ignored].map((i) => i.id));
        for (const id of forgedIds) expect(leftAlone.has(id), id).toBe(true);
      }),
      PROPERTY_RUNS,
    );
  });

  it('keeps every real backup the rules keep without them (forgeries never outrank a real backup)', () => {
    fc.assert(
      fc.property(forgedScenarioArb, ({ scenario, input }) => {
        const roomy = (i: typeof input) => ({ ...i, maxDeletesPerRun: 10_000 });
        const kept = (plan: ReturnType<typeof planRetention>) =>
          new Set(plan.keep.filter((k) => !k.reason.startsWith('kept: used by')).map((k) => k.runId));
        const clean = kept(planRetention(roomy(scenario.input)));
        const attacked = kept(planRetention(roomy(input)));
        for (const runId of clean) expect(attacked.has(runId), `run ${runId}`).toBe(true);
      }),
      PROPERTY_RUNS,
    );
  });

  it('never deletes a real backup newer than a real backup it keeps (keepLast / maxAgeDays rules)', () => {
    // GFS keeps the newest of each period, which can be older than a deleted backup of a
    // busier period; the count and age rules alone are monotonic in time.
    const rankRules = retentionArb.map(({ keepLast, maxAgeDays }) => ({
      ...(keepLast === undefined ? {} : { keepLast }),
      ...(maxAgeDays === undefined ? {} : { maxAgeDays }),
    }));
    const RULE_KEEPS = /^kept: (newest available backup|among the newest|not older than)/;
    fc.assert(
      fc.property(forgedScenarioArb, rankRules, ({ scenario, input }, retention) => {
        // Act
        const plan = planRetention({ ...input, retention, maxDeletesPerRun: 10_000 });
        // Assess: real backups are those of the inventory without the forgeries.
        const removed = idsRemovedByActions(plan);
        const keptByRule = new Set(plan.keep.filter((k) => RULE_KEEPS.test(k.reason)).map((k) => k.runId));
        const real = [...ourRuns(scenario.input)].filter(([, run]) =>
          isAvailableRun(run, scenario.input.form),
        );
        const deletedTimes = real
          .filter(([, run]) =>
            [...run.images.map((i) => i.imageId), ...run.snapshots.map((s) => s.snapshotId)].some((id) =>
              removed.has(id),
            ),
          )
          .map(([, run]) => run.time);
        const keptTimes = real.filter(([runId]) => keptByRule.has(runId)).map(([, run]) => run.time);
        for (const deleted of deletedTimes) for (const kept of keptTimes) expect(deleted).toBeLessThan(kept);
      }),
      PROPERTY_RUNS,
    );
  });
});
