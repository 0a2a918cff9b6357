/**
 * The failover drill over fakes on a simulated clock: plan only by default, steps with read
 * back, revert on alarm / error / timeout, skip while IN_PROGRESS, the lock, the gate.
 */
import { describe, expect, it } from 'vitest';
import type { GroupState } from '../../../../shared/backup/drill.ts';
import { DrillLocked, DrillRefused } from '../../../../shared/backup/verification-errors.ts';
import type { VerificationRecord } from '../../../../shared/backup/verification-record.ts';
import { type DrillDeps, runDrill } from '../../../../shared/backup-service/drill.ts';
import { drillSchema } from '../../../../shared/config/drill.ts';
import { FakeAccelerators, FakeAlarms, FakeLock, FakeTemplates } from './drill-fakes.ts';
import { FakeClock } from './fakes.ts';

const T0 = Date.parse('2026-12-02T06:00:00Z');
const ACC =
  'arn:aws:globalaccelerator::123456789012:accelerator/1234abcd-abcd-1234-abcd-1234abcdefgh'.replace(
    'gh',
    '00',
  );
const PRIMARY = `${ACC}/listener/0123abcd/endpoint-group/ab88888888a0`;
const STANDBY = `${ACC}/listener/0123abcd/endpoint-group/ab99999999a1`;
const LT = 'lt-0123456789abcdef0';
const VERIFIED_AMI = 'ami-0ca11f0000000000a';

const drill = (over: Record<string, unknown> = {}) =>
  drillSchema.parse({
    name: 'web',
    acceleratorArn: ACC,
    primary: { region: 'ap-south-1', endpointGroupArn: PRIMARY },
    standby: {
      region: 'us-west-1',
      endpointGroupArn: STANDBY,
      policy: 'nightly',
      target: 'i-0aaaaaaaaaaaaaaa1',
      maxImageAgeHours: 48,
      launchTemplateId: LT,
    },
    steps: [10, 50, 100],
    bakeSeconds: 120,
    alarms: [{ region: 'us-west-1', name: 'web-5xx' }],
    ...over,
  });

const group = (arn: string, region: string, dial: number, weight = 128): GroupState => ({
  endpointGroupArn: arn,
  region,
  dial,
  endpoints: [{ endpointId: `i-${region}`, weight, healthState: 'HEALTHY' }],
});

const verified = (createdAt: string): VerificationRecord => ({
  verificationId: 'verify-nightly-1',
  policy: 'nightly',
  target: 'i-0aaaaaaaaaaaaaaa1',
  region: 'us-west-1',
  imageId: VERIFIED_AMI,
  imageCreatedAt: createdAt,
  ours: true,
  status: 'passed',
  secondsToPass: 95,
  finishedAt: '2026-12-02T05:00:00.000Z',
});

function world(options: { standbyWeight?: number; records?: VerificationRecord[] } = {}) {
  const clock = new FakeClock(T0);
  const groups = new Map([
    [PRIMARY, group(PRIMARY, 'ap-south-1', 100)],
    [STANDBY, group(STANDBY, 'us-west-1', 0, options.standbyWeight ?? 128)],
  ]);
  const accelerators = new FakeAccelerators(clock, groups, ACC);
  const alarms = new FakeAlarms(clock, { 'us-west-1': ['web-5xx'] });
  const templates = new FakeTemplates(LT);
  const lock = new FakeLock(clock);
  const records = options.records ?? [verified('2026-12-01T20:30:00.000Z')];
  const deps: DrillDeps = {
    accelerators,
    alarms,
    templates,
    lock,
    store: { results: async () => records },
    now: clock.now,
    sleep: clock.sleep,
  };
  return { clock, accelerators, alarms, templates, lock, deps };
}

