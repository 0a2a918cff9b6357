import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { NUMERIC_ATTRIBUTES, validateAttributes } from './attributes.ts';
import { type BatchFailure, batchEntries, MAX_BATCH_BYTES } from './batch.ts';
import { invalidParameter, missing } from './errors.ts';
import { counts, enqueue, messageSize, receive } from './messages.ts';
import { messageForHandle, type Queue, queueFromUrl, queueKey, queueUrl, sqsState } from './store.ts';

interface SqsContext {
  cloud: LocalCloud;
  region: string;
  host: string;
  input: Record<string, unknown>;
}

export type SqsAction = (ctx: SqsContext) => Record<string, unknown>;

/** Parses an action's input; the first problem becomes MissingParameter or InvalidParameterValue. */
const parse = <T>(schema: z.ZodType<T>, input: unknown): T => {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path.join('.') ?? '';
  if (issue?.code === 'invalid_type' && issue.input === undefined) throw missing(name);
  throw invalidParameter(`Value for parameter ${name} is invalid. Reason: ${issue?.message ?? 'invalid'}.`);
};

const QueueUrlInput = z.object({ QueueUrl: z.string().min(1) });
const AttributeMap = z.record(z.string(), z.string());
const MessageAttributes = z.record(
  z.string(),
  z.object({
    DataType: z.string().min(1),
    StringValue: z.string().optional(),
    BinaryValue: z.string().optional(),
  }),
);
const QUEUE_NAME = /^[\w-]{1,80}$/;

const queueOf = (ctx: SqsContext): Queue =>
  queueFromUrl(ctx.cloud, ctx.region, parse(QueueUrlInput, ctx.input).QueueUrl);

