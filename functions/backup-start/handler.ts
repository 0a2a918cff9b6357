/**
 * backupStart: the target of each policy's EventBridge Scheduler schedule. Loads the
 * deployed policy the schedule names (for its time zone), names the execution
 * `<policy>-<date in the policy's time zone>` from the scheduled time and starts it with the
 * policy NAME only; a duplicate trigger finds ExecutionAlreadyExists and does nothing. The
 * scheduled time only names the execution: one far from the service clock is refused.
 * (Scheduler cannot name executions itself: see serverless/backup-resources.cjs.)
 */
import * as z from 'zod';
import { createExecutionStarter, type ExecutionStarter } from '../../shared/aws/backup-executions.ts';
import { scheduledExecutionName } from '../../shared/backup/naming.ts';
import { type DeployedPolicies, deployedPolicy } from '../../shared/backup-service/deployed-policies.ts';
import type { BackupLogger } from '../../shared/backup-service/deps.ts';
import { checkScheduledTime } from '../../shared/backup-service/schedule-window.ts';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import { policyNameSchema } from '../../shared/config/policies.ts';
import { backupEnv, packagedPolicies } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const STEP = 'backup-start';

const inputSchema = z
  .object({ policy: policyNameSchema, scheduledTime: z.iso.datetime({ offset: true }) })
  .strict();

export interface StartDeps {
  starter: ExecutionStarter;
  stateMachineArn: string;
  logger: BackupLogger;
  policies: DeployedPolicies;
  /** The service clock. */
  now: () => Date;
}

export function makeHandler(deps: StartDeps) {
  return async (event: unknown) => {
    const input = parseTaskInput(STEP, inputSchema, event);
    const policy = deployedPolicy(STEP, deps.policies, input.policy);
    checkScheduledTime(STEP, input.scheduledTime, deps.now());
    const name = scheduledExecutionName(policy.name, input.scheduledTime, policy.schedule.timeZone);
    const result = await deps.starter.start({
      stateMachineArn: deps.stateMachineArn,
      name,
      input: { policy: policy.name },
    });
    deps.logger.info(result.kind === 'started' ? 'backup started' : 'backup already started', { name });
    return { name, ...result };
  };
}

export const handler = lambdaHandler({
  name: STEP,
  env: backupEnv.extend({ BACKUP_STATE_MACHINE_ARN: z.string().startsWith('arn:') }),
  deps: (env, { logger }): StartDeps => ({
    starter: createExecutionStarter(),
    stateMachineArn: env.BACKUP_STATE_MACHINE_ARN,
    logger,
    policies: packagedPolicies(env),
    now: () => new Date(),
  }),
  handler: makeHandler,
});
