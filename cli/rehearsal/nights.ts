import type { ControlClient } from '@shipyard/local-cloud';
import { DateTime } from 'luxon';
import type { BackupExecutionsPort } from '../../shared/aws/sfn-executions.ts';
import { scheduledExecutionName } from '../../shared/backup/naming.ts';
import type { RunSummary } from '../../shared/backup/summary.ts';

/** Simulated ms per real ms while a backup runs: snapshots and copies take minutes, not hours. */
const RUN_SPEED = 1_000;
/**
 * Real time without progress (a new history event of the execution or of its map's children,
 * or an AWS request answered) after which a night's execution counts as stalled. A bound on
 * progress, not on duration: a slow machine takes longer per step, but a step (one function
 * invocation, one accelerated Wait) never takes a minute without a request.
 */
const STALL_MS = 60_000;

export interface NightResult {
  night: number;
  executionName: string;
  scheduledTime: string;
  status: string;
  summary?: RunSummary;
  error?: string;
}

export interface NightsOptions {
  control: ControlClient;
  executions: BackupExecutionsPort;
  stateMachineArn: string;
  policy: { name: string; timeZone: string; hour: number; minute: number };
  scheduleName: string;
  nights: number;
  onNight?: (result: NightResult) => void;
}

/** Runs the clock at RUN_SPEED while an execution runs to its end (false: it stalled), then stops it. */
export const followAtRunSpeed = async (control: ControlClient, executionArn: string): Promise<boolean> => {
  await control.setSpeed(RUN_SPEED);
  const ended = (await control.followExecution(executionArn, STALL_MS)) !== undefined;
  await control.setSpeed(0);
  return ended;
};

/** The next local hh:mm strictly after `now` in the policy's time zone, plus a minute of slack. */
const nextRunAt = (now: number, timeZone: string, hour: number, minute: number): number => {
  const local = DateTime.fromMillis(now, { zone: timeZone });
  let at = local.set({ hour, minute, second: 0, millisecond: 0 });
  if (at.toMillis() <= now) at = at.plus({ days: 1 });
  return at.toMillis() + 60_000;
};

/**
 * Runs the nightly schedule night after night on the simulated clock: jump to the next
 * scheduled time, let the Scheduler fire (backupStart names the execution), run the
 * execution at an accelerated clock, record its summary.
 */
export const runNights = async (options: NightsOptions): Promise<NightResult[]> => {
  const { control, executions, policy } = options;
  const results: NightResult[] = [];
  for (let night = 1; night <= options.nights; night += 1) {
    await control.setSpeed(0);
    const { now } = await control.clock();
    await control.advance({
      to: new Date(nextRunAt(now, policy.timeZone, policy.hour, policy.minute)).toISOString(),
    });
    const { fired } = await control.tickSchedules();
    // The latest firing is tonight's: an occurrence that came due while an earlier phase moved
    // the clock (the releases) fires at the same tick, late, and backupStart refuses it.
    const firing = fired.filter((f) => f.schedule === options.scheduleName).at(-1);
    if (!firing) throw new Error(`the schedule ${options.scheduleName} did not fire on night ${night}`);
    const executionName = scheduledExecutionName(policy.name, firing.scheduledTime, policy.timeZone);
    const executionArn = `${options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    const ended = await followAtRunSpeed(control, executionArn);
    const execution = ended ? await executions.describe(executionArn) : undefined;
    const final: NightResult = execution
      ? {
          night,
          executionName,
          scheduledTime: firing.scheduledTime,
          status: execution.status,
          ...(execution.output ? { summary: JSON.parse(execution.output) as RunSummary } : {}),
          ...(execution.error ? { error: `${execution.error}: ${execution.cause ?? ''}` } : {}),
        }
      : {
          night,
          executionName,
          scheduledTime: firing.scheduledTime,
          status: 'NOT_FINISHED',
          error: `no progress for ${STALL_MS / 1000}s of real time`,
        };
    results.push(final);
    options.onNight?.(final);
  }
  return results;
};
