import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { createCloudFrontAdapter, createDryRunCloudFront } from '../../../shared/aws/cloudfront.ts';
import { createEventsAdapter } from '../../../shared/aws/events.ts';
import { createQueueAdapter } from '../../../shared/aws/sqs.ts';
import { createInvalidationCalls, DOCS_DIST, seedDistributions } from './harness.ts';

const local = useLocalCloud();

const cloudFrontAdapter = (pageSize = 100) =>
  createCloudFrontAdapter({
    client: new CloudFrontClient({ ...clientConfig(local().url), maxAttempts: 1 }),
    pageSize,
  });

describe('CloudFront adapter', () => {
  it('counts in-flight file and wildcard paths over every page of ListInvalidations', async () => {
    // Prepare
    await seedDistributions(local());
    const raw = new CloudFrontClient(clientConfig(local().url));
    const create = (ref: string, items: string[]) =>
      raw.send(
        new CreateInvalidationCommand({
          DistributionId: DOCS_DIST,
          InvalidationBatch: { CallerReference: ref, Paths: { Quantity: items.length, Items: items } },
        }),
      );
    await create('old', ['/old.html']);
    await local().control.advance({ minutes: 5 });
    for (let i = 0; i < 5; i += 1) await create(`r${i}`, [`/a${i}.html`, `/b${i}/*`]);
    // Act
    const usage = await cloudFrontAdapter(2).inFlightUsage(DOCS_DIST);
    // Assess
    expect({ files: usage.files, wildcards: usage.wildcards }).toEqual({ files: 5, wildcards: 5 });
    expect(usage.invalidations.map((i) => i.callerReference).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('turns CloudFront errors into named errors', async () => {
    await seedDistributions(local());
    const adapter = cloudFrontAdapter();
    await adapter.createInvalidation({ distributionId: DOCS_DIST, callerReference: 'ref-1', paths: ['/a'] });
    await expect(
      adapter.createInvalidation({ distributionId: DOCS_DIST, callerReference: 'ref-1', paths: ['/b'] }),
    ).rejects.toMatchObject({ name: 'InvalidationBatchAlreadyExistsError', callerReference: 'ref-1' });
    await expect(adapter.inFlightUsage('E9NOSUCHDIST00')).rejects.toMatchObject({
      name: 'NoSuchDistributionError',
    });
  });

  it('dry run: reads through, records what it would create, never writes', async () => {
    // Prepare
    await seedDistributions(local());
    const dryRun = createDryRunCloudFront(cloudFrontAdapter());
    // Act
    const usage = await dryRun.inFlightUsage(DOCS_DIST);
    const created = await dryRun.createInvalidation({
      distributionId: DOCS_DIST,
      callerReference: 'x',
      paths: ['/a'],
    });
    // Assess
    expect(usage.files).toBe(0);
    expect(created).toEqual({ status: 'DryRun' });
    expect(dryRun.wouldCreate).toEqual([{ distributionId: DOCS_DIST, callerReference: 'x', paths: ['/a'] }]);
    expect(await createInvalidationCalls(local())).toBe(0);
  });
});

describe('EventBridge adapter', () => {
  it('fails clearly when PutEvents rejects an entry (FailedEntryCount > 0)', async () => {
    const events = createEventsAdapter({ client: new EventBridgeClient(clientConfig(local().url)) });
    await expect(
      events.publish([{ source: 'aws.s3', detailType: 'Deployment Completed', detail: {} }]),
    ).rejects.toThrow(
      'EventBridge rejected 1 event: NotAuthorizedForSourceException: Not authorized for the source.',
    );
  });
});

describe('SQS adapter', () => {
  it('clamps the delay to SQS maximum of 900 seconds', async () => {
    // Prepare
    const sqs = new SQSClient(clientConfig(local().url));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'deferred' }));
    const queue = createQueueAdapter({ client: sqs, queueUrl: QueueUrl ?? '' });
    // Act
    await queue.send({ hello: 1 }, 5_000);
    // Assess
    await local().control.advance({ ms: 899_000 });
    const early = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    await local().control.advance({ ms: 1_000 });
    const due = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(early.Attributes?.ApproximateNumberOfMessagesDelayed).toBe('1');
    expect(due.Attributes?.ApproximateNumberOfMessages).toBe('1');
  });
});
