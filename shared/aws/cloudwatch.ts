/**
 * CloudWatch: the drill's alarm gate (DescribeAlarms, by name, in the alarm's region) and
 * the failed-verification metric (PutMetricData `Shipyard/VerificationsFailed`, service-wide;
 * the stack's VerificationFailedAlarm watches it and notifies the alerts topic).
 */
import {
  CloudWatchClient,
  type CloudWatchClientConfig,
  DescribeAlarmsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmStates } from '../backup-service/ports/drill.ts';
import type { VerificationAlarms } from '../backup-service/ports/verification.ts';
import { toAwsCallError } from './errors.ts';

const VERIFICATION_METRIC = { namespace: 'Shipyard', name: 'VerificationsFailed' } as const;

type ClientFor = (region: string) => CloudWatchClient;

const clients = (config: Omit<CloudWatchClientConfig, 'region'>): ClientFor => {
  const byRegion = new Map<string, CloudWatchClient>();
  return (region) => {
    let client = byRegion.get(region);
    if (client === undefined) {
      client = new CloudWatchClient({ ...config, region });
      byRegion.set(region, client);
    }
    return client;
  };
};

export function createAlarmStates(
  options: { config?: Omit<CloudWatchClientConfig, 'region'>; clientFor?: ClientFor } = {},
): AlarmStates {
  const clientFor = options.clientFor ?? clients(options.config ?? {});
  return {
    async states(region, names) {
      const out = new Map<string, string>();
      // DescribeAlarms takes at most 100 names per call (API reference, AlarmNames).
      for (let i = 0; i < names.length; i += 100) {
        let NextToken: string | undefined;
        do {
          const page = await clientFor(region)
            .send(new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100), NextToken }))
            .catch((error: unknown) => {
              throw toAwsCallError('CloudWatch', 'DescribeAlarms', error);
            });
          for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])])
            if (alarm.AlarmName !== undefined && alarm.StateValue !== undefined)
              out.set(alarm.AlarmName, alarm.StateValue);
          NextToken = page.NextToken;
        } while (NextToken !== undefined && NextToken !== '');
      }
      return out;
    },
  };
}

/** Publishes the failed-verification metric in the region the stack (and its alarm) lives in. */
export function createVerificationAlarms(options: {
  region: string;
  config?: Omit<CloudWatchClientConfig, 'region'>;
  client?: CloudWatchClient;
}): VerificationAlarms {
  const client = options.client ?? new CloudWatchClient({ ...options.config, region: options.region });
  return {
    async failed(record) {
      await client
        .send(
          new PutMetricDataCommand({
            Namespace: VERIFICATION_METRIC.namespace,
            MetricData: [
              {
                MetricName: VERIFICATION_METRIC.name,
                // One service-wide dimension, as the stack's VerificationFailedAlarm watches it.
                Dimensions: [{ Name: 'service', Value: 'shipyard' }],
                Value: 1,
                Unit: 'Count',
                Timestamp: new Date(record.finishedAt),
              },
            ],
          }),
        )
        .catch((error: unknown) => {
          throw toAwsCallError('CloudWatch', 'PutMetricData', error);
        });
    },
  };
}
