/**
 * The drill functions (functions/drill-*): the adapters of a failover drill and the drills of
 * the packaged config — the authority; an execution input only names one.
 */
import type * as z from 'zod';
import { createAlarmStates } from '../aws/cloudwatch.ts';
import { createLaunchTemplates } from '../aws/ec2-launch-templates.ts';
import { createTargetHealth } from '../aws/elbv2-target-health.ts';
import { createAccelerators } from '../aws/global-accelerator.ts';
import { createS3DrillLock } from '../aws/s3-drill-lock.ts';
import { createS3VerificationStore } from '../aws/s3-verification-store.ts';
import type { DrillStepDeps } from '../backup-service/drill.ts';
import type { DrillConfig } from '../config/drill.ts';
import { backupRunsEnv } from './backup-deps.ts';
import { readPackagedConfig } from './environment.ts';

/** The run records bucket holds the verification results the gate reads and the drill locks. */
export const drillEnv = backupRunsEnv;

export type DrillFunctionDeps = DrillStepDeps & { drills: readonly DrillConfig[] };

export const drillDeps = (env: z.infer<typeof drillEnv>): DrillFunctionDeps => {
  const config = { maxAttempts: 4, retryMode: 'standard' } as const;
  const now = () => new Date();
  const bucket = env.SHIPYARD_BACKUP_RUNS_BUCKET;
  return {
    accelerators: createAccelerators({ config }),
    alarms: createAlarmStates({ config }),
    templates: createLaunchTemplates({ clientConfig: config }),
    lock: createS3DrillLock({ bucket, now }),
    targetHealth: createTargetHealth({ config }),
    store: createS3VerificationStore({ bucket }),
    now,
    drills: readPackagedConfig(env).drills,
  };
};
