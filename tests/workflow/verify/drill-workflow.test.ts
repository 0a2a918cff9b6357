/**
 * The deployed drill state machine (statemachines/drill.asl.yaml) run by
 * aws-local-stepfunctions, each Task bound to its real handler over the real adapters and the
 * local cloud, on the simulated clock (each Wait is 0 ms and the step after it first advances
 * the clock by the seconds it asked to wait): a drill that passes every step and comes back,
 * an alarm during a bake (revert), a crashed Dial (Catch → Revert, the execution fails), the
 * plan (nothing changed) and an input that names something other than a deployed drill.
 *
 * Global Accelerator: an update leaves the accelerator IN_PROGRESS until deployed, and the
 * traffic dial applies to the traffic already directed to a group (Global Accelerator API
 * Reference, UpdateEndpointGroup, Accelerator.Status; Developer Guide, "Endpoint groups").
 */
import { readFileSync } from 'node:fs';
import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeHandler as makeDial } from '../../../functions/drill-dial/handler.ts';
import { makeHandler as makeRevert } from '../../../functions/drill-revert/handler.ts';
import { makeHandler as makeStart } from '../../../functions/drill-start/handler.ts';
import { makeHandler as makeTemplate } from '../../../functions/drill-template/handler.ts';
import type { DrillProgress } from '../../../shared/backup-service/drill-progress.ts';
import type { DrillFunctionDeps } from '../../../shared/lambda/drill-deps.ts';
import { ALARM, drillWorld, STANDBY } from '../../helpers/drill-world.ts';

const local = useLocalCloud();

const definition = () =>
  JSON.parse(
    JSON.stringify(parse(readFileSync('statemachines/drill.asl.yaml', 'utf8'))).replace(
      /"\$\{([A-Za-z0-9]+)\}"/g,
      (_m, key: string) => `"arn:aws:lambda:us-east-1:123456789012:function:shipyard-dev-${key}"`,
    ),
  );

type Outcome =
  | { status: 'SUCCEEDED'; output: DrillProgress; rounds: number }
  | { status: 'FAILED'; error: string; cause: string; rounds: number };

/** One execution; `crashDialAfter` rounds makes the next Dial throw (a Lambda crash). */
async function execute(d: DrillFunctionDeps, input: unknown, options: { crashDialAfter?: number } = {}) {
  const dial = makeDial(d);
  const revert = makeRevert(d);
  const template = makeTemplate(d);
  let rounds = 0;
  let afterWait = false;
  const advance = (event: unknown) => {
    if (afterWait) local().cloud.clock.advance((event as DrillProgress).waitSeconds * 1000);
  };
  const handlers = {
    Start: makeStart(d),
    Template: async (event: unknown) => {
      afterWait = false;
      return template(event);
    },
    Dial: async (event: unknown) => {
      advance(event);
      rounds += 1;
      if (options.crashDialAfter !== undefined && rounds > options.crashDialAfter)
        throw new Error('Lambda crashed');
      const out = await dial(event);
      afterWait = out.next === 'wait';
      return out;
    },
    Revert: async (event: unknown) => {
      if ((event as DrillProgress).error === undefined) advance(event);
      const out = await revert(event);
      afterWait = out.next === 'wait';
      return out;
    },
  };
  const machine = new StateMachine(definition(), { validationOptions: { checkPaths: true, checkArn: true } });
  const run = machine.run(input as never, {
    context: {
      Execution: { Name: 'drill-test', Id: 'arn:aws:states:us-east-1:123456789012:execution:d:t' },
    },
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      waitTimeOverrides: { Bake: 0, Settle: 0 },
      retryIntervalOverrides: { Start: 0, Template: 0, Dial: 0, Revert: 0 },
    },
  });
  try {
    return { status: 'SUCCEEDED', output: (await run.result) as DrillProgress, rounds } as Outcome;
  } catch (error) {
    // An ExecutionError whose cause is the failing state's error (its name and cause).
    const failed = ((error as Error & { cause?: Error }).cause ?? error) as Error;
    return { status: 'FAILED', error: failed.name, cause: failed.message, rounds } as Outcome;
  }
}

async function world() {
  const w = await drillWorld(local);
  const deps: DrillFunctionDeps = { ...w.deps, drills: [w.drill] };
  const latestImage = async () => (await w.deps.templates.latestImageId(STANDBY, w.templateId))?.imageId;
  const lockFree = async () => {
    const key = w.drill.acceleratorArn.split('/').at(-1) ?? '';
    const taken = await w.deps.lock.acquire(key, 'probe', new Date(w.now().getTime() + 60_000).toISOString());
    return taken.acquired;
  };
  return { ...w, deps, latestImage, lockFree };
}

