/**
 * Runs through the local cloud's own Step Functions (tests/helpers/backup-sfn.ts): executions
 * started by the schedule or by backupStart, stopped with StopExecution, waited for with the
 * clock accelerated, and turned into the outcomes the property checks read.
 */
import type { RunningLocalCloud } from '@shipyard/local-cloud';
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

/** Polls (real time, bounded) until `ready()` says so, for async deliveries such as a schedule's Lambda invocation. */
export async function until(ready: () => Promise<boolean>, what: string, polls = 400): Promise<void> {
  for (let i = 0; i < polls; i++) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}
