/**
 * The restore tests and the failover drill of `npm start`: the deployed verification state
 * machine verifies the newest nightly backups (launch in the isolated subnets, status checks
 * on the simulated clock, terminate), then one drill moves the demo accelerator's traffic
 * from Mumbai to California in steps behind an alarm and back, as `shipyard drill --run` does.
 */

import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { ControlClient, RunningLocalCloud } from '@shipyard/local-cloud';
import { createAlarmStates } from '../../shared/aws/cloudwatch.ts';
import { createLaunchTemplates } from '../../shared/aws/ec2-launch-templates.ts';
import { createTargetHealth } from '../../shared/aws/elbv2-target-health.ts';
import { createAccelerators } from '../../shared/aws/global-accelerator.ts';
import { createS3DrillLock } from '../../shared/aws/s3-drill-lock.ts';
import { createS3VerificationStore } from '../../shared/aws/s3-verification-store.ts';
import type { BackupExecutionsPort } from '../../shared/aws/sfn-executions.ts';
import type { VerificationRecord } from '../../shared/backup/verification-record.ts';
import { type DrillReport, runDrill } from '../../shared/backup-service/drill.ts';
import { verificationProgressSchema } from '../../shared/backup-service/verify-rounds.ts';
import { drillSchema } from '../../shared/config/drill.ts';
import { DEMO, type SeededAccelerator } from './demo-account.ts';
import { followAtRunSpeed } from './nights.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface VerificationEntry {
  target: string;
  region: string;
  imageId: string;
  status: string;
  secondsToPass?: number;
  reason?: string;
}

export interface DrillEntry {
  accelerator: string;
  status: DrillReport['status'];
  steps: { region: string; dial: number; passed: boolean }[];
  restored: boolean;
  /** The dials read back from Global Accelerator after the drill (the seed: Mumbai 100, California 0). */
  dialsAfter: { region: string; dial: number }[];
  errors: string[];
}

/** Starts the deployed verification state machine for the policy and follows it to its end. */
export async function verifyNightlyBackups(input: {
  control: ControlClient;
  executions: BackupExecutionsPort;
  stateMachineArn: string;
  policy: string;
}): Promise<{ entries: VerificationEntry[]; records: VerificationRecord[] }> {
  const name = `verify-${input.policy}-rehearsal`;
  const started = await input.executions.start({
    stateMachineArn: input.stateMachineArn,
    name,
    input: { policy: input.policy },
  });
  if (started.kind !== 'started') throw new Error(`the verification ${name} was already started`);
  if (!(await followAtRunSpeed(input.control, started.executionArn)))
    throw new Error(`the verification ${name} made no progress`);
  const execution = await input.executions.describe(started.executionArn);
  if (execution?.status !== 'SUCCEEDED' || execution.output === undefined)
    throw new Error(
      `the verification ${name} ended ${execution?.status}: ${execution?.error ?? ''} ${execution?.cause ?? ''}`,
    );
  const { results } = verificationProgressSchema.parse(JSON.parse(execution.output));
  const entries = results.map((r) => ({
    target: r.target,
    region: r.region,
    imageId: r.imageId,
    status: r.status,
    ...(r.secondsToPass === undefined ? {} : { secondsToPass: r.secondsToPass }),
    ...(r.reason === undefined ? {} : { reason: r.reason }),
  }));
  return { entries, records: results };
}

const ALARM = 'shipyard-demo-web-5xx';

/** The standby's launch template and the gate alarm, as the service's own stack would have them. */
async function standbyInfrastructure(url: string, imageId: string): Promise<string> {
  const region = DEMO.accelerator.standbyRegion;
  const ec2 = new EC2Client({ endpoint: url, region, credentials });
  const template = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: DEMO.accelerator.name,
      LaunchTemplateData: { ImageId: imageId, InstanceType: 't3.micro' },
    }),
  );
  const id = template.LaunchTemplate?.LaunchTemplateId;
  if (id === undefined) throw new Error('CreateLaunchTemplate returned no id');
  await new CloudWatchClient({ endpoint: url, region, credentials }).send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  return id;
}

/** One drill, Mumbai → California and back, on the simulated clock. */
export async function runDemoDrill(input: {
  local: RunningLocalCloud;
  accelerator: SeededAccelerator;
  runsBucket: string;
  records: readonly VerificationRecord[];
  policy: string;
}): Promise<DrillEntry> {
  const { local, accelerator } = input;
  const standby = input.records.find(
    (r) => r.status === 'passed' && r.region === DEMO.accelerator.standbyRegion,
  );
  if (standby === undefined)
    throw new Error(`no verified backup in ${DEMO.accelerator.standbyRegion} to drill with`);
  const launchTemplateId = await standbyInfrastructure(local.url, standby.imageId);
  const drill = drillSchema.parse({
    name: 'mumbai-to-california',
    acceleratorArn: accelerator.acceleratorArn,
    primary: { region: DEMO.accelerator.primaryRegion, endpointGroupArn: accelerator.groups.primary },
    standby: {
      region: DEMO.accelerator.standbyRegion,
      endpointGroupArn: accelerator.groups.standby,
      policy: input.policy,
      target: standby.target,
      maxImageAgeHours: 48,
      launchTemplateId,
    },
    alarms: [{ region: DEMO.accelerator.standbyRegion, name: ALARM }],
  });
  const config = { endpoint: local.url, credentials };
  const s3 = { ...config, region: 'us-east-1', forcePathStyle: true };
  const now = () => new Date(local.cloud.now());
  const accelerators = createAccelerators({ config });
  const report = await runDrill(
    {
      accelerators,
      alarms: createAlarmStates({ config }),
      templates: createLaunchTemplates({ clientConfig: config }),
      targetHealth: createTargetHealth({ config }),
      lock: createS3DrillLock({ bucket: input.runsBucket, now, config: s3 }),
      store: createS3VerificationStore({ bucket: input.runsBucket, config: s3 }),
      now,
      sleep: async (ms) => void (await local.control.advance({ ms })),
    },
    drill,
    { mode: 'run', owner: 'npm-start' },
  );
  return {
    accelerator: report.accelerator,
    status: report.status,
    steps: report.steps.map((s) => ({ region: s.region, dial: s.dial, passed: s.passed })),
    restored: report.restored,
    dialsAfter: await Promise.all(
      [accelerator.groups.primary, accelerator.groups.standby].map(async (arn) => {
        const group = await accelerators.endpointGroup(arn);
        return { region: group?.region ?? 'missing', dial: group?.dial ?? -1 };
      }),
    ),
    errors: report.errors,
  };
}
