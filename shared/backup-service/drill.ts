/**
 * A failover drill of one accelerator: the parity gate (the standby's newest verified AMI is
 * fresh, its launch template runs it, its endpoints are healthy, every alarm exists and is
 * quiet, no planned write fails open), then — only with `mode: 'run'`, under the
 * accelerator's lock, never while it is IN_PROGRESS — the dial steps with a bake behind the
 * alarms, every write read back, and the recorded dials restored at the end, on an alarm, an
 * error or a timeout. `mode: 'plan'` (the default of the CLI) reads and changes nothing.
 */
import {
  type DialWrite,
  drillSteps,
  firstUnsafeWrite,
  type GroupState,
  revertWrites,
} from '../backup/drill.ts';
import { loadBalancerRegion, targetHealthProblems } from '../backup/target-health.ts';
import { DialNotApplied, DrillLocked, DrillRefused } from '../backup/verification-errors.ts';
import { freshVerifiedImage, type VerificationRecord } from '../backup/verification-record.ts';
import type { DrillConfig } from '../config/drill.ts';
import type { Accelerators, AlarmStates, DrillLock, LaunchTemplates, TargetHealth } from './ports/drill.ts';
import type { VerificationStore } from './ports/verification.ts';

/** How often an update is polled for DEPLOYED, and alarms during a bake. */
export const SETTLE_POLL_MS = 5_000;
export const BAKE_POLL_MS = 30_000;

/** What one step of a drill reads and writes (the state machine's Lambdas: no sleep, Wait states wait). */
export interface DrillStepDeps {
  accelerators: Accelerators;
  alarms: AlarmStates;
  templates: LaunchTemplates;
  lock: DrillLock;
  /** ELBv2, for standby endpoints that are load balancers (a drill onto one is refused without it). */
  targetHealth?: TargetHealth;
  store: Pick<VerificationStore, 'results'>;
  now: () => Date;
}

export interface DrillDeps extends DrillStepDeps {
  sleep: (ms: number) => Promise<void>;
}

interface DrillStepReport {
  /** The standby region and the percent of the primary's traffic moved to it. */
  region: string;
  dial: number;
  passed: boolean;
  startedAt?: string;
  /** From the first write to DEPLOYED, over the step's writes: the shift time. */
  shiftSeconds?: number;
  reason?: string;
}

export interface DrillReport {
  drill: string;
  accelerator: string;
  mode: 'plan' | 'run';
  status: 'planned' | 'completed' | 'reverted' | 'skipped';
  standbyImageId: string;
  launchTemplateVersion?: number;
  /** The dials found before the drill (what is restored). */
  recorded: { region: string; dial: number }[];
  plan: { percent: number; writes: DialWrite[] }[];
  steps: DrillStepReport[];
  errors: string[];
  restored: boolean;
}

export interface Gate {
  image: VerificationRecord;
  primary: GroupState;
  standby: GroupState;
  plan: { percent: number; writes: DialWrite[] }[];
}

const field = (drill: DrillConfig, path: string) => `drills[${drill.name}].${path}`;

/** The parity gate: every problem named by its config field, or the groups, image and plan. */
export async function gate(deps: DrillStepDeps, drill: DrillConfig): Promise<Gate> {
  const problems: string[] = [];
  const status = await deps.accelerators.status(drill.acceleratorArn);
  if (status === undefined)
    problems.push(`${field(drill, 'acceleratorArn')}: accelerator ${drill.acceleratorArn} does not exist`);
  const primary = await deps.accelerators.endpointGroup(drill.primary.endpointGroupArn);
  const standby = await deps.accelerators.endpointGroup(drill.standby.endpointGroupArn);
  for (const [key, group, config] of [
    ['primary', primary, drill.primary],
    ['standby', standby, drill.standby],
  ] as const) {
    if (group === undefined)
      problems.push(`${field(drill, `${key}.endpointGroupArn`)}: endpoint group does not exist`);
    else if (group.region !== config.region)
      problems.push(
        `${field(drill, `${key}.region`)}: the endpoint group is in ${group.region}, not ${config.region}`,
      );
  }
  const records = await deps.store.results(drill.standby.region);
  const image = freshVerifiedImage(records, drill.standby, {
    nowMs: deps.now().getTime(),
    maxAgeMs: drill.standby.maxImageAgeHours * 3_600_000,
  });
  if (image === undefined)
    problems.push(
      `${field(drill, 'standby')}: no AMI of ${drill.standby.target} (policy ${drill.standby.policy}) verified in ${drill.standby.region} from a backup younger than ${drill.standby.maxImageAgeHours} h`,
    );
  const template = await deps.templates.latestImageId(drill.standby.region, drill.standby.launchTemplateId);
  if (template === undefined)
    problems.push(
      `${field(drill, 'standby.launchTemplateId')}: launch template ${drill.standby.launchTemplateId} does not exist in ${drill.standby.region}`,
    );
  if (standby !== undefined && !standby.endpoints.some((e) => e.weight > 0 && e.healthState === 'HEALTHY'))
    problems.push(
      `${field(drill, 'standby.endpointGroupArn')}: no healthy endpoint of weight above 0 in the standby group`,
    );
  if (standby !== undefined) problems.push(...(await loadBalancerProblems(deps, drill, standby)));
  problems.push(...(await alarmProblems(deps, drill, { requireQuiet: true })));
  let plan: Gate['plan'] = [];
  if (primary !== undefined && standby !== undefined) {
    plan = drillSteps({ primary, standby, steps: drill.steps });
    const unsafe = firstUnsafeWrite(
      [primary, standby],
      plan.flatMap((s) => s.writes),
    );
    if (unsafe !== undefined)
      problems.push(
        `${field(drill, 'steps')}: dialling ${unsafe.write.region} to ${unsafe.write.dial} is refused: ${unsafe.problem}`,
      );
  }
  if (problems.length > 0 || image === undefined || primary === undefined || standby === undefined)
    throw new DrillRefused(`drill ${drill.name} refused, nothing changed: ${problems.join('; ')}`, problems);
  return { image, primary, standby, plan };
}

