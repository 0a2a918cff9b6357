import { ec2Store } from '../../services/ec2/store.ts';
import { findKey } from '../../services/kms/store.ts';
import { RequestContext } from '../context.ts';
import { ALL_RESOURCES, type MappingInput, type OperationMapping } from './types.ts';

/**
 * The awsJson services Shipyard's functions call (Service Authorization Reference, one page per
 * service): the resource is named by a field of the JSON body, or is `*` for actions that
 * support no resource-level permissions.
 */
const bodyOf = (input: MappingInput): Record<string, unknown> => {
  try {
    const parsed = JSON.parse(input.req.body.toString('utf8') || '{}') as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};
const field = (input: MappingInput, name: string): string => {
  const value = bodyOf(input)[name];
  return typeof value === 'string' ? value : '';
};

const onField =
  (
    action: string,
    name: string,
    toArn: (value: string, input: MappingInput) => string = (v) => v,
  ): OperationMapping =>
  (input) => [{ action, resource: toArn(field(input, name), input), context: new RequestContext() }];

const onAll =
  (action: string): OperationMapping =>
  () => [{ action, resource: ALL_RESOURCES, context: new RequestContext() }];

/** `<endpoint>/<account>/<name>` → `arn:aws:sqs:<region>:<account>:<name>`. */
const queueArn = (url: string, input: MappingInput) => {
  const [account = input.cloud.accountId, name = ''] = url.replace(/^[a-z]+:\/\/[^/]+\//, '').split('/');
  return `arn:aws:sqs:${input.req.region}:${account}:${name}`;
};

export const SQS_MAPPINGS: Record<string, OperationMapping> = {
  SendMessage: onField('sqs:SendMessage', 'QueueUrl', queueArn),
  SendMessageBatch: onField('sqs:SendMessage', 'QueueUrl', queueArn),
  ReceiveMessage: onField('sqs:ReceiveMessage', 'QueueUrl', queueArn),
  DeleteMessage: onField('sqs:DeleteMessage', 'QueueUrl', queueArn),
  GetQueueAttributes: onField('sqs:GetQueueAttributes', 'QueueUrl', queueArn),
  GetQueueUrl: (input) => [
    {
      action: 'sqs:GetQueueUrl',
      resource: `arn:aws:sqs:${input.req.region}:${input.cloud.accountId}:${field(input, 'QueueName')}`,
      context: new RequestContext(),
    },
  ],
};

/**
 * The task-token calls name no resource (the token identifies the task), read as supporting no
 * resource-level permissions: `*` [unconfirmed: the Service Authorization Reference's Step
 * Functions rows for them could not be read here].
 */
const SEND_TASK_NOT_RESOURCE_LEVEL_UNCONFIRMED = ['SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat'];

export const STATES_MAPPINGS: Record<string, OperationMapping> = {
  StartExecution: onField('states:StartExecution', 'stateMachineArn'),
  ListExecutions: onField('states:ListExecutions', 'stateMachineArn'),
  DescribeStateMachine: onField('states:DescribeStateMachine', 'stateMachineArn'),
  DescribeExecution: onField('states:DescribeExecution', 'executionArn'),
  GetExecutionHistory: onField('states:GetExecutionHistory', 'executionArn'),
  StopExecution: onField('states:StopExecution', 'executionArn'),
  ListMapRuns: onField('states:ListMapRuns', 'executionArn'),
  DescribeMapRun: onField('states:DescribeMapRun', 'mapRunArn'),
  ListStateMachines: onAll('states:ListStateMachines'),
  ...Object.fromEntries(SEND_TASK_NOT_RESOURCE_LEVEL_UNCONFIRMED.map((op) => [op, onAll(`states:${op}`)])),
};

/**
 * KMS authorises on the key's ARN, whatever identifier (alias, alias ARN, key id) the request
 * used; `kms:ResourceAliases` lists the key's aliases (AWS KMS Developer Guide, "Condition keys
 * for AWS KMS"). A key that does not exist is left to the service's NotFoundException.
 */
const onKey =
  (action: string): OperationMapping =>
  (input) => {
    const key = findKey(input.cloud, input.req.region, field(input, 'KeyId'));
    if (!key) return [];
    return [
      { action, resource: key.arn, context: new RequestContext({ 'kms:ResourceAliases': key.aliases }) },
    ];
  };

export const KMS_MAPPINGS: Record<string, OperationMapping> = { DescribeKey: onKey('kms:DescribeKey') };

/** `/a/b` → `arn:aws:ssm:<region>:<account>:parameter/a/b`; a name without a leading slash gets one. */
const parameterArn = (name: string, input: MappingInput) =>
  name.startsWith('arn:')
    ? name
    : `arn:aws:ssm:${input.req.region}:${input.cloud.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;

/**
 * SendCommand is authorised on its document (an AWS-owned `AWS-…` document's ARN has no
 * account) and on each target instance, whose EC2 tags are its `ssm:resourceTag/<k>` (Service
 * Authorization Reference, "Actions, resources, and condition keys for AWS Systems Manager":
 * SendCommand → document*, instance; GetCommandInvocation and DescribeInstanceInformation
 * support no resource-level permissions).
 */
const sendCommand: OperationMapping = (input) => {
  const { region } = input.req;
  const name = field(input, 'DocumentName');
  const document = name.startsWith('arn:')
    ? name
    : `arn:aws:ssm:${region}:${name.startsWith('AWS-') ? '' : input.cloud.accountId}:document/${name}`;
  const ids = bodyOf(input).InstanceIds;
  const instances = ec2Store(input.cloud).region(region).instances;
  return [
    { action: 'ssm:SendCommand', resource: document, context: new RequestContext() },
    ...(Array.isArray(ids) ? ids.map(String) : []).map((id) => ({
      action: 'ssm:SendCommand',
      resource: `arn:aws:ec2:${region}:${input.cloud.accountId}:instance/${id}`,
      context: new RequestContext().withResourceTags(instances.get(id)?.tags ?? new Map(), 'ssm'),
    })),
  ];
};

export const SSM_MAPPINGS: Record<string, OperationMapping> = {
  GetParameter: onField('ssm:GetParameter', 'Name', parameterArn),
  DescribeInstanceInformation: onAll('ssm:DescribeInstanceInformation'),
  SendCommand: sendCommand,
  GetCommandInvocation: onAll('ssm:GetCommandInvocation'),
};

export const CODEPIPELINE_MAPPINGS: Record<string, OperationMapping> = {
  GetJobDetails: onAll('codepipeline:GetJobDetails'),
  PutJobSuccessResult: onAll('codepipeline:PutJobSuccessResult'),
  PutJobFailureResult: onAll('codepipeline:PutJobFailureResult'),
};

/**
 * PutEvents is authorised on each entry's bus (`default` when unnamed), with the entry's
 * `events:source` and `events:detail-type` (EventBridge User Guide, "Using IAM policy conditions
 * in Amazon EventBridge": PutEvents can be limited to sources and detail types). One
 * authorisation per distinct entry [unconfirmed: PUT_EVENTS_PER_ENTRY, how IAM groups the
 * entries of one call].
 */
const PUT_EVENTS_PER_ENTRY = true;

const entryOf = (entry: unknown) => {
  const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
  const text = (name: string) => (typeof e[name] === 'string' ? (e[name] as string) : undefined);
  return { bus: text('EventBusName') ?? 'default', source: text('Source'), detailType: text('DetailType') };
};

export const EVENTS_MAPPINGS: Record<string, OperationMapping> = {
  PutEvents: (input) => {
    const entries = bodyOf(input).Entries;
    const distinct = new Map(
      (Array.isArray(entries) ? entries : []).map(entryOf).map((e) => [JSON.stringify(e), e] as const),
    );
    return [...distinct.values()].map((e) => ({
      action: 'events:PutEvents',
      resource: e.bus.startsWith('arn:')
        ? e.bus
        : `arn:aws:events:${input.req.region}:${input.cloud.accountId}:event-bus/${e.bus}`,
      context: new RequestContext(
        PUT_EVENTS_PER_ENTRY ? { 'events:source': e.source, 'events:detail-type': e.detailType } : {},
      ),
    }));
  },
};

/**
 * DescribeAlarms by name is authorised on each alarm, `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`
 * [unconfirmed: DESCRIBE_ALARMS_ON_ALARMS, read as the alarm* resource type of the Service
 * Authorization Reference, "Actions, resources, and condition keys for Amazon CloudWatch"];
 * without names it lists every alarm (`*`).
 */
const DESCRIBE_ALARMS_ON_ALARMS = true;

const describeAlarms: OperationMapping = (input) => {
  const names = bodyOf(input).AlarmNames;
  const listed = Array.isArray(names) ? names.map(String) : [];
  if (!DESCRIBE_ALARMS_ON_ALARMS || listed.length === 0)
    return [{ action: 'cloudwatch:DescribeAlarms', resource: ALL_RESOURCES, context: new RequestContext() }];
  return listed.map((name) => ({
    action: 'cloudwatch:DescribeAlarms',
    resource: `arn:aws:cloudwatch:${input.req.region}:${input.cloud.accountId}:alarm:${name}`,
    context: new RequestContext(),
  }));
};

/** PutMetricData supports no resource-level permissions; `cloudwatch:namespace` names the namespace. */
export const MONITORING_MAPPINGS: Record<string, OperationMapping> = {
  DescribeAlarms: describeAlarms,
  PutMetricData: (input) => [
    {
      action: 'cloudwatch:PutMetricData',
      resource: ALL_RESOURCES,
      context: new RequestContext({ 'cloudwatch:namespace': field(input, 'Namespace') || undefined }),
    },
  ],
};

/**
 * Global Accelerator authorises endpoint-group writes on the endpoint group (Service
 * Authorization Reference, "Actions, resources, and condition keys for AWS Global Accelerator":
 * AddEndpoints → endpointgroup*, depending on UpdateEndpointGroup); listing accelerators is not
 * resource-level. The resource types of the Describe/List actions are read by analogy
 * [unconfirmed: GA_READ_RESOURCE_TYPES_UNCONFIRMED].
 */
const GA_READ_RESOURCE_TYPES_UNCONFIRMED = {
  DescribeAccelerator: 'AcceleratorArn',
  ListListeners: 'AcceleratorArn',
  ListEndpointGroups: 'ListenerArn',
  DescribeEndpointGroup: 'EndpointGroupArn',
} as const;

export const GLOBALACCELERATOR_MAPPINGS: Record<string, OperationMapping> = {
  ...Object.fromEntries(
    Object.entries(GA_READ_RESOURCE_TYPES_UNCONFIRMED).map(([operation, arnField]) => [
      operation,
      onField(`globalaccelerator:${operation}`, arnField),
    ]),
  ),
  ListAccelerators: onAll('globalaccelerator:ListAccelerators'),
  UpdateEndpointGroup: onField('globalaccelerator:UpdateEndpointGroup', 'EndpointGroupArn'),
};
