/** The composition root of `shipyard verify` and `shipyard drill`: adapters for the ports. */
import { createAlarmStates, createVerificationAlarms } from '../../shared/aws/cloudwatch.ts';
import { createLaunchTemplates } from '../../shared/aws/ec2-launch-templates.ts';
import { createVerificationEc2Factory } from '../../shared/aws/ec2-verification.ts';
import { createTargetHealth } from '../../shared/aws/elbv2-target-health.ts';
import { createAccelerators } from '../../shared/aws/global-accelerator.ts';
import { createS3DrillLock } from '../../shared/aws/s3-drill-lock.ts';
import { createS3RunRecords } from '../../shared/aws/s3-run-records.ts';
import { createS3VerificationStore } from '../../shared/aws/s3-verification-store.ts';
import { createProbeCommands } from '../../shared/aws/ssm-commands.ts';
import { createManagedInstances } from '../../shared/aws/ssm-instances.ts';
import type { DrillDeps } from '../../shared/backup-service/drill.ts';
import type { VerifyDeps } from '../../shared/backup-service/verify.ts';
import { CLI_MAX_ATTEMPTS } from '../backup/clients.ts';
import { clientSettings, type GlobalOptions } from '../context.ts';
import { UserError } from '../errors.ts';

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The run records bucket (a stack output): where results, launches and drill locks live. */
export function recordsBucket(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const bucket = option ?? env.SHIPYARD_RECORDS_BUCKET;
  if (bucket === undefined || bucket === '')
    throw new UserError('--records-bucket: the run records bucket is required (or SHIPYARD_RECORDS_BUCKET)');
  return bucket;
}

export function verifyDeps(global: GlobalOptions, bucket: string): VerifyDeps {
  const { region, ...settings } = clientSettings(global);
  const config = { ...settings, maxAttempts: CLI_MAX_ATTEMPTS };
  const runRecords = createS3RunRecords({ bucket, config: { ...config, region } });
  return {
    ec2: createVerificationEc2Factory({ clientConfig: config }),
    ssm: createManagedInstances({ config }),
    commands: createProbeCommands({ config }),
    store: createS3VerificationStore({ bucket, config: { ...config, region } }),
    alarms: createVerificationAlarms({ region, config }),
    recordedRunIds: (policy) => runRecords.recordedRunIds(policy),
    now: () => new Date(),
    sleep: realSleep,
  };
}

export function drillDeps(global: GlobalOptions, bucket: string): DrillDeps {
  const { region, ...settings } = clientSettings(global);
  const config = { ...settings, maxAttempts: CLI_MAX_ATTEMPTS };
  const now = () => new Date();
  return {
    accelerators: createAccelerators({ config }),
    alarms: createAlarmStates({ config }),
    templates: createLaunchTemplates({ clientConfig: config }),
    lock: createS3DrillLock({ bucket, now, config: { ...config, region } }),
    targetHealth: createTargetHealth({ config }),
    store: createS3VerificationStore({ bucket, config: { ...config, region } }),
    now,
    sleep: realSleep,
  };
}
