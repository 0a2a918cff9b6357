/** maxTargetsPerRun: the pure check, DiscoverTargets failing before any create, and the dry run's summary. */
import { describe, expect, it } from 'vitest';
import { makeHandler as makeDiscover } from '../../../functions/backup-discover-targets/handler.ts';
import { makeHandler as makeSummarize } from '../../../functions/backup-summarize/handler.ts';
import { checkTargetCap } from '../../../shared/backup/target-cap.ts';
import { silentLogger } from '../../../shared/backup-service/deps.ts';
import type { Ec2Port } from '../../../shared/backup-service/ports/ec2.ts';
import { type BackupPolicy, backupPolicySchema } from '../../../shared/config/policies.ts';
import {
  deployed,
  discoverEvent,
  exportedResults,
  mapItemsOf,
  memoryRunFiles,
  memoryRunRecords,
  unusedRunRecords,
} from '../../helpers/backup-deps.ts';
import { policy } from '../../workflow/backup/scenario.ts';

const NOW = '2026-03-20T00:30:00.000Z';
const IDS = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2', 'i-0ccccccccccccccc3'];

/** No EC2 call is expected: the targets are listed by id. */
const noEc2 = (): Ec2Port => {
  throw new Error('no EC2 call expected');
};
/** The results bucket DiscoverTargets writes the Map's items to. */
const files = memoryRunFiles();
/** DiscoverTargets with `p` deployed, started as execution `name`. */
const discover = (p: BackupPolicy, name: string, more: Record<string, unknown> = {}) =>
  makeDiscover({
    ec2: noEc2,
    logger: silentLogger,
    now: () => new Date(NOW),
    policies: deployed(p),
    runRecords: memoryRunRecords(),
    runFiles: files,
  })(discoverEvent({ policy: p.name, ...more }, name));
const listed = (maxTargetsPerRun: number) =>
  policy({ targets: { instanceIds: IDS }, maxTargetsPerRun, copyRegions: [] });

describe('checkTargetCap', () => {
  it.each([
    [99, 100, false, false],
    [100, 100, false, false],
    [101, 100, false, true],
    [101, 100, true, false],
    [0, 1, false, false],
  ])('%i targets, cap %i, dryRun %s → throws %s', (found, cap, dryRun, throws) => {
    const check = () => checkTargetCap({ policy: 'nightly', found, maxTargetsPerRun: cap, dryRun });
    if (throws) expect(check).toThrowError(expect.objectContaining({ name: 'TooManyTargets' }));
    else expect(check()).toEqual({ found, maxTargetsPerRun: cap, exceeded: found > cap });
  });

  it('names the count and the cap and says nothing was created', () => {
    expect(() =>
      checkTargetCap({ policy: 'nightly', found: 250, maxTargetsPerRun: 30, dryRun: false }),
    ).toThrow(
      'policy nightly selected 250 targets, more than maxTargetsPerRun (30); nothing was created: narrow the selection, raise maxTargetsPerRun (at most 100000) or split the fleet into several policies',
    );
  });
});

describe('maxTargetsPerRun in the policy', () => {
  it('defaults to 10,000 (a safety valve well above a fleet) and rejects 0, fractions and unknown spellings', () => {
    expect(policy().maxTargetsPerRun).toBe(10_000);
    const raw = { ...policy() } as Record<string, unknown>;
    expect(backupPolicySchema.safeParse({ ...raw, maxTargetsPerRun: 0 }).success).toBe(false);
    expect(backupPolicySchema.safeParse({ ...raw, maxTargetsPerRun: 2.5 }).success).toBe(false);
    const { maxTargetsPerRun: _cap, ...rest } = raw;
    expect(backupPolicySchema.safeParse({ ...rest, maxTargetPerRun: 5 }).success).toBe(false);
  });

  it('no longer stops at 40: the run state never carries the fleet; at most 100,000, saying why', () => {
    const raw = { ...policy() } as Record<string, unknown>;
    expect(backupPolicySchema.safeParse({ ...raw, maxTargetsPerRun: 5_000 }).success).toBe(true);
    expect(backupPolicySchema.safeParse({ ...raw, maxTargetsPerRun: 100_000 }).success).toBe(true);
    const over = backupPolicySchema.safeParse({ ...raw, maxTargetsPerRun: 100_001 });
    expect(over.success).toBe(false);
    expect(over.error?.issues[0]?.message).toBe(
      'at most 100000 targets per run (a safety valve on billing; split larger fleets into several policies)',
    );
  });
});

