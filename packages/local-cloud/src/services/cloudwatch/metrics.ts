import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { jsonAction } from '../../protocol/aws-json.ts';

/**
 * PutMetricData (API reference; botocore model cloudwatch/2010-08-01): datapoints are kept as
 * sent, per region, for the control API and the state dump — no statistics, no alarm
 * evaluation (an alarm's state is set through the control API, alarms.ts).
 */

/** "Each request is also limited to no more than 1000 different metrics." */
const MAX_METRICS_PER_REQUEST = 1000;
/** "you can publish up to 150 values per metric with one PutMetricData request" */
const MAX_VALUES_PER_METRIC = 150;

export interface Datapoint {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  timestamp: string;
  value?: number;
  values?: number[];
  unit?: string;
}

const store = (cloud: LocalCloud): Map<string, Datapoint[]> =>
  cloud.store('cloudwatch-metrics', () => new Map());

export const datapointsOf = (cloud: LocalCloud, region: string): Datapoint[] => {
  const regions = store(cloud);
  let points = regions.get(region);
  if (!points) {
    points = [];
    regions.set(region, points);
  }
  return points;
};

export const metricRegions = (cloud: LocalCloud): ReadonlyMap<string, Datapoint[]> => store(cloud);

const PutMetricDataInput = z.object({
  Namespace: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[^:].*/),
  MetricData: z
    .array(
      z.object({
        MetricName: z.string().min(1).max(255),
        Dimensions: z
          .array(z.object({ Name: z.string().min(1).max(255), Value: z.string().min(1).max(1024) }))
          .max(30)
          .optional(),
        /** Epoch seconds on the JSON wire. */
        Timestamp: z.number().optional(),
        Value: z.number().optional(),
        Values: z.array(z.number()).optional(),
        Counts: z.array(z.number()).optional(),
        Unit: z.string().optional(),
        StorageResolution: z.number().int().min(1).optional(),
      }),
    )
    .optional(),
});

const invalidValue = (message: string) => new AwsError('InvalidParameterValue', message);

export const putMetricData = jsonAction({
  input: PutMetricDataInput,
  run: ({ cloud, region, input }) => {
    // "you should not specify a namespace that begins with AWS/" — CloudWatch refuses it [unconfirmed wording].
    if (input.Namespace.startsWith('AWS/'))
      throw invalidValue(`The value ${input.Namespace} for parameter Namespace is invalid.`);
    const data = input.MetricData ?? [];
    if (data.length > MAX_METRICS_PER_REQUEST)
      throw invalidValue(
        `The collection MetricData must not have a size greater than ${MAX_METRICS_PER_REQUEST}.`,
      );
    data.forEach((d, i) => {
      const member = `MetricData.member.${i + 1}`;
      // [unconfirmed wording] of both refusals.
      if (d.Value !== undefined && d.Values !== undefined)
        throw new AwsError('InvalidParameterCombination', `${member}: give Value or Values, not both.`);
      if (d.Values && d.Values.length > MAX_VALUES_PER_METRIC)
        throw invalidValue(`${member}.Values: at most ${MAX_VALUES_PER_METRIC} values.`);
      if (d.Counts && d.Counts.length !== (d.Values?.length ?? 0))
        throw invalidValue(`${member}.Counts: one count per value of Values.`);
    });
    const now = cloud.now();
    const points = datapointsOf(cloud, region);
    for (const d of data)
      points.push({
        namespace: input.Namespace,
        metricName: d.MetricName,
        dimensions: Object.fromEntries((d.Dimensions ?? []).map((x) => [x.Name, x.Value])),
        timestamp: new Date(d.Timestamp !== undefined ? d.Timestamp * 1000 : now).toISOString(),
        ...(d.Value !== undefined ? { value: d.Value } : {}),
        ...(d.Values !== undefined ? { values: d.Values } : {}),
        ...(d.Unit !== undefined ? { unit: d.Unit } : {}),
      });
    cloud.counters.add('cloudwatch.datapointsPut', data.length);
    return {};
  },
});
