/**
 * The restore tests and the failover drill of `npm start`: the deployed verification state
 * machine verifies the newest nightly backups (launch in the isolated subnets, status checks
 * on the simulated clock, terminate), then one drill moves the demo accelerator's traffic
 * from Mumbai to California in steps behind an alarm and back through the deployed drill
 * state machine, as `shipyard drill --run` starts it.
 */

import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { ControlClient, RunningLocalCloud } from '@shipyard/local-cloud';
import { createAccelerators } from '../../shared/aws/global-accelerator.ts';
import type { BackupExecutionsPort } from '../../shared/aws/sfn-executions.ts';
import type { VerificationRecord } from '../../shared/backup/verification-record.ts';
import type { DrillReport } from '../../shared/backup-service/drill.ts';
import { drillReportOfExecution } from '../../shared/backup-service/drill-progress.ts';
import { verificationProgressSchema } from '../../shared/backup-service/verify-rounds.ts';
import type { DrillConfig } from '../../shared/config/drill.ts';
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

/**
 * The standby's launch template (no AMI yet: the drill adds the version with the verified
 * one) and the gate alarm, as the service's own stack would have them. The deployed config
 * names them by the local cloud's deterministic ids: a mismatch is said here, by field.
 */
async function standbyInfrastructure(url: string, drill: DrillConfig, accelerator: SeededAccelerator) {
  const where = 'config/shipyard.dev.yml drills[mumbai-to-california]';
  const expected: [string, string, string][] = [
    ['acceleratorArn', drill.acceleratorArn, accelerator.acceleratorArn],
    ['primary.endpointGroupArn', drill.primary.endpointGroupArn, accelerator.groups.primary],
    ['standby.endpointGroupArn', drill.standby.endpointGroupArn, accelerator.groups.standby],
  ];
  const region = drill.standby.region;
  const template = await new EC2Client({ endpoint: url, region, credentials }).send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: DEMO.accelerator.name,
      LaunchTemplateData: { InstanceType: 't3.micro' },
    }),
  );
  expected.push([
    'standby.launchTemplateId',
    drill.standby.launchTemplateId,
    template.LaunchTemplate?.LaunchTemplateId ?? '',
  ]);
  for (const [field, configured, seeded] of expected)
    if (configured !== seeded)
      throw new Error(`${where}.${field}: ${configured} configured, the seed made ${seeded}`);
  for (const alarm of drill.alarms)
    await new CloudWatchClient({ endpoint: url, region: alarm.region, credentials }).send(
      new PutMetricAlarmCommand({
        AlarmName: alarm.name,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
}

/** One drill, Mumbai → California and back, through the deployed drill state machine on the simulated clock. */
export async function runDemoDrill(input: {
  local: RunningLocalCloud;
  accelerator: SeededAccelerator;
  executions: BackupExecutionsPort;
  stateMachineArn: string;
  drill: DrillConfig;
}): Promise<DrillEntry> {
  const { local, accelerator, drill } = input;
  await standbyInfrastructure(local.url, drill, accelerator);
  const name = `drill-${drill.name}-rehearsal`;
  const started = await input.executions.start({
    stateMachineArn: input.stateMachineArn,
    name,
    input: { drill: drill.name, run: true },
  });
  if (started.kind !== 'started') throw new Error(`the drill ${name} was already started`);
  if (!(await followAtRunSpeed(local.control, started.executionArn)))
    throw new Error(`the drill ${name} made no progress`);
  const execution = await input.executions.describe(started.executionArn);
  if (execution === undefined) throw new Error(`the drill ${name} is not found`);
  const report = drillReportOfExecution(execution, name);
  const accelerators = createAccelerators({ config: { endpoint: local.url, credentials } });
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
