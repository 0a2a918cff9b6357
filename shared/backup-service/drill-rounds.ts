/**
 * A failover drill as state machine steps (statemachines/drill.asl.yaml): the same rules as
 * runDrill (drill.ts), with the waits taken out of the functions. Start runs the parity gate
 * and takes the lock, Template points the standby's launch template at the verified AMI, Dial
 * makes one move per invocation (write one dial, check it settled and reads back, check the
 * alarms during a bake) and tells the state machine how long to Wait, and Revert restores
 * the recorded dials one write at a time, then releases the lock — after the last step, an
 * alarm, a timeout or (through the Catch) any error.
 */

import { drillSteps, firstUnsafeWrite, type GroupState, revertWrites } from '../backup/drill.ts';
import { DialNotApplied, DrillRefused, DrillRevertFailed } from '../backup/verification-errors.ts';
import type { DrillConfig } from '../config/drill.ts';
import {
  alarmProblems,
  BAKE_POLL_MS,
  type DrillStepDeps,
  drillLockKey,
  gate,
  lockAccelerator,
  plannedReport,
  pointTemplateAt,
  SETTLE_POLL_MS,
} from './drill.ts';
import { type DrillProgress, drillProgressSchema } from './drill-progress.ts';

/** How often a dial change is polled for DEPLOYED, and the alarms during a bake (seconds): runDrill's. */
const SETTLE_POLL_SECONDS = SETTLE_POLL_MS / 1000;
const BAKE_POLL_SECONDS = BAKE_POLL_MS / 1000;
/** A revert waits this many settle periods for the accelerator before it gives up (and alarms). */
const REVERT_SETTLE_PERIODS = 3;

/**
 * The first step: the gate (DrillRefused: nothing changed), then in plan mode the plan and
 * done; skipped while the accelerator is IN_PROGRESS; otherwise the lock and the recorded dials.
 *
 * @throws DrillRefused when the gate fails; DrillLocked when another drill holds the accelerator.
 */
export async function startDrill(
  deps: DrillStepDeps,
  drill: DrillConfig,
  options: { run: boolean; owner: string },
): Promise<DrillProgress> {
  const checked = await gate(deps, drill);
  const report = plannedReport(drill, checked, options.run ? 'run' : 'plan');
  const progress: DrillProgress = {
    drill: drill.name,
    owner: options.owner,
    report,
    recorded: [checked.primary, checked.standby],
    phase: 'done',
    step: 0,
    write: 0,
    since: deps.now().toISOString(),
    next: 'done',
    waitSeconds: SETTLE_POLL_SECONDS,
  };
  if (!options.run) return progress;
  if ((await deps.accelerators.status(drill.acceleratorArn)) === 'IN_PROGRESS') {
    report.status = 'skipped';
    report.errors.push(
      'the accelerator is IN_PROGRESS (another change is deploying): skipped, nothing changed',
    );
    return progress;
  }
  await lockAccelerator(deps, drill, options.owner, progress.recorded);
  report.status = 'completed';
  return { ...progress, phase: 'dial', next: 'wait' };
}

/**
 * A drill whose execution was stopped or timed out (no Catch runs then): when the lock is
 * still held by that execution, the dials it recorded there are restored by a new execution
 * that goes straight to Revert (and releases the lock as that owner). Anything else: nothing
 * to restore, nothing changed.
 */
export async function recoverDrill(
  deps: DrillStepDeps,
  drill: DrillConfig,
  stopped: { name: string; status: string },
): Promise<DrillProgress> {
  const held = await deps.lock.holder(drillLockKey(drill));
  const recorded = drillProgressSchema.shape.recorded.safeParse(held?.recorded);
  const [primary, standby] = recorded.success ? recorded.data : [];
  const base: DrillProgress = {
    drill: drill.name,
    owner: stopped.name,
    report: {
      drill: drill.name,
      accelerator: drill.acceleratorArn,
      mode: 'run',
      status: 'skipped',
      standbyImageId: '',
      recorded: [],
      plan: [],
      steps: [],
      errors: [],
      restored: true,
    },
    recorded: [],
    phase: 'done',
    step: 0,
    write: 0,
    since: deps.now().toISOString(),
    next: 'done',
    waitSeconds: SETTLE_POLL_SECONDS,
  };
  if (held?.owner !== stopped.name || primary === undefined || standby === undefined) {
    base.report.errors.push(
      `the drill execution ${stopped.name} ended ${stopped.status} and holds no lock: nothing to restore`,
    );
    return base;
  }
  base.report.status = 'reverted';
  base.report.errors.push(
    `the drill execution ${stopped.name} ended ${stopped.status}: restoring the dials it recorded`,
  );
  base.report.recorded = [primary, standby].map((g) => ({ region: g.region, dial: g.dial }));
  base.report.plan = drillSteps({ primary, standby, steps: drill.steps });
  return { ...base, recorded: [primary, standby], phase: 'revert', next: 'revert' };
}

