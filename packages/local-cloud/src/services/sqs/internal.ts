import type { LocalCloud } from '../../cloud.ts';
import { queueDoesNotExist } from './errors.ts';
import { enqueue, type SendInput } from './messages.ts';
import { messageForHandle, type Queue, queueFromUrl, queueKey, sqsState } from './store.ts';

/**
 * Queue access for the other services of the local cloud (event source mappings, S3 and
 * EventBridge deliveries, SNS subscriptions): by ARN, as those services name queues.
 */
export const queueByArn = (cloud: LocalCloud, arn: string): Queue => {
  const [, , service, region, account, name] = arn.split(':');
  if (service !== 'sqs' || account !== cloud.accountId || !region || !name) throw queueDoesNotExist();
  const queue = sqsState(cloud).queues.get(queueKey(region, name));
  if (!queue) throw queueDoesNotExist();
  return queue;
};

/** Sends one message as a service principal would (same validation and counters as SendMessage). */
export const sendToQueue = (cloud: LocalCloud, arn: string, input: SendInput) =>
  enqueue(cloud, queueByArn(cloud, arn), input);

/** Sends one message to the queue a QueueUrl names in `region` (Step Functions' sqs:sendMessage). */
export const sendToQueueUrl = (cloud: LocalCloud, region: string, url: string, input: SendInput) =>
  enqueue(cloud, queueFromUrl(cloud, region, url), input);

/** Deletes a received message if `handle` is still its latest receipt handle (DeleteMessage's rule). */
export const deleteReceived = (queue: Queue, handle: string): boolean => {
  const message = messageForHandle(queue, handle);
  if (!message || message.receiptHandle !== handle) return false;
  queue.messages.splice(queue.messages.indexOf(message), 1);
  return true;
};
