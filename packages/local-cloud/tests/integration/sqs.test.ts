import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';

const local = useLocalCloud();

const setup = async (name = 'jobs', attributes: Record<string, string> = {}) => {
  const sqs = new SQSClient({ ...clientConfig(local().url, 'eu-west-1'), maxAttempts: 1 });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return { sqs, queueUrl: QueueUrl ?? '' };
};

const visibleCount = async (sqs: SQSClient, queueUrl: string) => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    notVisible: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes?.ApproximateNumberOfMessagesDelayed),
  };
};

describe('local SQS (awsJson1_0, query-compatible errors)', () => {
  it('creates a queue with an account-scoped URL and finds it again by name', async () => {
    // Prepare
    const { sqs, queueUrl } = await setup('deferred-invalidations');
    // Act
    const again = await sqs.send(new CreateQueueCommand({ QueueName: 'deferred-invalidations' }));
    const byName = await sqs.send(new GetQueueUrlCommand({ QueueName: 'deferred-invalidations' }));
    // Assess
    expect(queueUrl).toBe(`${local().url}/123456789012/deferred-invalidations`);
    expect(again.QueueUrl).toBe(queueUrl);
    expect(byName.QueueUrl).toBe(queueUrl);
  });

  it('maps a missing queue to the modelled QueueDoesNotExist error through x-amzn-query-error', async () => {
    const sqs = new SQSClient({ ...clientConfig(local().url), maxAttempts: 1 });
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('rejects re-creating a queue with different attributes (QueueNameExists)', async () => {
    const { sqs } = await setup('jobs', { VisibilityTimeout: '60' });
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: 'jobs', Attributes: { VisibilityTimeout: '30' } })),
    ).rejects.toMatchObject({ name: 'QueueNameExists' });
  });

  it('sends and receives with body MD5s the SDK verifies, then hides the message for the visibility timeout', async () => {
    // Prepare
    const { sqs, queueUrl } = await setup();
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'héllo ✓',
        MessageAttributes: { site: { DataType: 'String', StringValue: 'web' } },
      }),
    );
    // Act
    const first = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        MessageAttributeNames: ['All'],
      }),
    );
    const whileHidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    await local().control.advance({ ms: 31_000 });
    const afterTimeout = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    // Assess
    expect(first.Messages).toHaveLength(1);
    expect(first.Messages?.[0]).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'héllo ✓',
      Attributes: { ApproximateReceiveCount: '1' },
      MessageAttributes: { site: { DataType: 'String', StringValue: 'web' } },
      MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
    });
    expect(whileHidden.Messages).toBeUndefined();
    expect(afterTimeout.Messages?.[0]?.Attributes).toEqual({ ApproximateReceiveCount: '2' });
  });

  it('keeps a delayed message invisible until the simulated clock passes DelaySeconds', async () => {
    // Prepare
    const { sqs, queueUrl } = await setup();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later', DelaySeconds: 900 }));
    // Act
    const early = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    const countsEarly = await visibleCount(sqs, queueUrl);
    await local().control.advance({ minutes: 15 });
    const late = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    // Assess
    expect(early.Messages).toBeUndefined();
    expect(countsEarly).toEqual({ visible: 0, notVisible: 0, delayed: 1 });
    expect(late.Messages?.[0]?.Body).toBe('later');
  });

  it('rejects DelaySeconds over 900 and MaxNumberOfMessages over 10', async () => {
    const { sqs, queueUrl } = await setup();
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x', DelaySeconds: 901 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 11 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('sends a batch, reports per-entry failures, and deletes a batch', async () => {
    // Prepare
    const { sqs, queueUrl } = await setup();
    // Act
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two' },
          { Id: 'bad', MessageBody: 'nul\u0000char' },
        ],
      }),
    );
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: (received.Messages ?? []).map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    await local().control.advance({ minutes: 5 });
    // Assess
    expect(sent.Successful?.map((s) => s.Id)).toEqual(['a', 'b']);
    expect(sent.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', SenderFault: true, Code: 'InvalidMessageContents' }),
    ]);
    expect(received.Messages?.map((m) => m.Body)).toEqual(['one', 'two']);
    expect(deleted.Successful).toHaveLength(2);
    expect(await visibleCount(sqs, queueUrl)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });

  it('rejects batches that are empty, too long or have repeated ids', async () => {
    const { sqs, queueUrl } = await setup();
    await expect(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [] })),
    ).rejects.toMatchObject({
      name: 'EmptyBatchRequest',
    });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
    await expect(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: eleven })),
    ).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequest' });
    await expect(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [
            { Id: 'same', MessageBody: 'x' },
            { Id: 'same', MessageBody: 'y' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
  });

  it('only deletes with the latest receipt handle; an older one succeeds and does nothing', async () => {
    // Prepare
    const { sqs, queueUrl } = await setup();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'job' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 1 }));
    await local().control.advance({ ms: 2_000 });
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 1 }));
    // Act
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }),
    );
    const afterStale = await visibleCount(sqs, queueUrl);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: second.Messages?.[0]?.ReceiptHandle }),
    );
    // Assess
    expect(afterStale.notVisible).toBe(1);
    expect(await visibleCount(sqs, queueUrl)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    await expect(
      sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: 'forged' })),
    ).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid', $metadata: { httpStatusCode: 404 } });
  });

  it('changes visibility of an in-flight message and refuses one that is not in flight', async () => {
    // Prepare
    const { sqs, queueUrl } = await setup();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'job' }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 600 }));
    const handle = got.Messages?.[0]?.ReceiptHandle;
    // Act
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 }),
    );
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    // Assess
    expect(again.Messages?.[0]?.Body).toBe('job');
    await expect(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: handle,
          VisibilityTimeout: 10,
        }),
      ),
    ).rejects.toMatchObject({ name: 'MessageNotInflight' });
  });

  it('moves a message received maxReceiveCount times to the dead-letter queue', async () => {
    // Prepare
    const { sqs } = await setup();
    const dlq = await setup('jobs-dlq');
    const { queueUrl } = await setup('work', {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:jobs-dlq',
        maxReceiveCount: 2,
      }),
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));
    // Act
    for (let i = 0; i < 2; i += 1) {
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 1 }));
      await local().control.advance({ ms: 1_500 });
    }
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.queueUrl }));
    // Assess
    expect(third.Messages).toBeUndefined();
    expect(dead.Messages?.[0]?.Body).toBe('poison');
  });

  it('purges a queue once per 60 seconds', async () => {
    // Prepare
    const { sqs, queueUrl } = await setup();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }));
    // Act
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    // Assess
    expect(await visibleCount(sqs, queueUrl)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    await expect(sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }))).rejects.toMatchObject({
      name: 'PurgeQueueInProgress',
      $metadata: { httpStatusCode: 403 },
    });
    await local().control.advance({ ms: 60_000 });
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  });

  it('retries an injected Throttling fault through the SDK and counts the calls', async () => {
    // Prepare
    const { queueUrl } = await setup();
    const sqs = new SQSClient({ ...clientConfig(local().url, 'eu-west-1'), maxAttempts: 3 });
    await local().control.addFaults([
      { service: 'sqs', action: 'SendMessage', code: 'Throttling', firstN: 1 },
    ]);
    // Act
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }));
    // Assess
    expect(sent.MessageId).toBeDefined();
    const counters = await local().control.counters();
    expect(counters.calls).toContainEqual({
      service: 'sqs',
      action: 'SendMessage',
      region: 'eu-west-1',
      count: 2,
    });
  });

  it('seeds queues and dumps their messages through the control API', async () => {
    // Prepare
    await local().control.seed({ sqs: { queues: [{ name: 'seeded', region: 'eu-west-1' }] } });
    const sqs = new SQSClient(clientConfig(local().url, 'eu-west-1'));
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'seeded' }));
    // Act
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"a":1}', DelaySeconds: 60 }));
    const state = await local().control.state<{ sqs: { queues: { name: string; counts: unknown }[] } }>();
    // Assess
    expect(state.sqs.queues).toContainEqual(
      expect.objectContaining({ name: 'seeded', counts: { visible: 0, notVisible: 0, delayed: 1 } }),
    );
  });
});
