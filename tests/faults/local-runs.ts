/**
 * Runs through the local cloud's own Step Functions (tests/helpers/backup-sfn.ts): executions
 * started by the schedule or by backupStart, stopped with StopExecution, waited for with the
 * clock accelerated, and turned into the outcomes the property checks read.
 */
import type { RunningLocalCloud } from '@shipyard/local-cloud';
import { STALL_MS } from '@shipyard/local-cloud/testing';
import type { DeployedBackup } from '../helpers/backup-sfn.ts';
import type { RunOutcome } from './properties.ts';

/** Simulated ms per real ms while an execution runs: a nightly run takes about a real second. */
const RUN_SPEED = 2_000;

/** Lets the execution run on an accelerated clock until it ends, then freezes the clock again. */
export async function finish(
  local: RunningLocalCloud,
  deployed: DeployedBackup,
  executionArn: string,
): Promise<RunOutcome> {
  await local.control.setSpeed(RUN_SPEED);
  try {
    const done = await deployed.wait(executionArn);
    const runId = executionArn.split(':').pop() ?? '';
    return {
      status:
        done.status === 'SUCCEEDED'
          ? 'succeeded'
          : done.status === 'FAILED'
            ? 'failed'
            : (done.status ?? 'unknown'),
      error: done.error,
      cause: done.cause,
      summary: deployed.summaries.get(runId)?.summary,
    };
  } finally {
    await local.control.setSpeed(0);
  }
}

/**
 * Follows a running execution event by event (the local cloud's progress route answers at
 * each history event of it or of its map's children, no polling) until `ready()` says so.
 * Bounded by progress, never by time: fails when the execution ends first or records no
 * event (nor AWS request answered) for STALL_MS.
 */
export async function untilDuring(
  local: RunningLocalCloud,
  executionArn: string,
  ready: () => Promise<boolean>,
  what: string,
): Promise<void> {
  let seen = 0;
  let requestsSeen = -1;
  while (!(await ready())) {
    const { status, activity, requests } = await local.control.executionProgress({
      executionArn,
      afterEventId: Number.MAX_SAFE_INTEGER,
      afterActivity: seen,
      waitMs: STALL_MS,
    });
    if (status !== undefined && status !== 'RUNNING') {
      if (await ready()) return;
      throw new Error(`${what}: the execution ended ${status} before`);
    }
    if (activity === seen && requests === requestsSeen)
      throw new Error(`${what}: no new event nor AWS request for ${STALL_MS / 1000}s`);
    seen = activity;
    requestsSeen = requests;
  }
}