describe('the drill state machine on the local cloud', () => {
  it('passes 10 → 50 → 100 %, baking each behind the alarm, then restores the recorded dials', async () => {
    const w = await world();
    const run = await execute(w.deps, { drill: 'web-failover', run: true });
    expect(run.status).toBe('SUCCEEDED');
    if (run.status !== 'SUCCEEDED') return;
    const { report } = run.output;
    expect(report.status).toBe('completed');
    expect(report.steps.map((s) => [s.dial, s.passed])).toEqual([
      [10, true],
      [50, true],
      [100, true],
    ]);
    expect(report.steps.every((s) => (s.shiftSeconds ?? 0) > 0)).toBe(true);
    expect(report.restored).toBe(true);
    expect(await w.dials()).toEqual([100, 0]);
    // The standby's template now launches the verified AMI; the lock is free again.
    expect(await w.latestImage()).toBe(report.standbyImageId);
    expect(report.launchTemplateVersion).toBe(2);
    expect(await w.lockFree()).toBe(true);
    // Bakes are Wait states: many rounds, none holding the drill open.
    expect(run.rounds).toBeGreaterThan(3 * (300 / 30));
  });

  it('reverts to the recorded dials when the alarm fires during a bake', async () => {
    const w = await world();
    await local().control.setAlarmState({
      alarmName: ALARM,
      region: STANDBY,
      stateValue: 'ALARM',
      at: new Date(w.now().getTime() + 600_000).toISOString(),
    });
    const run = await execute(w.deps, { drill: 'web-failover', run: true });
    expect(run.status).toBe('SUCCEEDED');
    if (run.status !== 'SUCCEEDED') return;
    const { report } = run.output;
    expect(report.status).toBe('reverted');
    expect(report.steps.map((s) => [s.dial, s.passed])).toEqual([
      [10, true],
      [50, false],
    ]);
    expect(report.steps[1]?.reason).toContain('ALARM');
    expect(report.restored).toBe(true);
    expect(await w.dials()).toEqual([100, 0]);
    expect(await w.lockFree()).toBe(true);
  });

  it('after a crashed Dial, the Catch reverts to the recorded dials and the execution fails', async () => {
    const w = await world();
    // Crash well into the drill: traffic has moved (the first step's writes are applied).
    const run = await execute(w.deps, { drill: 'web-failover', run: true }, { crashDialAfter: 8 });
    expect(run.status).toBe('FAILED');
    if (run.status !== 'FAILED') return;
    expect(run.error).toBe('DrillAborted');
    const report = JSON.parse(run.cause) as DrillProgress['report'];
    expect(report.status).toBe('reverted');
    expect(report.errors.join('\n')).toContain('Lambda crashed');
    expect(report.steps.length).toBeGreaterThan(0);
    expect(report.restored).toBe(true);
    expect(await w.dials()).toEqual([100, 0]);
    expect(await w.lockFree()).toBe(true);
  });

  it('plans without run: the gate and the dial plan, nothing changed', async () => {
    const w = await world();
    const before = await w.latestImage();
    const run = await execute(w.deps, { drill: 'web-failover' });
    expect(run.status).toBe('SUCCEEDED');
    if (run.status !== 'SUCCEEDED') return;
    expect(run.output.report.status).toBe('planned');
    expect(run.output.report.plan.map((s) => s.writes.map((x) => x.dial))).toEqual([[100, 90], [50], [0]]);
    expect(await w.dials()).toEqual([100, 0]);
    expect(await w.latestImage()).toBe(before);
    expect(await w.lockFree()).toBe(true);
  });

  it('refuses an input that is not the name of a deployed drill, and changes nothing', async () => {
    const w = await world();
    const unknown = await execute(w.deps, { drill: 'other', run: true });
    const widened = await execute(w.deps, {
      drill: 'web-failover',
      run: true,
      acceleratorArn: w.drill.acceleratorArn,
    });
    expect(unknown).toMatchObject({ status: 'FAILED', error: 'InvalidBackupInput' });
    expect(widened).toMatchObject({ status: 'FAILED', error: 'InvalidBackupInput' });
    expect(await w.dials()).toEqual([100, 0]);
  });

  it('puts back the dials of a stopped drill (no Catch runs) from what it recorded with its lock', async () => {
    const w = await world();
    // A drill execution moves traffic, then is stopped between two steps: nothing of it reverts.
    let p = await makeStart(w.deps)({
      request: { drill: 'web-failover', run: true },
      owner: 'drill-stopped',
    });
    p = await makeTemplate(w.deps)(p);
    const dial = makeDial(w.deps);
    for (let i = 0; i < 6; i += 1) {
      p = await dial(p);
      local().cloud.clock.advance(p.waitSeconds * 1000);
    }
    expect(await w.dials()).not.toEqual([100, 0]);
    const detail = (name: string) => ({
      status: 'ABORTED',
      name,
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:shipyard-dev-drill:${name}`,
      input: JSON.stringify({ drill: 'web-failover', run: true }),
    });
    // An execution that holds no lock has nothing to restore; the one that does gets its dials back.
    const stranger = await execute(w.deps, detail('drill-other'));
    expect(stranger).toMatchObject({ status: 'SUCCEEDED', output: { report: { status: 'skipped' } } });
    expect(await w.dials()).not.toEqual([100, 0]);
    const run = await execute(w.deps, detail('drill-stopped'));
    expect(run.status).toBe('SUCCEEDED');
    if (run.status !== 'SUCCEEDED') return;
    expect(run.output.report).toMatchObject({ status: 'reverted', restored: true });
    expect(await w.dials()).toEqual([100, 0]);
    expect(await w.lockFree()).toBe(true);
  });
});
