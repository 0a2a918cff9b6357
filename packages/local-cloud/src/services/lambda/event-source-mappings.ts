import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { jsonResponse, parseJsonBody } from '../../protocol/rest-json.ts';
import type { LocalResponse } from '../../service.ts';
import { numericAttribute } from '../sqs/attributes.ts';
import { queueByArn } from '../sqs/internal.ts';
import type { LambdaCall } from './call.ts';
import { invalidParameter } from './errors.ts';
import { findFunction } from './store.ts';

/**
 * Event source mappings (SQS sources only): the Lambda poller that receives from a queue
 * and invokes a function with batches. Delivery itself is in sqs-poller.ts.
 */
export interface EventSourceMapping {
  uuid: string;
  eventSourceArn: string;
  functionArn: string;
  region: string;
  enabled: boolean;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  functionResponseTypes: string[];
  lastModified: number;
  lastProcessingResult: string;
}

export interface MappingStore {
  mappings: Map<string, EventSourceMapping>;
  /** A delivery in progress per mapping, so two pumps never deliver the same batch twice. */
  busy: Map<string, Promise<unknown>>;
}

export const mappingStore = (cloud: LocalCloud): MappingStore =>
  cloud.store('lambda.eventSourceMappings', () => ({ mappings: new Map(), busy: new Map() }));

const mappingView = (m: EventSourceMapping) => ({
  UUID: m.uuid,
  BatchSize: m.batchSize,
  MaximumBatchingWindowInSeconds: m.maximumBatchingWindowInSeconds,
  EventSourceArn: m.eventSourceArn,
  FunctionArn: m.functionArn,
  LastModified: m.lastModified / 1000,
  LastProcessingResult: m.lastProcessingResult,
  State: m.enabled ? 'Enabled' : 'Disabled',
  StateTransitionReason: 'USER_INITIATED',
  FunctionResponseTypes: m.functionResponseTypes,
});

const notFound = (uuid: string) =>
  new AwsError(
    'ResourceNotFoundException',
    `The resource you requested does not exist. (Service: Lambda, uuid ${uuid})`,
    404,
  );

const Settings = z.object({
  Enabled: z.boolean().optional(),
  BatchSize: z.number().int().optional(),
  MaximumBatchingWindowInSeconds: z.number().int().min(0).max(300).optional(),
  FunctionResponseTypes: z.array(z.enum(['ReportBatchItemFailures'])).optional(),
});
const CreateBody = Settings.extend({
  EventSourceArn: z.string().min(1),
  FunctionName: z.string().min(1),
}).loose();
const UpdateBody = Settings.extend({ FunctionName: z.string().optional() }).loose();