describe('maxConcurrency in the policy (the Distributed Map’s MaxConcurrency)', () => {
  // Step Functions Developer Guide, "Using Map state in Distributed mode": up to 10,000
  // parallel child workflow executions.
  it('defaults to 1,000, accepts up to 10,000, each refusal named', () => {
    const raw = { ...policy(), maxConcurrency: undefined } as Record<string, unknown>;
    expect(backupPolicySchema.parse(raw).maxConcurrency).toBe(1_000);
    expect(backupPolicySchema.safeParse({ ...raw, maxConcurrency: 10_000 }).success).toBe(true);
    for (const [value, message] of [
      [0, 'at least 1 target at a time'],
      [1.5, 'expected a whole number of targets'],
      [10_001, 'at most 10000 (a Distributed Map runs at most 10,000 child executions in parallel)'],
    ] as const) {
      const parsed = backupPolicySchema.safeParse({ ...raw, maxConcurrency: value });
      expect(parsed.error?.issues[0]).toMatchObject({ path: ['maxConcurrency'], message });
    }
  });

  it('refuses the old mapConcurrency with the fix', () => {
    const parsed = backupPolicySchema.safeParse({ ...policy(), mapConcurrency: 40 });
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['mapConcurrency'],
      message:
        'mapConcurrency was replaced by maxConcurrency (targets backed up at once, one child execution each, up to 10,000)',
    });
  });
});

describe('DiscoverTargets and the cap', () => {
  it('fails a real run over the cap with TooManyTargets', async () => {
    await expect(discover(listed(2), 'nightly-2026-03-20')).rejects.toMatchObject({
      name: 'TooManyTargets',
      message: expect.stringContaining('selected 3 targets, more than maxTargetsPerRun (2)'),
    });
  });

  it('lets a run at the cap through, with the figures', async () => {
    const out = await discover(listed(3), 'nightly-2026-03-20');
    expect((await mapItemsOf(files, out)).map((t) => t.id)).toEqual(IDS);
    expect(out.targetCount).toBe(3);
    expect(out.selection).toEqual({ found: 3, maxTargetsPerRun: 3, exceeded: false });
  });

  it('counts an on-demand target override against the cap too', async () => {
    await expect(
      discover(listed(1), 'nightly-2026-03-20', { targets: IDS.slice(0, 2) }),
    ).rejects.toMatchObject({
      name: 'TooManyTargets',
    });
  });

  it('lets a dry run over the cap through, marked exceeded, and its summary says a real run would fail', async () => {
    // Act
    const out = await discover(listed(2), 'nightly-dry', { dryRun: true });
    const summarize = makeSummarize({
      ec2: noEc2,
      logger: silentLogger,
      now: () => new Date(NOW),
      policies: deployed(listed(2)),
      runRecords: unusedRunRecords,
      runFiles: files,
    });
    const items = await mapItemsOf(files, out);
    const { summary, failed, message } = await summarize({
      ...out,
      results: await exportedResults(
        files,
        items.map((target) => ({ target })),
      ),
    });
    // Assess
    expect(out.selection).toEqual({ found: 3, maxTargetsPerRun: 2, exceeded: true, notPlanned: [IDS[2]] });
    expect(items.map((t) => t.id)).toEqual(IDS.slice(0, 2));
    expect(failed).toBe(false);
    expect(summary.dryRun).toBe(true);
    expect(summary.plan?.selection).toEqual(out.selection);
    expect(message).toBe(
      'nightly nightly-dry: dry run, nothing created: 2/2 targets planned; a real run would fail with TooManyTargets (3 targets, maxTargetsPerRun 2)',
    );
    expect(summary.warnings).toEqual([
      'dry run: nothing was created, copied, shared or deleted',
      'a real run would fail with TooManyTargets: the selection found 3 targets, maxTargetsPerRun is 2',
      `1 target(s) beyond the cap not planned: ${IDS[2]}`,
    ]);
  });
});
