/**
 * CopyImage (one copy region of one target), a `.waitForTaskToken` Task: starts the copy in the
 * destination region (shared/backup-service/copy-image.ts), parks its token under it and checks
 * once, so the Task ends when the copy is available or failed. When the region has no copy slot
 * (EC2's concurrent copy limit), or others already queue for one, the copy joins the region's
 * queue instead (shared/backup-service/copy-queue.ts) and the Task waits on: a copy ending
 * there starts it.
 */

import { startCopy } from '../../shared/backup-service/copy-image.ts';
import { type CopyAttempt, startOrQueueCopy } from '../../shared/backup-service/copy-queue.ts';
import { type BackupDeps, tagRunLogs } from '../../shared/backup-service/deps.ts';
import { splitTaskToken } from '../../shared/backup-service/event-waits.ts';
import { copyTaskSchema } from '../../shared/backup-service/state.ts';
import { parseRunTask } from '../../shared/backup-service/task-input.ts';
import { backupDeps, backupResultsEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function makeHandler(deps: BackupDeps) {
  const start = startCopy(deps);
  return async (event: unknown): Promise<CopyAttempt> => {
    tagRunLogs(deps.logger, event);
    const { token, input } = splitTaskToken(event);
    const task = parseRunTask('copy-image', copyTaskSchema, input, deps.policies);
    if (token !== undefined) return startOrQueueCopy(deps, token, task, start);
    // Only a waiting Task can queue or park: without a token a refusal is the step's error.
    await start(task);
    return { kind: 'started' };
  };
}

export const handler = lambdaHandler({
  name: 'backup-copy-image',
  env: backupResultsEnv,
  deps: backupDeps,
  handler: makeHandler,
});
