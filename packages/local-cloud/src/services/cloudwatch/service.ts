import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { awsJsonService, jsonAction } from '../../protocol/aws-json.ts';
import { decodePageToken, pageOf } from '../../protocol/page-token.ts';
import type { LocalResponse } from '../../service.ts';
import { AtSchema, instantOf } from '../../timeline.ts';
import {
  type AlarmRecord,
  alarmsByRegion,
  findAlarm,
  putAlarm,
  regionAlarms,
  setActualState,
  setAlarmState,
  stateAt,
} from './alarms.ts';
import { datapointsOf, metricRegions, putMetricData } from './metrics.ts';

/**
 * Amazon CloudWatch alarms (botocore model cloudwatch/2010-08-01): the SDK speaks awsJson1_0
 * with `X-Amz-Target: GraniteServiceVersion20100801.*` and awsQueryCompatible errors — the
 * query error code in the `x-amzn-query-error` header (`Code;Sender`), the shape in `__type`.
 * DescribeAlarms, PutMetricAlarm (the metric alarm's configuration, no evaluation),
 * SetAlarmState and PutMetricData (metrics.ts); an alarm's actual state comes from the control
 * API (alarms.ts).
 */

const STATE_VALUES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
/** DescribeAlarms' page size when MaxRecords is absent [unconfirmed]. */
const DEFAULT_MAX_RECORDS = 50;
const NAMESPACE = 'com.amazonaws.cloudwatch';
/** Query error codes whose model shape is named differently (botocore `error.code`). */
const SHAPE_OF_CODE: Record<string, string> = {
  InvalidFormat: 'InvalidFormatFault',
  LimitExceeded: 'LimitExceededFault',
  InvalidParameterValue: 'InvalidParameterValueException',
  InvalidParameterCombination: 'InvalidParameterCombinationException',
  MissingParameter: 'MissingRequiredParameterException',
};

const name = z.string().min(1).max(255);
const actions = z.array(z.string().min(1).max(1024)).max(5);

const PutMetricAlarmInput = z.object({
  AlarmName: name,
  AlarmDescription: z.string().max(1024).optional(),
  ActionsEnabled: z.boolean().optional(),
  OKActions: actions.optional(),
  AlarmActions: actions.optional(),
  InsufficientDataActions: actions.optional(),
  MetricName: name.optional(),
  Namespace: name.regex(/^[^:].*/).optional(),
  Statistic: z.enum(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']).optional(),
  ExtendedStatistic: z.string().optional(),
  Dimensions: z
    .array(z.object({ Name: z.string().min(1).max(255), Value: z.string().min(1).max(1024) }))
    .max(30)
    .optional(),
  Period: z.number().int().min(1).optional(),
  Unit: z.string().optional(),
  EvaluationPeriods: z.number().int().min(1).optional(),
  DatapointsToAlarm: z.number().int().min(1).optional(),
  Threshold: z.number().optional(),
  ComparisonOperator: z
    .enum([
      'GreaterThanOrEqualToThreshold',
      'GreaterThanThreshold',
      'LessThanThreshold',
      'LessThanOrEqualToThreshold',
      'LessThanLowerOrGreaterThanUpperThreshold',
      'LessThanLowerThreshold',
      'GreaterThanUpperThreshold',
    ])
    .optional(),
  TreatMissingData: z.string().min(1).max(255).optional(),
  Tags: z.array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) })).optional(),
});

const DescribeAlarmsInput = z.object({
  AlarmNames: z.array(name).max(100).optional(),
  AlarmNamePrefix: name.optional(),
  AlarmTypes: z.array(z.enum(['CompositeAlarm', 'MetricAlarm', 'LogAlarm'])).optional(),
  StateValue: z.enum(STATE_VALUES).optional(),
  ActionPrefix: z.string().min(1).max(1024).optional(),
  MaxRecords: z.number().int().min(1).max(100).optional(),
  NextToken: z.string().optional(),
});