/** Points the standby's launch template at the verified AMI (read back), before any dial moves. */
export async function updateTemplate(
  deps: DrillStepDeps,
  drill: DrillConfig,
  progress: DrillProgress,
): Promise<DrillProgress> {
  await pointTemplateAt(deps, drill, progress.report.standbyImageId, progress.report);
  return progress;
}

const groupsNow = async (deps: DrillStepDeps, drill: DrillConfig): Promise<GroupState[]> =>
  (
    await Promise.all(
      [drill.primary.endpointGroupArn, drill.standby.endpointGroupArn].map((arn) =>
        deps.accelerators.endpointGroup(arn),
      ),
    )
  ).filter((g): g is GroupState => g !== undefined);

const waiting = (progress: DrillProgress, seconds: number): DrillProgress => ({
  ...progress,
  next: 'wait',
  waitSeconds: Math.max(1, Math.ceil(seconds)),
});

const reverting = (progress: DrillProgress, reason: string): DrillProgress => {
  const last = progress.report.steps.at(-1);
  if (last !== undefined && !last.passed) last.reason = reason;
  progress.report.status = 'reverted';
  progress.report.errors.push(reason);
  return { ...progress, phase: 'revert', next: 'revert' };
};

/** Writes the next dial of the plan after the fail-open guard; the step's report entry opens with its first write. */
async function writeDial(deps: DrillStepDeps, drill: DrillConfig, p: DrillProgress): Promise<DrillProgress> {
  const step = p.report.plan[p.step];
  const write = step?.writes[p.write];
  if (step === undefined || write === undefined) return { ...p, phase: 'revert', next: 'revert' };
  const unsafe = firstUnsafeWrite(await groupsNow(deps, drill), [write]);
  if (unsafe !== undefined)
    throw new DrillRefused(`dialling ${write.region} to ${write.dial} refused: ${unsafe.problem}`);
  if (p.write === 0)
    p.report.steps.push({
      region: drill.standby.region,
      dial: step.percent,
      passed: false,
      startedAt: deps.now().toISOString(),
      shiftSeconds: 0,
    });
  await deps.accelerators.setDial(write.endpointGroupArn, write.dial);
  return waiting({ ...p, phase: 'settle', since: deps.now().toISOString() }, SETTLE_POLL_SECONDS);
}

/** The last write settled (DEPLOYED) and reads back as written: its shift time counts; then the next write or the bake. */
async function settle(deps: DrillStepDeps, drill: DrillConfig, p: DrillProgress): Promise<DrillProgress> {
  const write = p.report.plan[p.step]?.writes[p.write];
  const elapsedMs = deps.now().getTime() - Date.parse(p.since);
  const status = await deps.accelerators.status(drill.acceleratorArn);
  if (status !== 'DEPLOYED') {
    if (elapsedMs >= drill.settleSeconds * 1000)
      return reverting(
        p,
        `timeout: the accelerator stayed ${status ?? 'unknown'} over ${drill.settleSeconds} s after dialling ${write?.region} to ${write?.dial}`,
      );
    return waiting(p, SETTLE_POLL_SECONDS);
  }
  const back =
    write === undefined ? undefined : await deps.accelerators.endpointGroup(write.endpointGroupArn);
  if (write === undefined || back?.dial !== write.dial)
    throw new DialNotApplied(
      `${write?.region} reads back dial ${back?.dial ?? 'nothing'}, ${write?.dial} was written`,
    );
  const entry = p.report.steps.at(-1);
  if (entry !== undefined) entry.shiftSeconds = (entry.shiftSeconds ?? 0) + Math.round(elapsedMs / 1000);
  const next = { ...p, write: p.write + 1, since: deps.now().toISOString() };
  if (next.write < (p.report.plan[p.step]?.writes.length ?? 0))
    return writeDial(deps, drill, { ...next, phase: 'dial' });
  return bake(deps, drill, { ...next, phase: 'bake' });
}

