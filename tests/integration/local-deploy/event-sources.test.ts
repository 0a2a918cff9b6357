import {
  CreateEventSourceMappingCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalCloud } from '@shipyard/local-cloud';
import { POLLER_ROUNDS, registerLocalFunction } from '@shipyard/local-cloud';
import { clientConfig, useLocalCloud, waitForAsyncInvocations } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';

const local = useLocalCloud({ pollIntervalMs: 0 });
const ACCOUNT = '123456789012';
const sqs = () => new SQSClient(clientConfig(local().url));
const lambda = () => new LambdaClient(clientConfig(local().url));
const arnOf = (queue: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${queue}`;

type SqsEvent = {
  Records: { messageId: string; body: string; eventSourceARN: string; attributes: Record<string, string> }[];
};

/** A queue with a DLQ after 2 receives, and a function that fails the messages whose body says so. */
const setUp = async (
  cloud: LocalCloud,
  settings: { batchWindow?: number; batchSize?: number; reportFailures?: boolean } = {},
) => {
  const seen: SqsEvent[] = [];
  registerLocalFunction(cloud, {
    name: 'worker',
    handler: async (event) => {
      const batch = event as SqsEvent;
      seen.push(batch);
      if (batch.Records.some((r) => r.body === 'crash')) throw new Error('crashed');
      return {
        batchItemFailures: batch.Records.filter((r) => r.body.startsWith('fail')).map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    },
  });
  await sqs().send(new CreateQueueCommand({ QueueName: 'jobs-dlq' }));
  const { QueueUrl } = await sqs().send(
    new CreateQueueCommand({
      QueueName: 'jobs',
      Attributes: {
        VisibilityTimeout: '30',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf('jobs-dlq'), maxReceiveCount: 2 }),
      },
    }),
  );
  await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: 'worker',
      EventSourceArn: arnOf('jobs'),
      BatchSize: settings.batchSize ?? 10,
      MaximumBatchingWindowInSeconds: settings.batchWindow ?? 0,
      ...(settings.reportFailures === false
        ? {}
        : { FunctionResponseTypes: ['ReportBatchItemFailures' as const] }),
    }),
  );
  const send = async (body: string, delay?: number) =>
    (
      await sqs().send(
        new SendMessageCommand({ QueueUrl, MessageBody: body, ...(delay ? { DelaySeconds: delay } : {}) }),
      )
    ).MessageId;
  const counts = async (url = QueueUrl) => {
    const { Attributes = {} } = await sqs().send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    return [
      Number(Attributes.ApproximateNumberOfMessages),
      Number(Attributes.ApproximateNumberOfMessagesNotVisible),
    ];
  };
  return { seen, send, counts, dlqUrl: QueueUrl?.replace(/jobs$/, 'jobs-dlq') };
};

describe('SQS event source mappings', () => {
  it('deletes the successful messages and leaves only the reported failures on the queue', async () => {
    const { seen, send, counts } = await setUp(local().cloud);
    await send('ok-1');
    const failing = await send('fail-1');
    await send('ok-2');
    const { batches } = await local().control.pump();
    expect(batches).toHaveLength(1);
    expect(batches[0]?.failedMessageIds).toEqual([failing]);
    expect(seen[0]?.Records.map((r) => r.body)).toEqual(['ok-1', 'fail-1', 'ok-2']);
    expect(seen[0]?.Records[0]?.eventSourceARN).toBe(arnOf('jobs'));
    expect(await counts()).toEqual([0, 1]);
  });

  it('redelivers a failure after its visibility timeout and moves it to the DLQ after maxReceiveCount', async () => {
    const { seen, send, counts, dlqUrl } = await setUp(local().cloud);
    await send('fail-forever');
    await local().control.pump();
    expect((await local().control.pump()).batches).toEqual([]); // still invisible
    await local().control.advance({ ms: 30_000 });
    await local().control.pump();
    expect(seen.map((b) => b.Records[0]?.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    await local().control.advance({ ms: 30_000 });
    expect((await local().control.pump()).batches).toEqual([]);
    expect(await counts()).toEqual([0, 0]);
    expect(await counts(dlqUrl)).toEqual([1, 0]);
  });

  it('keeps the whole batch when the function fails', async () => {
    const crashing = await setUp(local().cloud);
    await crashing.send('crash');
    await crashing.send('ok');
    const { batches } = await local().control.pump();
    expect(batches[0]?.failedMessageIds).toHaveLength(2);
    expect(batches[0]?.functionError).toContain('crashed');
  });

  it('deletes everything a function without ReportBatchItemFailures returns from', async () => {
    const plain = await setUp(local().cloud, { reportFailures: false });
    await plain.send('fail-but-unreported');
    expect((await local().control.pump()).batches[0]?.failedMessageIds).toEqual([]);
    expect(await plain.counts()).toEqual([0, 0]);
  });

  it('waits for DelaySeconds and for the batching window on the simulated clock', async () => {
    const { seen, send } = await setUp(local().cloud, { batchWindow: 20, batchSize: 50 });
    await send('later', 10);
    await send('now');
    expect((await local().control.pump()).batches).toEqual([]);
    await local().control.advance({ ms: 20_000 });
    await local().control.pump();
    expect(seen.map((b) => b.Records.map((r) => r.body).sort())).toEqual([['later', 'now']]);
  });

  it('refuses a second mapping of the same queue and function, and a visibility timeout below the function timeout', async () => {
    await setUp(local().cloud);
    await expect(
      lambda().send(
        new CreateEventSourceMappingCommand({ FunctionName: 'worker', EventSourceArn: arnOf('jobs') }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceConflictException' });
    registerLocalFunction(local().cloud, { name: 'slow', timeoutSeconds: 60, handler: async () => null });
    await expect(
      lambda().send(
        new CreateEventSourceMappingCommand({ FunctionName: 'slow', EventSourceArn: arnOf('jobs') }),
      ),
    ).rejects.toThrow(/Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds/);
  });

  it('delivers by itself when the background poller runs', async () => {
    const { startLocalCloud } = await import('@shipyard/local-cloud');
    const polled = await startLocalCloud({ port: 0, pollIntervalMs: 20 });
    try {
      const delivered: string[] = [];
      registerLocalFunction(polled.cloud, {
        name: 'worker',
        handler: async (event) => {
          delivered.push(...(event as SqsEvent).Records.map((r) => r.body));
          return null;
        },
      });
      const client = new SQSClient(clientConfig(polled.url));
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'jobs' }));
      await new LambdaClient(clientConfig(polled.url)).send(
        new CreateEventSourceMappingCommand({ FunctionName: 'worker', EventSourceArn: arnOf('jobs') }),
      );
      await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
      // Bounded by the poller's progress, not by time: two whole rounds after the send (the
      // third completed one) that delivered nothing fail the test, however slow each round.
      const roundsAtSend = polled.cloud.counters.get(POLLER_ROUNDS);
      while (delivered.length === 0 && polled.cloud.counters.get(POLLER_ROUNDS) < roundsAtSend + 3)
        await new Promise((r) => setTimeout(r, 20));
      expect(delivered).toEqual(['hello']);
    } finally {
      await polled.close();
    }
  });
});

describe('S3 bucket notifications', () => {
  it('sends a test event, then one S3 event message per matching object event', async () => {
    const s3 = new S3Client(clientConfig(local().url));
    await s3.send(new CreateBucketCommand({ Bucket: 'site' }));
    const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: 'events' }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'site',
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: 'web',
              QueueArn: arnOf('events'),
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'public/' }] } },
            },
          ],
        },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'public/a b+c.html', Body: 'hello' }));
    await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'private/x.html', Body: 'no' }));
    await local().control.pump();
    const { Messages = [] } = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }),
    );
    const bodies = Messages.map((m) => JSON.parse(m.Body ?? '{}'));
    expect(bodies[0]).toMatchObject({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'site' });
    expect(bodies).toHaveLength(2);
    expect(bodies[1].Records).toEqual([
      expect.objectContaining({
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: expect.objectContaining({
          configurationId: 'web',
          bucket: expect.objectContaining({ name: 'site', arn: 'arn:aws:s3:::site' }),
          object: {
            key: 'public/a+b%2Bc.html',
            size: 5,
            eTag: '5d41402abc4b2a76b9719d911017c592',
            sequencer: expect.stringMatching(/^[0-9A-F]+$/),
          },
        }),
      }),
    ]);
  });

  it('refuses a destination queue that does not exist', async () => {
    const s3 = new S3Client(clientConfig(local().url));
    await s3.send(new CreateBucketCommand({ Bucket: 'site' }));
    await expect(
      s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'site',
          NotificationConfiguration: {
            QueueConfigurations: [{ QueueArn: arnOf('missing'), Events: ['s3:ObjectCreated:*'] }],
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidArgument' });
  });
});

describe('asynchronous invocation settings', () => {
  it('retries a failed Event invocation and sends the record to the on-failure queue', async () => {
    let calls = 0;
    registerLocalFunction(local().cloud, {
      name: 'flaky',
      handler: async () => {
        calls += 1;
        throw new Error('always fails');
      },
    });
    const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: 'failures' }));
    await lambda().send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'flaky',
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnFailure: { Destination: arnOf('failures') } },
      }),
    );
    await lambda().send(
      new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event', Payload: Buffer.from('{"n":1}') }),
    );
    await waitForAsyncInvocations(local().control);
    const { Messages = [] } = await sqs().send(new ReceiveMessageCommand({ QueueUrl }));
    expect(Messages).toHaveLength(1);
    expect(JSON.parse(Messages[0]?.Body ?? '{}')).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 2 },
      requestPayload: { n: 1 },
      responseContext: { functionError: 'Unhandled' },
      responsePayload: { errorMessage: 'always fails' },
    });
    expect(calls).toBe(2);
  });
});
