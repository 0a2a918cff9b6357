/** maxTargetsPerRun: the pure check, DiscoverTargets failing before any create, and the dry run's summary. */
import { describe, expect, it } from 'vitest';
import { makeHandler as makeDiscover } from '../../../functions/backup-discover-targets/handler.ts';
import { makeHandler as makeSummarize } from '../../../functions/backup-summarize/handler.ts';
import { checkTargetCap } from '../../../shared/backup/target-cap.ts';
import { silentLogger } from '../../../shared/backup-service/deps.ts';
import type { Ec2Port } from '../../../shared/backup-service/ports/ec2.ts';
import { type BackupPolicy, backupPolicySchema } from '../../../shared/config/policies.ts';
import { deployed, discoverEvent, memoryRunRecords, unusedRunRecords } from '../../helpers/backup-deps.ts';
import { policy } from '../../workflow/backup/scenario.ts';

const NOW = '2026-03-20T00:30:00.000Z';
const IDS = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2', 'i-0ccccccccccccccc3'];

/** No EC2 call is expected: the targets are listed by id. */
const noEc2 = (): Ec2Port => {
  throw new Error('no EC2 call expected');
};
/** DiscoverTargets with `p` deployed, started as execution `name`. */
const discover = (p: BackupPolicy, name: string, more: Record<string, unknown> = {}) =>
  makeDiscover({
    ec2: noEc2,
    logger: silentLogger,
    now: () => new Date(NOW),
    policies: deployed(p),
    runRecords: memoryRunRecords(),
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
      "policy nightly selected 250 targets, more than maxTargetsPerRun (30); nothing was created: narrow the selection, raise maxTargetsPerRun (at most 40: Step Functions' 256 KiB state limit) or split the fleet into several policies",
    );
  });
});

describe('maxTargetsPerRun in the policy', () => {
  it('defaults to 40 and rejects 0, fractions and unknown spellings', () => {
    expect(policy().maxTargetsPerRun).toBe(40);
    const raw = { ...policy() } as Record<string, unknown>;
    expect(backupPolicySchema.safeParse({ ...raw, maxTargetsPerRun: 0 }).success).toBe(false);
    expect(backupPolicySchema.safeParse({ ...raw, maxTargetsPerRun: 2.5 }).success).toBe(false);
    const { maxTargetsPerRun: _cap, ...rest } = raw;
    expect(backupPolicySchema.safeParse({ ...rest, maxTargetPerRun: 5 }).success).toBe(false);
  });

  it("refuses more than 40, saying why: Step Functions' 256 KiB state limit", () => {
    const raw = { ...policy() } as Record<string, unknown>;
    expect(backupPolicySchema.safeParse({ ...raw, maxTargetsPerRun: 40 }).success).toBe(true);
    const over = backupPolicySchema.safeParse({ ...raw, maxTargetsPerRun: 41 });
    expect(over.success).toBe(false);
    expect(over.error?.issues[0]?.message).toBe(
      "at most 40 targets per run (Step Functions' 256 KiB state limit: every target's outcome travels in the run's state): split the fleet into several policies",
    );
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
    expect(out.targets.map((t) => t.id)).toEqual(IDS);
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
    });
    const { summary, failed, message } = await summarize({
      ...out,
      results: out.targets.map((target) => ({ target })),
    });
    // Assess
    expect(out.selection).toEqual({ found: 3, maxTargetsPerRun: 2, exceeded: true, notPlanned: [IDS[2]] });
    expect(out.targets.map((t) => t.id)).toEqual(IDS.slice(0, 2));
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