const createQueue: SqsAction = (ctx) => {
  const input = parse(
    z.object({ QueueName: z.string(), Attributes: AttributeMap.optional(), tags: AttributeMap.optional() }),
    ctx.input,
  );
  if (!QUEUE_NAME.test(input.QueueName)) {
    throw invalidParameter(
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
  const attributes = validateAttributes(input.Attributes ?? {});
  const state = sqsState(ctx.cloud);
  const key = queueKey(ctx.region, input.QueueName);
  const url = queueUrl(ctx.host, ctx.cloud.accountId, input.QueueName);
  const existing = state.queues.get(key);
  if (existing) {
    for (const [name, value] of Object.entries(attributes)) {
      const current = existing.attributes[name] ?? String(NUMERIC_ATTRIBUTES[name]?.default ?? '');
      if (current !== value) {
        throw new AwsError(
          'QueueNameExists',
          `A queue already exists with the same name and a different value for attribute ${name}`,
        );
      }
    }
    return { QueueUrl: url };
  }
  const deletedAt = state.deletedAt.get(key);
  if (deletedAt !== undefined && ctx.cloud.now() - deletedAt < 60_000) {
    throw new AwsError(
      'QueueDeletedRecently',
      'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
    );
  }
  const now = ctx.cloud.now();
  state.queues.set(key, {
    name: input.QueueName,
    region: ctx.region,
    arn: `arn:aws:sqs:${ctx.region}:${ctx.cloud.accountId}:${input.QueueName}`,
    attributes,
    tags: input.tags ?? {},
    createdAt: now,
    modifiedAt: now,
    messages: [],
  });
  return { QueueUrl: url };
};

const getQueueUrl: SqsAction = (ctx) => {
  const { QueueName } = parse(
    z.object({ QueueName: z.string(), QueueOwnerAWSAccountId: z.string().optional() }),
    ctx.input,
  );
  queueFromUrl(ctx.cloud, ctx.region, `/${ctx.cloud.accountId}/${QueueName}`);
  return { QueueUrl: queueUrl(ctx.host, ctx.cloud.accountId, QueueName) };
};

const listQueues: SqsAction = (ctx) => {
  const { QueueNamePrefix } = parse(z.object({ QueueNamePrefix: z.string().optional() }), ctx.input);
  const urls = [...sqsState(ctx.cloud).queues.values()]
    .filter((q) => q.region === ctx.region && q.name.startsWith(QueueNamePrefix ?? ''))
    .map((q) => queueUrl(ctx.host, ctx.cloud.accountId, q.name))
    .sort();
  return urls.length > 0 ? { QueueUrls: urls } : {};
};

const deleteQueue: SqsAction = (ctx) => {
  const queue = queueOf(ctx);
  const state = sqsState(ctx.cloud);
  const key = queueKey(queue.region, queue.name);
  state.queues.delete(key);
  state.deletedAt.set(key, ctx.cloud.now());
  return {};
};

const sendMessage: SqsAction = (ctx) => {
  const queue = queueOf(ctx);
  const input = parse(
    z.object({
      MessageBody: z.string(),
      DelaySeconds: z.number().int().optional(),
      MessageAttributes: MessageAttributes.optional(),
    }),
    ctx.input,
  );
  return enqueue(ctx.cloud, queue, input);
};

const SendEntry = z.object({
  Id: z.string(),
  MessageBody: z.string(),
  DelaySeconds: z.number().int().optional(),
  MessageAttributes: MessageAttributes.optional(),
});

const sendMessageBatch: SqsAction = (ctx) => {
  const queue = queueOf(ctx);
  const { Entries } = parse(z.object({ Entries: z.array(SendEntry) }), ctx.input);
  batchEntries(Entries);
  const total = Entries.reduce((n, e) => n + messageSize(e), 0);
  if (total > MAX_BATCH_BYTES) {
    throw new AwsError(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`,
    );
  }
  const successful: Record<string, unknown>[] = [];
  const failed: BatchFailure[] = [];
  for (const entry of Entries) {
    try {
      successful.push({ Id: entry.Id, ...enqueue(ctx.cloud, queue, entry) });
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      failed.push({ Id: entry.Id, SenderFault: true, Code: error.code, Message: error.message });
    }
  }
  return { Successful: successful, Failed: failed };
};

const receiveMessage: SqsAction = (ctx) => {
  const queue = queueOf(ctx);
  const input = parse(
    z.object({
      MaxNumberOfMessages: z.number().int().optional(),
      VisibilityTimeout: z.number().int().optional(),
      WaitTimeSeconds: z.number().int().optional(),
      AttributeNames: z.array(z.string()).optional(),
      MessageSystemAttributeNames: z.array(z.string()).optional(),
      MessageAttributeNames: z.array(z.string()).optional(),
      ReceiveRequestAttemptId: z.string().optional(),
    }),
    ctx.input,
  );
  const max = input.MaxNumberOfMessages ?? 1;
  if (max < 1 || max > 10) {
    throw invalidParameter(
      `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
    );
  }
  const timeout = input.VisibilityTimeout;
  if (timeout !== undefined && (timeout < 0 || timeout > 43_200)) {
    throw invalidParameter(
      `Value ${timeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.`,
    );
  }
  const wait = input.WaitTimeSeconds;
  if (wait !== undefined && (wait < 0 || wait > 20)) {
    throw invalidParameter(
      `Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
    );
  }
  const messages = receive(ctx.cloud, queue, {
    max,
    visibilityTimeout: timeout,
    systemAttributes: [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])],
    messageAttributes: input.MessageAttributeNames ?? [],
  });
  return messages.length > 0 ? { Messages: messages } : {};
};

const HandleInput = z.object({ ReceiptHandle: z.string().min(1) });

const deleteOne = (ctx: SqsContext, queue: Queue, handle: string): void => {
  const message = messageForHandle(queue, handle);
  // An outdated handle succeeds without deleting: only the latest receive's handle counts.
  if (message && message.receiptHandle === handle) queue.messages.splice(queue.messages.indexOf(message), 1);
  void ctx;
};

const deleteMessage: SqsAction = (ctx) => {
  const queue = queueOf(ctx);
  deleteOne(ctx, queue, parse(HandleInput, ctx.input).ReceiptHandle);
  return {};
};

const deleteMessageBatch: SqsAction = (ctx) => {
  const queue = queueOf(ctx);
  const { Entries } = parse(
    z.object({ Entries: z.array(HandleInput.extend({ Id: z.string() })) }),
    ctx.input,
  );
  batchEntries(Entries);
  const successful: { Id: string }[] = [];
  const failed: BatchFailure[] = [];
  for (const entry of Entries) {
    try {
      deleteOne(ctx, queue, entry.ReceiptHandle);
      successful.push({ Id: entry.Id });
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      failed.push({ Id: entry.Id, SenderFault: true, Code: error.code, Message: error.message });
    }
  }
  return { Successful: successful, Failed: failed };
};

const changeMessageVisibility: SqsAction = (ctx) => {
  const queue = queueOf(ctx);
  const input = parse(HandleInput.extend({ VisibilityTimeout: z.number().int() }), ctx.input);
  if (input.VisibilityTimeout < 0 || input.VisibilityTimeout > 43_200) {
    throw invalidParameter(
      `Value ${input.VisibilityTimeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`,
    );
  }
  const message = messageForHandle(queue, input.ReceiptHandle);
  counts(ctx.cloud, queue);
  if (!message?.inFlight || message.receiptHandle !== input.ReceiptHandle) {
    throw new AwsError(
      'MessageNotInflight',
      `Value ${input.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
    );
  }
  message.visibleAt = ctx.cloud.now() + input.VisibilityTimeout * 1000;
  if (input.VisibilityTimeout === 0) message.inFlight = false;
  return {};
};

const ALL_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  ...Object.keys(NUMERIC_ATTRIBUTES),
  'RedrivePolicy',
  'Policy',
];

const getQueueAttributes: SqsAction = (ctx) => {
  const queue = queueOf(ctx);
  const { AttributeNames } = parse(z.object({ AttributeNames: z.array(z.string()).optional() }), ctx.input);
  const wanted = AttributeNames ?? [];
  const { visible, notVisible, delayed } = counts(ctx.cloud, queue);
  const values: Record<string, string | undefined> = {
    ApproximateNumberOfMessages: String(visible),
    ApproximateNumberOfMessagesNotVisible: String(notVisible),
    ApproximateNumberOfMessagesDelayed: String(delayed),
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(queue.modifiedAt / 1000)),
    QueueArn: queue.arn,
    ...Object.fromEntries(Object.entries(NUMERIC_ATTRIBUTES).map(([k, v]) => [k, String(v.default)])),
    ...queue.attributes,
  };
  const attributes: Record<string, string> = {};
  for (const name of wanted.includes('All') ? ALL_ATTRIBUTES : wanted) {
    if (!ALL_ATTRIBUTES.includes(name) && !(name in values)) {
      throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    const value = values[name];
    if (value !== undefined) attributes[name] = value;
  }
  return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
};

const setQueueAttributes: SqsAction = (ctx) => {
  const queue = queueOf(ctx);
  const { Attributes } = parse(z.object({ Attributes: AttributeMap }), ctx.input);
  Object.assign(queue.attributes, validateAttributes(Attributes));
  queue.modifiedAt = ctx.cloud.now();
  return {};
};

/** One purge per queue per 60 seconds (SQS API reference, PurgeQueue). */
const PURGE_INTERVAL_MS = 60_000;

const purgeQueue: SqsAction = (ctx) => {
  const queue = queueOf(ctx);
  const now = ctx.cloud.now();
  if (queue.lastPurgeAt !== undefined && now - queue.lastPurgeAt < PURGE_INTERVAL_MS) {
    throw new AwsError(
      'PurgeQueueInProgress',
      `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`,
      403,
    );
  }
  queue.lastPurgeAt = now;
  queue.messages = [];
  return {};
};

export const ACTIONS: Record<string, SqsAction> = {
  CreateQueue: createQueue,
  GetQueueUrl: getQueueUrl,
  ListQueues: listQueues,
  DeleteQueue: deleteQueue,
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: deleteMessageBatch,
  ChangeMessageVisibility: changeMessageVisibility,
  GetQueueAttributes: getQueueAttributes,
  SetQueueAttributes: setQueueAttributes,
  PurgeQueue: purgeQueue,
};
