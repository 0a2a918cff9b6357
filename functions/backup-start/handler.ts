/**
 * backupStart: the target of each policy's EventBridge Scheduler schedule. Names the
 * execution `<policy>-<date in the policy's time zone>` from the scheduled time and starts
 * it; a duplicate trigger finds ExecutionAlreadyExists and does nothing. (Scheduler cannot
 * name executions itself: see serverless/backup-resources.cjs.)
 */
import { z } from 'zod';
import { createExecutionStarter, type ExecutionStarter } from '../../shared/aws/backup-executions.ts';
import { scheduledExecutionName } from '../../shared/backup/naming.ts';
import type { BackupLogger } from '../../shared/backup-workflow/deps.ts';
import { parseTaskInput } from '../../shared/backup-workflow/task-input.ts';
import { backupPolicySchema } from '../../shared/config/policies.ts';
import { createLogger } from '../../shared/logging/logger.ts';

const inputSchema = z
  .object({ policy: backupPolicySchema, scheduledTime: z.iso.datetime({ offset: true }) })
  .strict();

const envSchema = z.object({ BACKUP_STATE_MACHINE_ARN: z.string().startsWith('arn:') });

export interface StartDeps {
  starter: ExecutionStarter;
  stateMachineArn: string;
  logger: BackupLogger;
}

export function makeHandler(deps: StartDeps) {
  return async (event: unknown) => {
    const { policy, scheduledTime } = parseTaskInput('backup-start', inputSchema, event);
    const name = scheduledExecutionName(policy.name, scheduledTime, policy.schedule.timeZone);
    const result = await deps.starter.start({
      stateMachineArn: deps.stateMachineArn,
      name,
      input: { policy, runId: name, now: scheduledTime },
    });
    deps.logger.info(result.kind === 'started' ? 'backup started' : 'backup already started', { name });
    return { name, ...result };
  };
}

/**
 * Built once, on the first invocation rather than at import: the environment (the state
 * machine ARN) exists only in the deployed function, and tests import this module.
 */
let deployed: ReturnType<typeof makeHandler> | undefined;

export const handler = (event: unknown) => {
  if (deployed === undefined) {
    const env = envSchema.safeParse(process.env);
    if (!env.success) {
      throw new Error(
        `backup-start: ${env.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    deployed = makeHandler({
      starter: createExecutionStarter(),
      stateMachineArn: env.data.BACKUP_STATE_MACHINE_ARN,
      logger: createLogger('shipyard-backup-start'),
    });
  }
  return deployed(event);
};
