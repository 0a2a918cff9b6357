import { CreateQueueCommand, GetQueueUrlCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { created, errorName, type ResourceHandler } from '../context.ts';

/** Queue properties that are queue attributes (name → attribute), JSON-valued ones serialised. */
const ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
];

export const deployQueue: ResourceHandler = async (ctx, resource) => {
  if (resource.properties.FifoQueue === true || resource.properties.FifoQueue === 'true')
    return { status: 'unsupported', reason: 'the local cloud implements standard queues only' };
  const name = String(resource.physical.attributes.QueueName);
  const attributes: Record<string, string> = {};
  for (const key of ATTRIBUTES) {
    const value = resource.properties[key];
    if (value === undefined) continue;
    attributes[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  try {
    const { QueueUrl } = await ctx.clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    // Re-deploy: CreateQueue refuses different attributes, so the queue is updated in place.
    await ctx.clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
    return created(QueueUrl);
  } catch (error) {
    if (errorName(error) !== 'QueueDoesNotExist') throw error;
  }
  const { QueueUrl } = await ctx.clients.sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  return created(QueueUrl);
};
