import { DateTime } from 'luxon';
import type { ControlClient } from '../../local/control-client.ts';
import type { BackupExecutionsPort } from '../../shared/aws/sfn-executions.ts';
import { scheduledExecutionName } from '../../shared/backup/naming.ts';
import type { RunSummary } from '../../shared/backup/summary.ts';

/** Simulated ms per real ms while a backup runs: snapshots and copies take minutes, not hours. */
const RUN_SPEED = 1_000;
/** Real-time bound on one night's execution before the rehearsal gives up on it. */
const MAX_POLLS = 600;
const POLL_MS = 100;

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The next local hh:mm strictly after `now` in the policy's time zone, plus a minute of slack. */
export const nextRunAt = (now: number, timeZone: string, hour: number, minute: number): number => {
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
    const firing = fired.find((f) => f.schedule === options.scheduleName);
    if (!firing) throw new Error(`the schedule ${options.scheduleName} did not fire on night ${night}`);
    const executionName = scheduledExecutionName(policy.name, firing.scheduledTime, policy.timeZone);
    const executionArn = `${options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    await control.setSpeed(RUN_SPEED);
    let result: NightResult | undefined;
    for (let poll = 0; poll < MAX_POLLS && !result; poll += 1) {
      const execution = await executions.describe(executionArn);
      if (execution && execution.status !== 'RUNNING') {
        result = {
          night,
          executionName,
          scheduledTime: firing.scheduledTime,
          status: execution.status,
          ...(execution.output ? { summary: JSON.parse(execution.output) as RunSummary } : {}),
          ...(execution.error ? { error: `${execution.error}: ${execution.cause ?? ''}` } : {}),
        };
      } else {
        await sleep(POLL_MS);
      }
    }
    await control.setSpeed(0);
    const final = result ?? {
      night,
      executionName,
      scheduledTime: firing.scheduledTime,
      status: 'NOT_FINISHED',
      error: `still running after ${(MAX_POLLS * POLL_MS) / 1000}s of real time`,
    };
    results.push(final);
    options.onNight?.(final);
  }
  return results;
};
