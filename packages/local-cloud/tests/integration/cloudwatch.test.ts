import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { expectAwsError } from './ec2-fixtures.ts';

/**
 * CloudWatch alarms as a drill's bake gate reads them. Sources: the API reference of
 * PutMetricAlarm, DescribeAlarms, SetAlarmState and PutMetricData; the botocore model cloudwatch/2010-08-01
 * (awsQueryCompatible errors, shapes and constraints).
 */

const local = useLocalCloud({ clock: { speed: 0 } });

const REGION = 'us-west-1';
const cloudwatch = () => new CloudWatchClient({ ...clientConfig(local().url, REGION), maxAttempts: 1 });

const putAlarm = (name: string) =>
  cloudwatch().send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Dimensions: [{ Name: 'LoadBalancer', Value: 'app/web/fedcba9876543210' }],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );

const stateOf = async (name: string) =>
  (await cloudwatch().send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0];

describe('CloudWatch alarms', () => {
  it('API_PutMetricAlarm: a new alarm is INSUFFICIENT_DATA; an update leaves the state unchanged and overwrites the configuration', async () => {
    // Prepare
    await putAlarm('web-5xx');
    const created = await stateOf('web-5xx');
    await local().control.setAlarmState({ alarmName: 'web-5xx', region: REGION, stateValue: 'OK' });
    // Act
    await cloudwatch().send(
      new PutMetricAlarmCommand({
        AlarmName: 'web-5xx',
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 3,
        Threshold: 50,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    const updated = await stateOf('web-5xx');
    // Assess
    expect(created).toMatchObject({
      AlarmName: 'web-5xx',
      AlarmArn: `arn:aws:cloudwatch:${REGION}:123456789012:alarm:web-5xx`,
      StateValue: 'INSUFFICIENT_DATA',
      Threshold: 10,
      Dimensions: [{ Name: 'LoadBalancer', Value: 'app/web/fedcba9876543210' }],
    });
    expect(created?.StateUpdatedTimestamp).toBeInstanceOf(Date);
    expect(updated).toMatchObject({ StateValue: 'OK', Threshold: 50, EvaluationPeriods: 3, Dimensions: [] });
  });

  it('control API: an alarm goes to ALARM at a given simulated instant; DescribeAlarms StateValue filters by the state now', async () => {
    // Prepare
    await putAlarm('web-5xx');
    await putAlarm('web-latency');
    await local().control.setAlarmState({ alarmName: 'web-5xx', region: REGION, stateValue: 'OK' });
    await local().control.setAlarmState({ alarmName: 'web-latency', region: REGION, stateValue: 'OK' });
    const clock = await local().control.clock();
    await local().control.setAlarmState({
      alarmName: 'web-5xx',
      region: REGION,
      stateValue: 'ALARM',
      reason: 'Threshold Crossed: 1 datapoint [42.0] was greater than the threshold (10.0).',
      at: new Date(clock.now + 2 * 60_000).toISOString(),
    });
    const inAlarm = () => cloudwatch().send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));
    // Act
    const before = await inAlarm();
    await local().control.advance({ minutes: 2 });
    const after = await inAlarm();
    // Assess
    expect(before.MetricAlarms).toEqual([]);
    expect(after.MetricAlarms?.map((a) => [a.AlarmName, a.StateValue, a.StateReason])).toEqual([
      ['web-5xx', 'ALARM', 'Threshold Crossed: 1 datapoint [42.0] was greater than the threshold (10.0).'],
    ]);
    expect(after.MetricAlarms?.[0]?.StateUpdatedTimestamp?.getTime()).toBe(clock.now + 2 * 60_000);
  });

  it('API_SetAlarmState: the state holds only briefly, then "metric alarms return to their actual state"', async () => {
    await putAlarm('web-5xx');
    await local().control.setAlarmState({ alarmName: 'web-5xx', region: REGION, stateValue: 'OK' });
    const { alarmSetStateHoldMs } = await local().control.durations();
    await cloudwatch().send(
      new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'ALARM', StateReason: 'drill rehearsal' }),
    );
    const set = await stateOf('web-5xx');
    await local().control.advance({ ms: alarmSetStateHoldMs });
    const back = await stateOf('web-5xx');
    expect(set).toMatchObject({ StateValue: 'ALARM', StateReason: 'drill rehearsal' });
    expect(back?.StateValue).toBe('OK');
  });

  it('botocore errors: SetAlarmState of an unknown alarm → ResourceNotFound (404), StateReasonData not JSON → InvalidFormat; DescribeAlarms AlarmNames with AlarmNamePrefix refused', async () => {
    await putAlarm('web-5xx');
    const missing = await expectAwsError(
      cloudwatch().send(
        new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'ALARM', StateReason: 'x' }),
      ),
      'ResourceNotFound',
    );
    expect(missing.$metadata.httpStatusCode).toBe(404);
    await expectAwsError(
      cloudwatch().send(
        new SetAlarmStateCommand({
          AlarmName: 'web-5xx',
          StateValue: 'ALARM',
          StateReason: 'x',
          StateReasonData: 'not json',
        }),
      ),
      'InvalidFormatFault',
    );
    const error = await cloudwatch()
      .send(new DescribeAlarmsCommand({ AlarmNames: ['web-5xx'], AlarmNamePrefix: 'web' }))
      .then(
        () => undefined,
        (e: unknown) => e as { $metadata: { httpStatusCode?: number } },
      );
    expect(error?.$metadata.httpStatusCode).toBe(400);
    expect((await stateOf('web-5xx'))?.StateValue).toBe('INSUFFICIENT_DATA');
  });

  it('alarms are regional: another region does not see them', async () => {
    await putAlarm('web-5xx');
    const elsewhere = new CloudWatchClient({ ...clientConfig(local().url, 'ap-south-1'), maxAttempts: 1 });
    const listed = await elsewhere.send(new DescribeAlarmsCommand({}));
    expect(listed.MetricAlarms).toEqual([]);
  });

  it('API_PutMetricData: datapoints are kept per region (control API); an AWS/ namespace → InvalidParameterValue; a gzip-compressed body is read', async () => {
    // Prepare
    const at = new Date('2026-12-02T03:00:00Z');
    const datum = {
      MetricName: 'VerificationsFailed',
      Dimensions: [{ Name: 'Policy', Value: 'nightly' }],
      Unit: 'Count' as const,
    };
    // Act
    await cloudwatch().send(
      new PutMetricDataCommand({
        Namespace: 'Shipyard',
        MetricData: [{ ...datum, Value: 1, Timestamp: at }],
      }),
    );
    // Above the SDK's 10 KiB compression threshold: sent gzip-compressed (requestcompression trait).
    const many = Array.from({ length: 150 }, (_, i) => ({ ...datum, MetricName: `Padding${i}`, Value: i }));
    await cloudwatch().send(new PutMetricDataCommand({ Namespace: 'Shipyard/Bulk', MetricData: many }));
    const refused = await expectAwsError(
      cloudwatch().send(
        new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: [{ ...datum, Value: 1 }] }),
      ),
      'InvalidParameterValueException',
    );
    const recorded = await local().control.metricData({ region: REGION, namespace: 'Shipyard' });
    const bulk = await local().control.metricData({ region: REGION, namespace: 'Shipyard/Bulk' });
    const elsewhere = await local().control.metricData({ region: 'ap-south-1' });
    // Assess
    expect(refused.$metadata.httpStatusCode).toBe(400);
    expect(recorded.datapoints).toEqual([
      {
        namespace: 'Shipyard',
        metricName: 'VerificationsFailed',
        dimensions: { Policy: 'nightly' },
        timestamp: at.toISOString(),
        value: 1,
        unit: 'Count',
      },
    ]);
    expect(bulk.datapoints).toHaveLength(150);
    expect(elsewhere.datapoints).toEqual([]);
  });
});
