import type { LocalCloud } from '../../cloud.ts';
import { deleteReceived, queueByArn } from '../sqs/internal.ts';
import { receive } from '../sqs/messages.ts';
import { settle } from '../sqs/store.ts';
import { type EventSourceMapping, mappingStore } from './event-source-mappings.ts';
import { invokeFunction } from './invoke.ts';
import { lambdaStore } from './store.ts';

/** What one delivery of a mapping did (returned by the pump, kept for the dump). */
export interface BatchDelivery {
  mapping: string;
  functionArn: string;
  eventSourceArn: string;
  messageIds: string[];
  /** Messages left on the queue: the whole batch on a function error, or the reported failures. */
  failedMessageIds: string[];
  functionError?: string;
}

type Received = ReturnType<typeof receive>[number];

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** The SQS record shape Lambda passes to functions (attributes camel-cased in messageAttributes). */
const sqsRecord = (mapping: EventSourceMapping, m: Received) => ({
  messageId: m.MessageId,
  receiptHandle: m.ReceiptHandle,
  body: m.Body,
  attributes: m.Attributes ?? {},
  messageAttributes: Object.fromEntries(
    Object.entries(m.MessageAttributes ?? {}).map(([name, v]) => [
      name,
      Object.fromEntries(Object.entries(v).map(([k, value]) => [lowerFirst(k), value])),
    ]),
  ),
  md5OfBody: m.MD5OfBody,
  eventSource: 'aws:sqs',
  eventSourceARN: mapping.eventSourceArn,
  awsRegion: mapping.eventSourceArn.split(':')[3] ?? mapping.region,
});

/**
 * Whether the mapping has a batch to deliver on the simulated clock: a full batch, or
 * visible messages of which the oldest waited out MaximumBatchingWindowInSeconds.
 */
const isDue = (cloud: LocalCloud, mapping: EventSourceMapping): boolean => {
  const queue = queueByArn(cloud, mapping.eventSourceArn);
  settle(cloud, queue);
  const now = cloud.now();
  const visible = queue.messages.filter((m) => !m.inFlight && m.visibleAt <= now);
  if (visible.length === 0) return false;
  if (visible.length >= mapping.batchSize) return true;
  const oldest = Math.min(...visible.map((m) => m.visibleAt));
  return now - oldest >= mapping.maximumBatchingWindowInSeconds * 1000;
};

/** Message ids the function reported as failed; every id of the batch when the report is invalid. */
const reportedFailures = (payload: string, batch: string[]): string[] => {
  let result: unknown;
  try {
    result = JSON.parse(payload);
  } catch {
    return batch;
  }
  if (result === null || typeof result !== 'object' || !('batchItemFailures' in result)) return [];
  const failures = (result as { batchItemFailures: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return [];
  if (!Array.isArray(failures)) return batch;
  const ids: string[] = [];
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    // An empty, unknown or missing identifier fails the whole batch (Lambda developer guide).
    if (typeof id !== 'string' || !batch.includes(id)) return batch;
    ids.push(id);
  }
  return ids;
};

const deliver = async (
  cloud: LocalCloud,
  mapping: EventSourceMapping,
): Promise<BatchDelivery | undefined> => {
  const fn = lambdaStore(cloud).functions.get(mapping.functionArn);
  if (!fn) {
    mapping.lastProcessingResult = 'PROBLEM: Function not found';
    return undefined;
  }
  if (!isDue(cloud, mapping)) return undefined;
  const queue = queueByArn(cloud, mapping.eventSourceArn);
  const received = receive(cloud, queue, {
    max: mapping.batchSize,
    systemAttributes: ['All'],
    messageAttributes: ['All'],
  });
  if (received.length === 0) return undefined;
  const messageIds = received.map((m) => m.MessageId);
  const outcome = await invokeFunction(cloud, fn, { Records: received.map((m) => sqsRecord(mapping, m)) });
  let failed: string[];
  if (outcome.functionError) failed = messageIds;
  else if (mapping.functionResponseTypes.includes('ReportBatchItemFailures'))
    failed = reportedFailures(outcome.payload, messageIds);
  else failed = [];
  // Failed messages stay in flight until their visibility timeout ends, then are received
  // again; the queue's RedrivePolicy moves them to the DLQ after maxReceiveCount receives.
  for (const m of received) if (!failed.includes(m.MessageId)) deleteReceived(queue, m.ReceiptHandle);
  mapping.lastProcessingResult = outcome.functionError ? 'PROBLEM: Function call failed' : 'OK';
  cloud.counters.add('lambda.eventSourceBatches');
  return {
    mapping: mapping.uuid,
    functionArn: fn.arn,
    eventSourceArn: mapping.eventSourceArn,
    messageIds,
    failedMessageIds: failed,
    ...(outcome.functionError ? { functionError: outcome.payload } : {}),
  };
};

/**
 * Delivers at most one batch for a mapping. A delivery already running for it is awaited
 * first (the background poller and an explicit pump share the mapping), then the mapping
 * is checked again.
 */
export const pollMapping = async (
  cloud: LocalCloud,
  mapping: EventSourceMapping,
): Promise<BatchDelivery | undefined> => {
  const { busy } = mappingStore(cloud);
  for (let running = busy.get(mapping.uuid); running; running = busy.get(mapping.uuid)) await running;
  if (!mapping.enabled) return undefined;
  const delivery = deliver(cloud, mapping).catch((error: unknown) => {
    mapping.lastProcessingResult = `PROBLEM: ${error instanceof Error ? error.message : String(error)}`;
    return undefined;
  });
  busy.set(mapping.uuid, delivery);
  try {
    return await delivery;
  } finally {
    busy.delete(mapping.uuid);
  }
};
