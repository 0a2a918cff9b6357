import { randomUUID } from 'node:crypto';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { invokeAsync } from '../lambda/invoke.ts';
import { findFunction } from '../lambda/store.ts';
import { sendToQueue } from '../sqs/internal.ts';
import { type PublishedMessage, type SnsDelivery, type Subscription, snsStore, type Topic } from './store.ts';

const topicNotFound = () => new AwsError('NotFound', 'Topic does not exist', 404);

export const findTopic = (cloud: LocalCloud, arn: string): Topic => {
  const topic = snsStore(cloud).topics.get(arn);
  if (!topic) throw topicNotFound();
  return topic;
};

/** The notification document SNS sends to SQS and HTTP subscribers. */
const envelope = (published: PublishedMessage, subscription: Subscription) => ({
  Type: 'Notification',
  MessageId: published.messageId,
  TopicArn: published.topicArn,
  ...(published.subject !== undefined ? { Subject: published.subject } : {}),
  Message: published.message,
  Timestamp: published.publishedAt,
  SignatureVersion: '1',
  Signature: 'local',
  SigningCertURL: 'https://sns.us-east-1.amazonaws.com/local.pem',
  UnsubscribeURL: `https://sns.local/?Action=Unsubscribe&SubscriptionArn=${subscription.arn}`,
});

const deliverTo = (cloud: LocalCloud, published: PublishedMessage, s: Subscription): SnsDelivery => {
  const base = { subscriptionArn: s.arn, protocol: s.protocol, endpoint: s.endpoint };
  if (s.pendingConfirmation) return { ...base, status: 'PENDING_CONFIRMATION' };
  try {
    if (s.protocol === 'sqs') {
      const raw = s.attributes.RawMessageDelivery === 'true';
      sendToQueue(cloud, s.endpoint, {
        MessageBody: raw ? published.message : JSON.stringify(envelope(published, s)),
      });
    } else if (s.protocol === 'lambda') {
      const region = s.endpoint.split(':')[3] ?? 'us-east-1';
      invokeAsync(cloud, findFunction(cloud, region, s.endpoint), {
        Records: [
          {
            EventSource: 'aws:sns',
            EventVersion: '1.0',
            EventSubscriptionArn: s.arn,
            Sns: { ...envelope(published, s), MessageAttributes: {} },
          },
        ],
      });
    } else {
      // email, sms, http(s): recorded as sent; the local cloud reaches nobody outside.
    }
    return { ...base, status: 'DELIVERED' };
  } catch (error) {
    return { ...base, status: 'FAILED', error: error instanceof Error ? error.message : String(error) };
  }
};

/** Publishes to a topic: recorded (readable through the control API's state) and fanned out. */
export const publish = (
  cloud: LocalCloud,
  topic: Topic,
  message: string,
  subject?: string,
): PublishedMessage => {
  const store = snsStore(cloud);
  const published: PublishedMessage = {
    messageId: randomUUID(),
    topicArn: topic.arn,
    ...(subject !== undefined ? { subject } : {}),
    message,
    publishedAt: new Date(cloud.now()).toISOString(),
    deliveries: [],
  };
  for (const s of store.subscriptions.values())
    if (s.topicArn === topic.arn) published.deliveries.push(deliverTo(cloud, published, s));
  store.published.push(published);
  cloud.counters.add('sns.published');
  return published;
};
