import { randomUUID } from 'node:crypto';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { numericAttribute } from './attributes.ts';
import { invalidParameter } from './errors.ts';
import { type MessageAttributeValue, md5Hex, md5OfAttributes } from './md5.ts';
import { deadLetterQueue, newReceiptHandle, type Queue, type StoredMessage, settle } from './store.ts';

/** Characters SQS accepts in a body: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. */
const INVALID_BODY_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export interface SendInput {
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, MessageAttributeValue>;
}

const attributesSize = (attributes: Record<string, MessageAttributeValue>): number =>
  Object.entries(attributes).reduce(
    (n, [name, v]) =>
      n +
      Buffer.byteLength(name) +
      Buffer.byteLength(v.DataType) +
      Buffer.byteLength(v.StringValue ?? '') +
      Buffer.from(v.BinaryValue ?? '', 'base64').length,
    0,
  );

export const messageSize = (input: SendInput): number =>
  Buffer.byteLength(input.MessageBody ?? '') + attributesSize(input.MessageAttributes ?? {});

/** Validates and enqueues one message; returns what SendMessage answers. */
export const enqueue = (cloud: LocalCloud, queue: Queue, input: SendInput) => {
  const body = input.MessageBody;
  if (body === undefined || body === '') {
    throw new AwsError('MissingParameter', 'The request must contain the parameter MessageBody.');
  }
  if (INVALID_BODY_CHAR.test(body)) {
    throw new AwsError(
      'InvalidMessageContents',
      'Invalid binary character in the message body. Reason: characters outside the allowed Unicode ranges.',
    );
  }
  const maxSize = numericAttribute(queue.attributes, 'MaximumMessageSize');
  if (messageSize(input) > maxSize) {
    throw invalidParameter(
      `One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`,
    );
  }
  const delay = input.DelaySeconds ?? numericAttribute(queue.attributes, 'DelaySeconds');
  if (!Number.isInteger(delay) || delay < 0 || delay > 900) {
    throw invalidParameter(
      `Value ${delay} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.`,
    );
  }
  const attributes = input.MessageAttributes ?? {};
  const hasAttributes = Object.keys(attributes).length > 0;
  const now = cloud.now();
  const message: StoredMessage = {
    id: randomUUID(),
    body,
    md5OfBody: md5Hex(body),
    attributes,
    md5OfAttributes: hasAttributes ? md5OfAttributes(attributes) : undefined,
    sentAt: now,
    visibleAt: now + delay * 1000,
    receiveCount: 0,
    inFlight: false,
  };
  queue.messages.push(message);
  cloud.counters.add('sqs.messagesSent');
  return {
    MessageId: message.id,
    MD5OfMessageBody: message.md5OfBody,
    ...(message.md5OfAttributes ? { MD5OfMessageAttributes: message.md5OfAttributes } : {}),
  };
};

export interface ReceiveOptions {
  max: number;
  visibilityTimeout?: number;
  systemAttributes: string[];
  messageAttributes: string[];
}

const wantsAttribute = (wanted: string[], name: string): boolean =>
  wanted.some(
    (w) => w === 'All' || w === '.*' || w === name || (w.endsWith('.*') && name.startsWith(w.slice(0, -1))),
  );

const view = (m: StoredMessage, options: ReceiveOptions, receipt: string) => {
  const system: Record<string, string> = {
    SenderId: 'AIDALOCALCLOUDSENDER',
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
  };
  const attributes = Object.fromEntries(
    Object.entries(system).filter(([name]) => wantsAttribute(options.systemAttributes, name)),
  );
  const selected = Object.fromEntries(
    Object.entries(m.attributes).filter(([name]) => wantsAttribute(options.messageAttributes, name)),
  );
  const hasSelected = Object.keys(selected).length > 0;
  return {
    MessageId: m.id,
    ReceiptHandle: receipt,
    MD5OfBody: m.md5OfBody,
    Body: m.body,
    ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    ...(hasSelected
      ? { MessageAttributes: selected, MD5OfMessageAttributes: md5OfAttributes(selected) }
      : {}),
  };
};

/**
 * Delivers up to `max` visible messages, oldest first, each hidden for the visibility
 * timeout. A message already received maxReceiveCount times moves to the dead-letter queue
 * instead of being delivered, as SQS redrive does. Long polling is not simulated: the call
 * answers at once with what is visible on the simulated clock.
 */
export const receive = (cloud: LocalCloud, queue: Queue, options: ReceiveOptions) => {
  settle(cloud, queue);
  const now = cloud.now();
  const timeout = options.visibilityTimeout ?? numericAttribute(queue.attributes, 'VisibilityTimeout');
  const dlq = deadLetterQueue(cloud, queue);
  const delivered: ReturnType<typeof view>[] = [];
  for (const m of [...queue.messages]) {
    if (delivered.length >= options.max) break;
    if (m.inFlight || m.visibleAt > now) continue;
    if (dlq && m.receiveCount >= dlq.maxReceiveCount) {
      queue.messages.splice(queue.messages.indexOf(m), 1);
      dlq.queue.messages.push({ ...m, receiptHandle: undefined, inFlight: false, visibleAt: now });
      continue;
    }
    m.receiveCount += 1;
    m.firstReceivedAt ??= now;
    m.inFlight = true;
    m.visibleAt = now + timeout * 1000;
    m.receiptHandle = newReceiptHandle(queue, m);
    delivered.push(view(m, options, m.receiptHandle));
  }
  return delivered;
};

export const counts = (cloud: LocalCloud, queue: Queue) => {
  settle(cloud, queue);
  const now = cloud.now();
  let visible = 0;
  let notVisible = 0;
  let delayed = 0;
  for (const m of queue.messages) {
    if (m.inFlight) notVisible += 1;
    else if (m.visibleAt > now) delayed += 1;
    else visible += 1;
  }
  return { visible, notVisible, delayed };
};
