/**
 * PlanTarget (dry runs): what the backup run would do for one target — volumes to snapshot,
 * the AMI to register, copies, sharing, and the rotation plan per region with a reason per
 * item — from Describe calls only. Every port is the dry-run port, so nothing is created,
 * copied, shared or deleted even if the planning code asked to.
 */

import type { TargetPlan } from '../../shared/backup/plan.ts';
import { type BackupDeps, tagRunLogs } from '../../shared/backup-service/deps.ts';
import { dryRunEc2Port } from '../../shared/backup-service/ec2-dry-run.ts';
import { planTarget } from '../../shared/backup-service/plan-target.ts';
import { targetTaskSchema } from '../../shared/backup-service/state.ts';
import { parseRunTask } from '../../shared/backup-service/task-input.ts';
import { backupDeps, backupRunsEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<TargetPlan> => {
    tagRunLogs(deps.logger, event);
    const { run, backup } = parseRunTask('plan-target', targetTaskSchema, event, deps.policies);
    const plan = await planTarget({
      ec2: (region) => dryRunEc2Port(deps.ec2(region)),
      run,
      target: backup.target,
      recordedRunIds: await deps.runRecords.recordedRunIds(run.policy.name),
    });
    deps.logger.info('target planned', {
      target: backup.target.id,
      volumes: plan.snapshots.volumes.length,
      image: plan.image?.name,
      copies: plan.copies.map((c) => c.region),
      wouldDelete: plan.rotation.flatMap((r) => r.report.deleted),
    });
    return plan;
  };
}

export const handler = lambdaHandler({
  name: 'backup-plan-target',
  env: backupRunsEnv,
  deps: backupDeps,
  handler: makeHandler,
});