/** Each standby endpoint of weight above 0 that is an ALB/NLB needs a healthy target in every target group. */
async function loadBalancerProblems(deps: DrillStepDeps, drill: DrillConfig, standby: GroupState) {
  const problems: string[] = [];
  const path = field(drill, 'standby.endpointGroupArn');
  for (const endpoint of standby.endpoints) {
    const region = loadBalancerRegion(endpoint.endpointId);
    if (region === undefined || endpoint.weight === 0) continue;
    if (deps.targetHealth === undefined) {
      problems.push(
        `${path}: endpoint ${endpoint.endpointId} is a load balancer and this runner cannot read its target health`,
      );
      continue;
    }
    const groups = await deps.targetHealth.ofLoadBalancer(region, endpoint.endpointId);
    problems.push(...targetHealthProblems(endpoint.endpointId, groups).map((p) => `${path}: ${p}`));
  }
  return problems;
}

export async function alarmProblems(
  deps: DrillStepDeps,
  drill: DrillConfig,
  options: { requireQuiet: boolean },
) {
  const problems: string[] = [];
  const regions = [...new Set(drill.alarms.map((a) => a.region))];
  for (const region of regions) {
    const names = drill.alarms.filter((a) => a.region === region).map((a) => a.name);
    const states = await deps.alarms.states(region, names);
    drill.alarms.forEach((alarm, index) => {
      if (alarm.region !== region) return;
      const state = states.get(alarm.name);
      if (state === undefined)
        problems.push(`${field(drill, `alarms[${index}].name`)}: no alarm ${alarm.name} in ${region}`);
      else if (options.requireQuiet && state === 'ALARM')
        problems.push(`${field(drill, `alarms[${index}].name`)}: alarm ${alarm.name} is in ALARM`);
    });
  }
  return problems;
}

/** Writes one dial after the fail-open guard, waits for DEPLOYED, reads it back; returns seconds to settle. */
async function applyDial(deps: DrillDeps, drill: DrillConfig, write: DialWrite): Promise<number> {
  const groups = await Promise.all(
    [drill.primary.endpointGroupArn, drill.standby.endpointGroupArn].map((arn) =>
      deps.accelerators.endpointGroup(arn),
    ),
  );
  const current = groups.filter((g): g is GroupState => g !== undefined);
  const unsafe = firstUnsafeWrite(current, [write]);
  if (unsafe !== undefined)
    throw new DrillRefused(`dialling ${write.region} to ${write.dial} refused: ${unsafe.problem}`);
  const started = deps.now().getTime();
  await deps.accelerators.setDial(write.endpointGroupArn, write.dial);
  for (;;) {
    const status = await deps.accelerators.status(drill.acceleratorArn);
    if (status === 'DEPLOYED') break;
    if (deps.now().getTime() - started >= drill.settleSeconds * 1000)
      throw new Error(
        `timeout: the accelerator stayed ${status ?? 'unknown'} over ${drill.settleSeconds} s after dialling ${write.region} to ${write.dial}`,
      );
    await deps.sleep(SETTLE_POLL_MS);
  }
  const back = await deps.accelerators.endpointGroup(write.endpointGroupArn);
  if (back?.dial !== write.dial)
    throw new DialNotApplied(
      `${write.region} reads back dial ${back?.dial ?? 'nothing'}, ${write.dial} was written`,
    );
  return Math.round((deps.now().getTime() - started) / 1000);
}

/** Bakes a step: any gate alarm in ALARM (or gone) ends it with the reason. */
async function bake(deps: DrillDeps, drill: DrillConfig): Promise<string | undefined> {
  const until = deps.now().getTime() + drill.bakeSeconds * 1000;
  for (;;) {
    const problems = await alarmProblems(deps, drill, { requireQuiet: true });
    if (problems.length > 0) return problems.join('; ');
    if (deps.now().getTime() >= until) return undefined;
    await deps.sleep(Math.min(BAKE_POLL_MS, until - deps.now().getTime()));
  }
}

