import { randomBytes } from 'node:crypto';
import type { LocalCloud } from '../../cloud.ts';
import { numericAttribute, parseRedrivePolicy } from './attributes.ts';
import { queueDoesNotExist, receiptHandleInvalid } from './errors.ts';
import type { MessageAttributeValue } from './md5.ts';

export interface StoredMessage {
  id: string;
  body: string;
  md5OfBody: string;
  attributes: Record<string, MessageAttributeValue>;
  md5OfAttributes?: string;
  sentAt: number;
  /** Invisible until then: the send delay, then each receive's visibility timeout. */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Only the latest receipt handle deletes the message (older ones "succeed" and do nothing). */
  receiptHandle?: string;
  inFlight: boolean;
}

export interface Queue {
  name: string;
  region: string;
  arn: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
  modifiedAt: number;
  messages: StoredMessage[];
  lastPurgeAt?: number;
}

export interface SqsState {
  queues: Map<string, Queue>;
  /** When each queue name was deleted, for the 60 s QueueDeletedRecently rule. */
  deletedAt: Map<string, number>;
}

export const sqsState = (cloud: LocalCloud): SqsState =>
  cloud.store<SqsState>('sqs', () => ({ queues: new Map(), deletedAt: new Map() }));

export const queueKey = (region: string, name: string): string => `${region}/${name}`;

export const queueUrl = (host: string, accountId: string, name: string): string =>
  `http://${host || '127.0.0.1:4566'}/${accountId}/${name}`;

/** The queue a QueueUrl names; only the path matters (any host that reached us is ours). */
export const queueFromUrl = (cloud: LocalCloud, region: string, url: string): Queue => {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url;
  }
  const match = /^\/?(\d{12})\/([\w-]{1,80})$/.exec(path);
  if (!match || match[1] !== cloud.accountId) throw queueDoesNotExist();
  const queue = sqsState(cloud).queues.get(queueKey(region, match[2] ?? ''));
  if (!queue) throw queueDoesNotExist();
  return queue;
};

/** Drops expired messages and moves over-received ones to the dead-letter queue. */
export const settle = (cloud: LocalCloud, queue: Queue): void => {
  const now = cloud.now();
  const retentionMs = numericAttribute(queue.attributes, 'MessageRetentionPeriod') * 1000;
  queue.messages = queue.messages.filter((m) => now - m.sentAt < retentionMs);
  for (const m of queue.messages) {
    if (m.inFlight && m.visibleAt <= now) {
      m.inFlight = false;
    }
  }
};

/** The dead-letter queue a message goes to after maxReceiveCount receives, if configured and present. */
export const deadLetterQueue = (
  cloud: LocalCloud,
  queue: Queue,
): { queue: Queue; maxReceiveCount: number } | undefined => {
  const policy = queue.attributes.RedrivePolicy;
  if (!policy) return undefined;
  const { deadLetterTargetArn, maxReceiveCount } = parseRedrivePolicy(policy);
  const [, , , region, , name] = deadLetterTargetArn.split(':');
  const target = sqsState(cloud).queues.get(queueKey(region ?? '', name ?? ''));
  return target ? { queue: target, maxReceiveCount } : undefined;
};

export const newReceiptHandle = (queue: Queue, message: StoredMessage): string =>
  Buffer.from(`${queue.arn}|${message.id}|${randomBytes(12).toString('hex')}`).toString('base64');

/**
 * The message a receipt handle refers to. A handle we never issued is invalid; a handle of
 * a message already deleted resolves to undefined (SQS answers success).
 */
export const messageForHandle = (queue: Queue, handle: string): StoredMessage | undefined => {
  const decoded = Buffer.from(handle, 'base64').toString('utf8').split('|');
  if (decoded.length !== 3 || decoded[0] !== queue.arn) throw receiptHandleInvalid(handle);
  return queue.messages.find((m) => m.id === decoded[1]);
};