const parse = <T>(schema: z.ZodType<T>, call: LambdaCall): T => {
  const raw = parseJsonBody(call.req.body, (d) =>
    invalidParameter(`Could not parse request body into json: ${d}`),
  );
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw invalidParameter(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return parsed.data;
};

/** The SQS rules of CreateEventSourceMapping (Lambda developer guide, "Using Lambda with Amazon SQS"). */
const validate = (cloud: LocalCloud, m: EventSourceMapping): void => {
  if (m.batchSize < 1 || m.batchSize > 10_000)
    throw invalidParameter(`BatchSize ${m.batchSize} is outside 1-10000 for an SQS event source`);
  if (m.batchSize > 10 && m.maximumBatchingWindowInSeconds < 1)
    throw invalidParameter(
      'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
    );
  let queue: ReturnType<typeof queueByArn>;
  try {
    queue = queueByArn(cloud, m.eventSourceArn);
  } catch {
    throw invalidParameter(
      'Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue',
    );
  }
  const fn = findFunction(cloud, m.region, m.functionArn);
  const visibility = numericAttribute(queue.attributes, 'VisibilityTimeout');
  if (visibility < fn.timeoutSeconds)
    throw invalidParameter(
      `Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${fn.timeoutSeconds} seconds`,
    );
};

export const createEventSourceMapping = (call: LambdaCall): LocalResponse => {
  const { cloud, req } = call;
  const body = parse(CreateBody, call);
  if (!body.EventSourceArn.startsWith('arn:aws:sqs:'))
    throw invalidParameter('The local cloud maps SQS event sources only');
  const fn = findFunction(cloud, req.region, body.FunctionName);
  const store = mappingStore(cloud);
  const existing = [...store.mappings.values()].find(
    (m) => m.functionArn === fn.arn && m.eventSourceArn === body.EventSourceArn,
  );
  if (existing)
    throw new AwsError(
      'ResourceConflictException',
      `An event source mapping with SQS arn (" ${body.EventSourceArn} ") and function (" ${fn.name} ") already exists. Please update or delete the existing mapping with UUID ${existing.uuid}`,
      409,
    );
  const mapping: EventSourceMapping = {
    uuid: randomUUID(),
    eventSourceArn: body.EventSourceArn,
    functionArn: fn.arn,
    region: fn.region,
    enabled: body.Enabled ?? true,
    batchSize: body.BatchSize ?? 10,
    maximumBatchingWindowInSeconds: body.MaximumBatchingWindowInSeconds ?? 0,
    functionResponseTypes: body.FunctionResponseTypes ?? [],
    lastModified: cloud.now(),
    lastProcessingResult: 'No records processed',
  };
  validate(cloud, mapping);
  store.mappings.set(mapping.uuid, mapping);
  return jsonResponse(202, { ...mappingView(mapping), State: 'Creating' });
};

const findMapping = (cloud: LocalCloud, uuid: string): EventSourceMapping => {
  const mapping = mappingStore(cloud).mappings.get(uuid);
  if (!mapping) throw notFound(uuid);
  return mapping;
};

export const getEventSourceMapping = ({ cloud, name }: LambdaCall): LocalResponse =>
  jsonResponse(200, mappingView(findMapping(cloud, name)));

export const updateEventSourceMapping = (call: LambdaCall): LocalResponse => {
  const mapping = findMapping(call.cloud, call.name);
  const body = parse(UpdateBody, call);
  const updated: EventSourceMapping = {
    ...mapping,
    ...(body.FunctionName
      ? { functionArn: findFunction(call.cloud, mapping.region, body.FunctionName).arn }
      : {}),
    enabled: body.Enabled ?? mapping.enabled,
    batchSize: body.BatchSize ?? mapping.batchSize,
    maximumBatchingWindowInSeconds:
      body.MaximumBatchingWindowInSeconds ?? mapping.maximumBatchingWindowInSeconds,
    functionResponseTypes: body.FunctionResponseTypes ?? mapping.functionResponseTypes,
    lastModified: call.cloud.now(),
  };
  validate(call.cloud, updated);
  Object.assign(mapping, updated);
  return jsonResponse(202, { ...mappingView(mapping), State: 'Updating' });
};

export const deleteEventSourceMapping = ({ cloud, name }: LambdaCall): LocalResponse => {
  const mapping = findMapping(cloud, name);
  mappingStore(cloud).mappings.delete(mapping.uuid);
  return jsonResponse(202, { ...mappingView(mapping), State: 'Deleting' });
};

export const listEventSourceMappings = ({ cloud, req }: LambdaCall): LocalResponse => {
  const source = req.query.get('EventSourceArn') ?? undefined;
  const fnRef = req.query.get('FunctionName') ?? undefined;
  const fnArn = fnRef ? findFunction(cloud, req.region, fnRef).arn : undefined;
  const mappings = [...mappingStore(cloud).mappings.values()].filter(
    (m) =>
      m.region === req.region &&
      (source === undefined || m.eventSourceArn === source) &&
      (fnArn === undefined || m.functionArn === fnArn),
  );
  return jsonResponse(200, { EventSourceMappings: mappings.map(mappingView) });
};