/** One look at the alarms during a bake: an alarm reverts; the end of the bake passes the step. */
async function bake(deps: DrillStepDeps, drill: DrillConfig, p: DrillProgress): Promise<DrillProgress> {
  const problems = await alarmProblems(deps, drill, { requireQuiet: true });
  if (problems.length > 0)
    return reverting(p, `step ${p.report.plan[p.step]?.percent} %: ${problems.join('; ')}`);
  const remainingMs = Date.parse(p.since) + drill.bakeSeconds * 1000 - deps.now().getTime();
  if (remainingMs > 0) return waiting(p, Math.min(BAKE_POLL_SECONDS, remainingMs / 1000));
  const entry = p.report.steps.at(-1);
  if (entry !== undefined) entry.passed = true;
  const next: DrillProgress = { ...p, step: p.step + 1, write: 0, phase: 'dial' };
  // Every step passed: back to the recorded dials.
  if (next.step >= p.report.plan.length) return { ...next, phase: 'revert', next: 'revert' };
  return writeDial(deps, drill, next);
}

/** One move of the dial steps; what to do next and how long to Wait first. */
export async function dialRound(
  deps: DrillStepDeps,
  drill: DrillConfig,
  progress: DrillProgress,
): Promise<DrillProgress> {
  if (progress.phase === 'dial') return writeDial(deps, drill, progress);
  if (progress.phase === 'settle') return settle(deps, drill, progress);
  if (progress.phase === 'bake') return bake(deps, drill, progress);
  return { ...progress, next: 'revert' };
}

/**
 * One move back to the recorded dials: an error the Catch handed over is recorded first (the
 * execution then fails); while the accelerator is IN_PROGRESS it waits; then one write (raises
 * before lowers, guarded against failing open); with nothing left to write, the dials read
 * back as recorded and the lock is released.
 *
 * @throws DrillRevertFailed when the accelerator stays IN_PROGRESS past the revert's patience.
 */
export async function revertRound(
  deps: DrillStepDeps,
  drill: DrillConfig,
  input: DrillProgress,
): Promise<DrillProgress> {
  const { error, ...rest } = input;
  let p: DrillProgress = rest;
  if (p.phase !== 'revert') p = { ...p, phase: 'revert', since: deps.now().toISOString() };
  if (error !== undefined) {
    const reason = `${error.Error}: ${causeMessage(error.Cause)}`;
    p = { ...reverting(p, reason), aborted: error.Error, since: deps.now().toISOString() };
  }
  if (p.report.mode === 'plan' || p.report.status === 'skipped') return { ...p, phase: 'done', next: 'done' };
  const status = await deps.accelerators.status(drill.acceleratorArn);
  if (status !== 'DEPLOYED') {
    if (deps.now().getTime() - Date.parse(p.since) >= REVERT_SETTLE_PERIODS * drill.settleSeconds * 1000)
      throw new DrillRevertFailed(
        `the accelerator stayed ${status ?? 'unknown'} over ${REVERT_SETTLE_PERIODS * drill.settleSeconds} s: the recorded dials are not restored`,
      );
    return waiting(p, SETTLE_POLL_SECONDS);
  }
  const current = await groupsNow(deps, drill);
  const [write] = revertWrites(p.recorded, current);
  if (write !== undefined) {
    const unsafe = firstUnsafeWrite(current, [write]);
    if (unsafe !== undefined)
      throw new DrillRevertFailed(`restoring ${write.region} to ${write.dial} refused: ${unsafe.problem}`);
    await deps.accelerators.setDial(write.endpointGroupArn, write.dial);
    return waiting({ ...p, since: deps.now().toISOString() }, SETTLE_POLL_SECONDS);
  }
  p.report.restored = p.recorded.every(
    (g) => current.find((c) => c.endpointGroupArn === g.endpointGroupArn)?.dial === g.dial,
  );
  await deps.lock.release(drillLockKey(drill), p.owner);
  return { ...p, phase: 'done', next: 'done' };
}

/** The message of a Lambda error's Cause (`{"errorMessage": …}`), or the Cause as it is. */
function causeMessage(cause: string | undefined): string {
  if (cause === undefined) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
}