async function restore(
  deps: DrillDeps,
  drill: DrillConfig,
  recorded: GroupState[],
  errors: string[],
): Promise<boolean> {
  try {
    const now = await Promise.all(recorded.map((g) => deps.accelerators.endpointGroup(g.endpointGroupArn)));
    for (const write of revertWrites(
      recorded,
      now.filter((g): g is GroupState => g !== undefined),
    ))
      await applyDial(deps, drill, write);
    const back = await Promise.all(recorded.map((g) => deps.accelerators.endpointGroup(g.endpointGroupArn)));
    return recorded.every((g, i) => back[i]?.dial === g.dial);
  } catch (error) {
    errors.push(`restoring the recorded dials: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

export const plannedReport = (drill: DrillConfig, checked: Gate, mode: 'plan' | 'run'): DrillReport => ({
  drill: drill.name,
  accelerator: drill.acceleratorArn,
  mode,
  status: 'planned',
  standbyImageId: checked.image.imageId,
  recorded: [checked.primary, checked.standby].map((g) => ({ region: g.region, dial: g.dial })),
  plan: checked.plan,
  steps: [],
  errors: [],
  restored: true,
});

/** The accelerator's lock key: its id. */
export const drillLockKey = (drill: DrillConfig): string =>
  drill.acceleratorArn.split('/').at(-1) ?? drill.name;

/** Takes the accelerator's drill lock for the longest the drill can last; its key. */
export async function lockAccelerator(
  deps: DrillStepDeps,
  drill: DrillConfig,
  owner: string,
  recorded?: readonly GroupState[],
): Promise<string> {
  const key = drillLockKey(drill);
  const lifetimeMs =
    (drill.steps.length * (drill.bakeSeconds + 2 * drill.settleSeconds) + 4 * drill.settleSeconds) * 1000;
  const lock = await deps.lock.acquire(
    key,
    owner,
    new Date(deps.now().getTime() + lifetimeMs).toISOString(),
    recorded,
  );
  if (!lock.acquired)
    throw new DrillLocked(
      `accelerator ${drill.acceleratorArn} is being drilled by ${lock.holder}: one drill per accelerator at a time`,
    );
  return key;
}

/**
 * Points the standby's launch template at the tested image (a new version when it does not
 * launch it yet) and reports the version, even when the new version then reads back wrong.
 */
export async function pointTemplateAt(
  deps: DrillStepDeps,
  drill: DrillConfig,
  imageId: string,
  report: DrillReport,
) {
  const { region, launchTemplateId } = drill.standby;
  const template = await deps.templates.latestImageId(region, launchTemplateId);
  if (template?.imageId === imageId) {
    report.launchTemplateVersion = template.version;
    return;
  }
  report.launchTemplateVersion = await deps.templates.createVersion(region, launchTemplateId, imageId);
  const back = await deps.templates.latestImageId(region, launchTemplateId);
  if (back?.imageId !== imageId)
    throw new DialNotApplied(`launch template ${launchTemplateId} reads back ${back?.imageId ?? 'nothing'}`);
}

/** Dials step by step, baking each; the first alarm ends the drill (reverted). */
async function runSteps(
  deps: DrillDeps,
  drill: DrillConfig,
  plan: Gate['plan'],
  report: DrillReport,
): Promise<void> {
  for (const step of plan) {
    const entry: DrillStepReport = {
      region: drill.standby.region,
      dial: step.percent,
      passed: false,
      startedAt: deps.now().toISOString(),
    };
    report.steps.push(entry);
    let shift = 0;
    for (const write of step.writes) shift += await applyDial(deps, drill, write);
    entry.shiftSeconds = shift;
    const alarm = await bake(deps, drill);
    if (alarm !== undefined) {
      entry.reason = alarm;
      report.status = 'reverted';
      report.errors.push(`step ${step.percent} %: ${alarm}`);
      return;
    }
    entry.passed = true;
  }
}

/**
 * Runs (or plans) one drill.
 *
 * @throws DrillRefused when the gate fails (nothing changed); DrillLocked when another drill
 *   holds the accelerator.
 */
export async function runDrill(
  deps: DrillDeps,
  drill: DrillConfig,
  options: { mode: 'plan' | 'run'; owner: string },
): Promise<DrillReport> {
  const checked = await gate(deps, drill);
  const report = plannedReport(drill, checked, options.mode);
  if (options.mode === 'plan') return report;
  if ((await deps.accelerators.status(drill.acceleratorArn)) === 'IN_PROGRESS') {
    report.status = 'skipped';
    report.errors.push(
      'the accelerator is IN_PROGRESS (another change is deploying): skipped, nothing changed',
    );
    return report;
  }
  const key = await lockAccelerator(deps, drill, options.owner);
  try {
    report.status = 'completed';
    await pointTemplateAt(deps, drill, checked.image.imageId, report);
    await runSteps(deps, drill, checked.plan, report);
  } catch (error) {
    report.status = 'reverted';
    const last = report.steps.at(-1);
    const message = error instanceof Error ? error.message : String(error);
    if (last !== undefined && !last.passed) last.reason = message;
    report.errors.push(message);
  } finally {
    report.restored = await restore(deps, drill, [checked.primary, checked.standby], report.errors);
    await deps.lock.release(key, options.owner);
  }
  return report;
}