describe('runDrill', () => {
  it('plans without changing anything (monitor-only)', async () => {
    const { accelerators, templates, lock, deps } = world();
    const report = await runDrill(deps, drill(), { mode: 'plan', owner: 'test' });
    expect(report.status).toBe('planned');
    expect(report.plan.map((s) => s.writes.map((w) => [w.region, w.dial]))).toEqual([
      [
        ['us-west-1', 100],
        ['ap-south-1', 90],
      ],
      [['ap-south-1', 50]],
      [['ap-south-1', 0]],
    ]);
    expect(accelerators.writes).toEqual([]);
    expect(templates.versions).toHaveLength(1);
    expect(lock.held.size).toBe(0);
  });

  it('runs every step with a bake, reads back, points the launch template at the verified AMI, and restores the dials', async () => {
    const { accelerators, templates, lock, deps } = world();
    const report = await runDrill(deps, drill(), { mode: 'run', owner: 'test' });
    expect(report.status).toBe('completed');
    expect(report.steps.map((s) => [s.region, s.dial, s.passed])).toEqual([
      ['us-west-1', 10, true],
      ['us-west-1', 50, true],
      ['us-west-1', 100, true],
    ]);
    // Two writes of 10 s each in the first step, one in the others (polled every 5 s).
    expect(report.steps.map((s) => s.shiftSeconds)).toEqual([20, 10, 10]);
    expect(templates.versions.at(-1)).toBe(VERIFIED_AMI);
    expect(report.launchTemplateVersion).toBe(2);
    expect(accelerators.writes.map((w) => w.dial)).toEqual([100, 90, 50, 0, 100, 0]);
    expect(accelerators.dials()).toEqual([100, 0]);
    expect(report.restored).toBe(true);
    expect(lock.held.size).toBe(0);
  });

  it('reverts to the recorded dials when a gate alarm fires during a bake', async () => {
    const { clock, accelerators, alarms, deps } = world();
    // Step 1 ends after 20 s of writes + 120 s of bake; the alarm fires during step 2's bake.
    alarms.alarmingFrom.set('web-5xx', T0 + 200_000);
    const report = await runDrill(deps, drill(), { mode: 'run', owner: 'test' });
    expect(report.status).toBe('reverted');
    expect(report.steps.map((s) => [s.dial, s.passed])).toEqual([
      [10, true],
      [50, false],
    ]);
    expect(report.steps[1]?.reason).toContain('alarm web-5xx is in ALARM');
    expect(accelerators.dials()).toEqual([100, 0]);
    expect(report.restored).toBe(true);
    expect(clock.ms).toBeGreaterThan(T0 + 200_000);
  });

  it('reverts on an error and on a timeout of an update', async () => {
    const failing = world();
    failing.accelerators.failOnDial = 50;
    const errored = await runDrill(failing.deps, drill(), { mode: 'run', owner: 'test' });
    expect(errored).toMatchObject({ status: 'reverted', restored: true });
    expect(errored.errors).toEqual(['ThrottlingException on dial 50']);
    expect(failing.accelerators.dials()).toEqual([100, 0]);

    const slow = world();
    slow.accelerators.settleSeconds = { 50: 600 };
    const timedOut = await runDrill(slow.deps, drill(), { mode: 'run', owner: 'test' });
    expect(timedOut.status).toBe('reverted');
    expect(timedOut.errors[0]).toMatch(
      /^timeout: the accelerator stayed IN_PROGRESS over 300 s after dialling ap-south-1 to 50/,
    );
    expect(slow.accelerators.dials()).toEqual([100, 0]);
  });

  it('skips while the accelerator is IN_PROGRESS, changing nothing', async () => {
    const { accelerators, deps } = world();
    accelerators.startInProgress(60);
    const report = await runDrill(deps, drill(), { mode: 'run', owner: 'test' });
    expect(report.status).toBe('skipped');
    expect(accelerators.writes).toEqual([]);
  });

  it('holds one drill per accelerator: a second is refused while the lock is held, an expired lock is taken over', async () => {
    const { clock, accelerators, lock, deps } = world();
    await lock.acquire(ACC.split('/').at(-1) as string, 'other-run', new Date(T0 + 60_000).toISOString());
    await expect(runDrill(deps, drill(), { mode: 'run', owner: 'test' })).rejects.toBeInstanceOf(DrillLocked);
    expect(accelerators.writes).toEqual([]);
    clock.ms = T0 + 60_000;
    const report = await runDrill(deps, drill(), { mode: 'run', owner: 'test' });
    expect(report.status).toBe('completed');
  });

  it('refuses before dialling: no fresh verified AMI, an unknown accelerator, a standby that would fail open', async () => {
    const stale = world({ records: [verified('2026-11-29T20:30:00.000Z')] });
    await expect(runDrill(stale.deps, drill(), { mode: 'run', owner: 't' })).rejects.toThrow(
      'drills[web].standby: no AMI of i-0aaaaaaaaaaaaaaa1 (policy nightly) verified in us-west-1 from a backup younger than 48 h',
    );
    const unknown = world();
    const other = ACC.replace('1234abcd-', '9999abcd-');
    const refused = await runDrill(
      unknown.deps,
      drill({
        acceleratorArn: other,
        primary: { region: 'ap-south-1', endpointGroupArn: PRIMARY.replace(ACC, other) },
        standby: { ...drill().standby, endpointGroupArn: STANDBY.replace(ACC, other) },
      }),
      { mode: 'plan', owner: 't' },
    ).catch((e) => e);
    expect(refused).toBeInstanceOf(DrillRefused);
    expect((refused as DrillRefused).problems[0]).toBe(
      `drills[web].acceleratorArn: accelerator ${other} does not exist`,
    );
    const weightless = world({ standbyWeight: 0 });
    const failOpen = await runDrill(weightless.deps, drill(), { mode: 'run', owner: 't' }).catch((e) => e);
    expect((failOpen as DrillRefused).problems).toContain(
      'drills[web].steps: dialling ap-south-1 to 0 is refused: no endpoint group with a traffic dial above 0 holds an endpoint of weight above 0: Global Accelerator would fail open to a random endpoint',
    );
    expect(weightless.accelerators.writes).toEqual([]);
    expect(stale.accelerators.writes).toEqual([]);
  });
});