const SetAlarmStateInput = z.object({
  AlarmName: name,
  StateValue: z.enum(STATE_VALUES),
  StateReason: z.string().max(1023),
  StateReasonData: z.string().max(4000).optional(),
});

const seconds = (ms: number) => ms / 1000;

const alarmJson = (cloud: LocalCloud, a: AlarmRecord) => {
  const state = stateAt(a, cloud.now());
  const { Tags: _tags, ...config } = a.config;
  return {
    AlarmName: a.name,
    AlarmArn: `arn:aws:cloudwatch:${a.region}:${cloud.accountId}:alarm:${a.name}`,
    AlarmConfigurationUpdatedTimestamp: seconds(a.configUpdatedAt),
    ActionsEnabled: true,
    OKActions: [],
    AlarmActions: [],
    InsufficientDataActions: [],
    Dimensions: [],
    ...config,
    StateValue: state.value,
    StateReason: state.reason,
    ...(state.reasonData !== undefined ? { StateReasonData: state.reasonData } : {}),
    StateUpdatedTimestamp: seconds(state.since),
    StateTransitionedTimestamp: seconds(state.since),
  };
};

const describeAlarms = jsonAction({
  input: DescribeAlarmsInput,
  run: ({ cloud, region, input }) => {
    if (input.AlarmNames && input.AlarmNamePrefix)
      throw new AwsError(
        'InvalidParameterCombination',
        'AlarmNamePrefix: if this parameter is specified, you cannot specify AlarmNames.',
      );
    const now = cloud.now();
    const metricAlarms = !input.AlarmTypes || input.AlarmTypes.includes('MetricAlarm');
    const matches = (a: AlarmRecord) =>
      (!input.AlarmNames || input.AlarmNames.includes(a.name)) &&
      (!input.AlarmNamePrefix || a.name.startsWith(input.AlarmNamePrefix)) &&
      (!input.StateValue || stateAt(a, now).value === input.StateValue) &&
      (!input.ActionPrefix ||
        ['OKActions', 'AlarmActions', 'InsufficientDataActions'].some((k) =>
          ((a.config[k] as string[] | undefined) ?? []).some((arn) =>
            arn.startsWith(input.ActionPrefix ?? ''),
          ),
        ));
    const alarms = metricAlarms
      ? [...regionAlarms(cloud, region).values()].filter(matches).sort((x, y) => x.name.localeCompare(y.name))
      : [];
    const scope = `alarms:${region}`;
    const offset = decodePageToken(
      scope,
      input.NextToken,
      () => new AwsError('InvalidNextToken', 'The next token is invalid.'),
    );
    const { page, nextToken } = pageOf(alarms, scope, offset, input.MaxRecords ?? DEFAULT_MAX_RECORDS);
    return {
      MetricAlarms: page.map((a) => alarmJson(cloud, a)),
      CompositeAlarms: [],
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  },
});

const putMetricAlarm = jsonAction({
  input: PutMetricAlarmInput,
  run: ({ cloud, region, input }) => {
    const { AlarmName, ...config } = input;
    putAlarm(cloud, region, AlarmName, config);
    cloud.counters.add('cloudwatch.alarmsPut');
    return {};
  },
});

const setAlarmStateAction = jsonAction({
  input: SetAlarmStateInput,
  run: ({ cloud, region, input }) => {
    if (input.StateReasonData !== undefined) {
      try {
        JSON.parse(input.StateReasonData);
      } catch {
        // "The reason that this alarm is set to this specific state, in JSON format."
        throw new AwsError('InvalidFormat', 'StateReasonData is not valid JSON.');
      }
    }
    const alarm = findAlarm(cloud, region, input.AlarmName);
    setAlarmState(cloud, alarm, {
      value: input.StateValue,
      reason: input.StateReason,
      ...(input.StateReasonData !== undefined ? { reasonData: input.StateReasonData } : {}),
    });
    return {};
  },
});

const AlarmStateControl = z
  .object({
    alarmName: name,
    region: z.string().min(1).optional().describe('us-east-1 when absent'),
    stateValue: z.enum(STATE_VALUES),
    reason: z.string().max(1023).optional(),
    at: AtSchema,
  })
  .strict();

const CloudWatchSeedSchema = z
  .object({
    alarms: z.array(
      z
        .object({
          alarmName: name,
          region: z.string().min(1).optional().describe('us-east-1 when absent'),
          stateValue: z.enum(STATE_VALUES).optional().describe('INSUFFICIENT_DATA when absent'),
          namespace: name.optional(),
          metricName: name.optional(),
          dimensions: z.record(z.string(), z.string()).optional(),
        })
        .strict(),
    ),
  })
  .strict();

const json = (status: number, body: unknown): LocalResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const CONTROL_REASON = 'Set through the local cloud control API';

export const cloudWatchService = awsJsonService({
  name: 'monitoring',
  targetPrefix: 'GraniteServiceVersion20100801',
  jsonVersion: '1.0',
  // The query protocol's code for a request that breaks the model's constraints [unconfirmed].
  validationErrorCode: 'ValidationError',
  actions: {
    DescribeAlarms: describeAlarms,
    PutMetricAlarm: putMetricAlarm,
    SetAlarmState: setAlarmStateAction,
    PutMetricData: putMetricData,
  },
  renderError: (error, req) => ({
    status: error.status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': req.requestId,
      'x-amzn-query-error': `${error.code};${error.status >= 500 ? 'Receiver' : 'Sender'}`,
    },
    body: JSON.stringify({
      __type: `${NAMESPACE}#${SHAPE_OF_CODE[error.code] ?? error.code}`,
      message: error.message,
    }),
  }),
  seed(cloud, input) {
    const seed = CloudWatchSeedSchema.parse(input);
    return {
      alarms: seed.alarms.map((a) => {
        const region = a.region ?? 'us-east-1';
        const alarm = putAlarm(cloud, region, a.alarmName, {
          ...(a.namespace ? { Namespace: a.namespace } : {}),
          ...(a.metricName ? { MetricName: a.metricName } : {}),
          ...(a.dimensions
            ? { Dimensions: Object.entries(a.dimensions).map(([Name, Value]) => ({ Name, Value })) }
            : {}),
        });
        if (a.stateValue) setActualState(alarm, cloud.now(), { value: a.stateValue, reason: CONTROL_REASON });
        return { alarmName: a.alarmName, region };
      }),
    };
  },
  dump(cloud) {
    const regions: Record<string, unknown[]> = {};
    for (const [region, alarms] of alarmsByRegion(cloud))
      regions[region] = [...alarms.values()].map((a) => ({
        alarmName: a.name,
        stateValue: stateAt(a, cloud.now()).value,
      }));
    return { regions, metricData: Object.fromEntries(metricRegions(cloud)) };
  },
  control(cloud, method, subpath, body, query) {
    if (method === 'GET' && subpath === '/cloudwatch/metric-data') {
      const namespace = query.get('namespace');
      const metricName = query.get('metricName');
      const datapoints = datapointsOf(cloud, query.get('region') ?? 'us-east-1').filter(
        (d) => (!namespace || d.namespace === namespace) && (!metricName || d.metricName === metricName),
      );
      return json(200, { datapoints });
    }
    if (method !== 'POST' || subpath !== '/cloudwatch/alarm-state') return undefined;
    const input = AlarmStateControl.parse(body);
    const alarm = findAlarm(cloud, input.region ?? 'us-east-1', input.alarmName);
    const at = instantOf(input.at, cloud.now());
    setActualState(alarm, at, { value: input.stateValue, reason: input.reason ?? CONTROL_REASON });
    return json(200, { alarmName: alarm.name, stateValue: input.stateValue, at: new Date(at).toISOString() });
  },
});
