/**
 * The world of a failover drill on the local cloud, for the drill's workflow tests: see
 * drillWorld. The adapters are the real ones, over the local cloud's endpoint.
 */
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { RunningLocalCloud } from '@shipyard/local-cloud';
import { clientConfig } from '@shipyard/local-cloud/testing';
import { createAlarmStates } from '../../shared/aws/cloudwatch.ts';
import { createLaunchTemplates } from '../../shared/aws/ec2-launch-templates.ts';
import { createTargetHealth } from '../../shared/aws/elbv2-target-health.ts';
import { createAccelerators } from '../../shared/aws/global-accelerator.ts';
import { createS3DrillLock } from '../../shared/aws/s3-drill-lock.ts';
import { createS3VerificationStore } from '../../shared/aws/s3-verification-store.ts';
import type { DrillDeps } from '../../shared/backup-service/drill.ts';
import { drillSchema } from '../../shared/config/drill.ts';

const BUCKET = 'shipyard-test-runs';
const PRIMARY = 'ap-south-1';
export const STANDBY = 'us-west-1';
export const ALARM = 'web-5xx';

interface Seeded {
  globalaccelerator: {
    accelerators: {
      acceleratorArn: string;
      listeners: { endpointGroups: { region: string; endpointGroupArn: string }[] }[];
    }[];
  };
  ec2: { images: { imageId: string }[] };
}

/** A bucket, a verified standby AMI, two load balancers, the accelerator (Mumbai 100, California 0), a launch template, a quiet alarm. */
export async function drillWorld(local: () => RunningLocalCloud) {
  const url = local().url;
  const { region: _r, ...config } = clientConfig(url);
  await new S3Client(clientConfig(url)).send(new CreateBucketCommand({ Bucket: BUCKET }));
  const elb = (region: string) =>
    `arn:aws:elasticloadbalancing:${region}:123456789012:loadbalancer/app/web/0a1b2c3d4e5f6071`;
  const seeded = await local().control.seed<Seeded>({
    ec2: {
      images: [
        {
          region: STANDBY,
          name: 'web-backup',
          architecture: 'x86_64',
          blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }],
        },
      ],
    },
    // The endpoints are load balancers with a healthy target each (the parity gate reads them).
    elasticloadbalancing: {
      loadBalancers: [PRIMARY, STANDBY].map((region) => ({
        region,
        name: 'web',
        id: '0a1b2c3d4e5f6071',
        targetGroups: [{ name: 'web', targets: [{ id: 'i-0a1b2c3d4e5f60710' }] }],
      })),
    },
    globalaccelerator: {
      accelerators: [
        {
          name: 'web',
          listeners: [
            {
              portRanges: [{ fromPort: 443, toPort: 443 }],
              endpointGroups: [
                { region: PRIMARY, endpoints: [{ endpointId: elb(PRIMARY) }] },
                { region: STANDBY, trafficDialPercentage: 0, endpoints: [{ endpointId: elb(STANDBY) }] },
              ],
            },
          ],
        },
      ],
    },
  });
  // Health checks pass after their first rounds.
  local().cloud.clock.advance(10 * 60_000);
  const imageId = seeded.ec2.images[0]?.imageId ?? '';
  const [accelerator] = seeded.globalaccelerator.accelerators;
  const group = (region: string) =>
    accelerator?.listeners[0]?.endpointGroups.find((g) => g.region === region)?.endpointGroupArn ?? '';
  const template = await new EC2Client(clientConfig(url, STANDBY)).send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web',
      LaunchTemplateData: { InstanceType: 't3.micro' },
    }),
  );
  await new CloudWatchClient(clientConfig(url, STANDBY)).send(
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
  await local().control.setAlarmState({ alarmName: ALARM, region: STANDBY, stateValue: 'OK' });
  const now = () => new Date(local().cloud.now());
  const store = createS3VerificationStore({ bucket: BUCKET, config: clientConfig(url) });
  await store.putResult({
    verificationId: 'verify-nightly-1',
    policy: 'nightly',
    target: 'i-0aaaaaaaaaaaaaaa1',
    region: STANDBY,
    imageId,
    imageCreatedAt: new Date(now().getTime() - 3_600_000).toISOString(),
    ours: true,
    status: 'passed',
    secondsToPass: 120,
    finishedAt: now().toISOString(),
  });
  const accelerators = createAccelerators({ config });
  const deps: DrillDeps = {
    accelerators,
    alarms: createAlarmStates({ config }),
    templates: createLaunchTemplates({ clientConfig: config }),
    targetHealth: createTargetHealth({ config }),
    lock: createS3DrillLock({ bucket: BUCKET, now, config: clientConfig(url) }),
    store,
    now,
    sleep: async (ms) => void local().cloud.clock.advance(ms),
  };
  const drill = drillSchema.parse({
    name: 'web-failover',
    acceleratorArn: accelerator?.acceleratorArn,
    primary: { region: PRIMARY, endpointGroupArn: group(PRIMARY) },
    standby: {
      region: STANDBY,
      endpointGroupArn: group(STANDBY),
      policy: 'nightly',
      target: 'i-0aaaaaaaaaaaaaaa1',
      maxImageAgeHours: 48,
      launchTemplateId: template.LaunchTemplate?.LaunchTemplateId,
    },
    alarms: [{ region: STANDBY, name: ALARM }],
  });
  const dials = async () =>
    Promise.all(
      [group(PRIMARY), group(STANDBY)].map(async (arn) => (await accelerators.endpointGroup(arn))?.dial),
    );
  return { deps, drill, dials, now, templateId: template.LaunchTemplate?.LaunchTemplateId ?? '' };
}
