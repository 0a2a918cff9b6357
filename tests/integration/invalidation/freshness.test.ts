/**
 * The completion watch over the local cloud: a submission queues a watch; the checker function
 * (real handler, real adapters) polls GetInvalidation on the simulated clock, publishes
 * `Invalidation Completed` once even when SQS redelivers the check, and `Invalidation Slow` once
 * past the bound. Sources: CloudFront API reference, GetInvalidation (Status "InProgress" /
 * "Completed"; CloudFront publishes no completion event of its own); S3 User Guide, "How to
 * prevent object overwrites with conditional writes"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html: If-None-Match
 * "*" fails with 412 when the key exists); SQS Developer Guide, at-least-once delivery
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues-at-least-once-delivery.html).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/invalidation-freshness/handler.ts';
import { createEventsAdapter } from '../../../shared/aws/events.ts';
import { createS3OnceMarkers } from '../../../shared/aws/s3-once-markers.ts';
import { createQueueAdapter } from '../../../shared/aws/sqs.ts';
import { SiteSchema } from '../../../shared/config/sites.ts';
import {
  INVALIDATION_COMPLETED,
  INVALIDATION_SLOW,
  TIME_TO_FRESH_METRIC,
} from '../../../shared/invalidation-service/freshness.ts';
import { submitChangeSet } from '../../../shared/invalidation-service/submit.ts';
import { makeDeps, receiveAll, seedDistributions, WEB_DIST } from './harness.ts';

/** A frozen clock: only the test moves time, so every second counted is a simulated one. */
const local = useLocalCloud({ clock: { speed: 0 } });
const LEDGER_BUCKET = 'shipyard-ledger';

const web = SiteSchema.parse({
  name: 'web',
  bucket: 'web-bucket',
  distributionIds: [WEB_DIST],
  invalidation: { inventory: 'never', slowAfterSeconds: 300 },
});

interface RecordedEvent {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
}

const published = async (detailType: string) => {
  const state = await local().control.state<{ events: { regions: Record<string, RecordedEvent[]> } }>();
  return Object.values(state.events.regions)
    .flat()
    .filter((e) => e.source === 'shipyard' && e.detailType === detailType)
    .map((e) => e.detail);
};

const setup = async () => {
  await seedDistributions(local());
  await local().control.seed({ s3: { buckets: [{ name: LEDGER_BUCKET }] } });
  const deps = await makeDeps(local());
  const { QueueUrl } = await deps.sqs.send(new CreateQueueCommand({ QueueName: 'shipyard-freshness' }));
  const queue = createQueueAdapter({ client: deps.sqs, queueUrl: QueueUrl ?? '' });
  const now = () => local().cloud.now();
  const checker = makeHandler({
    logger: deps.logger,
    metrics: deps.metrics,
    cloudFront: deps.cloudFront,
    events: createEventsAdapter({ client: new EventBridgeClient(clientConfig(local().url)) }),
    once: createS3OnceMarkers({
      bucket: LEDGER_BUCKET,
      client: new S3Client({ ...clientConfig(local().url), maxAttempts: 1 }),
      now,
    }),
    queue,
    now,
  });
  /** Receives what is visible on the watch queue; SQS deletes it after the handler succeeds. */
  const pending = async () =>
    (await receiveAll(deps.sqs, QueueUrl ?? '')).map((m, i) => ({
      messageId: m.MessageId ?? `m${i}`,
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {},
      messageAttributes: {},
      eventSource: 'aws:sqs',
    }));
  const submit = (deployId: string) =>
    submitChangeSet(
      {
        site: 'web',
        deployId,
        source: 'cli',
        changes: [{ key: 'site/index.html', change: 'modified' }],
        paths: [],
      },
      web,
      { cloudFront: deps.cloudFront, freshness: { queue, now } },
    );
  return { deps, checker, pending, submit };
};

describe('Invalidation Completed / Slow (the completion watch)', () => {
  it('publishes Invalidation Completed once with the seconds to fresh, even when the check is redelivered', async () => {
    // Prepare: invalidations take 90 s on the simulated clock
    await local().control.setDurations({ invalidationMs: 90_000 });
    const { deps, checker, pending, submit } = await setup();
    const summary = await submit('deploy-1');
    const ids = summary.distributions.flatMap((d) => d.batches.map((b) => b.invalidationId));
    // Act: the first check comes 30 s later (still in progress), the next one 30 s after that…
    await local().control.advance({ ms: 30_000 });
    const first = await pending();
    const firstResult = await checker({ Records: first });
    await local().control.advance({ ms: 30_000 });
    await checker({ Records: await pending() });
    await local().control.advance({ ms: 30_000 });
    const third = await pending();
    await checker({ Records: third });
    // …and SQS delivers that last check twice more, one of them concurrently
    await Promise.all([checker({ Records: third }), checker({ Records: third })]);
    // Assess
    expect(firstResult.batchItemFailures).toEqual([]);
    expect(first).toHaveLength(1);
    expect(await published(INVALIDATION_COMPLETED)).toEqual([
      {
        site: 'web',
        deployId: 'deploy-1',
        distributionId: WEB_DIST,
        invalidationIds: ids,
        secondsToFresh: 90,
      },
    ]);
    expect(deps.metrics.recorded.filter((m) => m.name === TIME_TO_FRESH_METRIC)).toEqual([
      { name: TIME_TO_FRESH_METRIC, unit: 'Seconds', value: 90, dimensions: { distributionId: WEB_DIST } },
    ]);
    await local().control.advance({ ms: 60_000 });
    expect(await pending()).toEqual([]);
  });

  it('a redelivered deploy watches the same invalidation again but publishes nothing twice', async () => {
    // Prepare
    await local().control.setDurations({ invalidationMs: 10_000 });
    const { checker, pending, submit } = await setup();
    await submit('deploy-2');
    await submit('deploy-2');
    // Act
    await local().control.advance({ ms: 30_000 });
    const watches = await pending();
    await checker({ Records: watches });
    // Assess
    expect(watches).toHaveLength(2);
    expect(await published(INVALIDATION_COMPLETED)).toHaveLength(1);
  });

  it('publishes Invalidation Slow once past slowAfterSeconds, then Completed', async () => {
    // Prepare: 7 minutes to complete, slow after 5
    await local().control.setDurations({ invalidationMs: 420_000 });
    const { checker, pending, submit } = await setup();
    await submit('deploy-3');
    // Act: every check, every 30 s, until nothing is left to watch
    const slowAt: number[] = [];
    for (let check = 1; check <= 20; check += 1) {
      await local().control.advance({ ms: 30_000 });
      const records = await pending();
      if (records.length === 0) break;
      await checker({ Records: records });
      if ((await published(INVALIDATION_SLOW)).length > 0 && slowAt.length === 0) slowAt.push(check * 30);
    }
    // Assess
    const slow = await published(INVALIDATION_SLOW);
    expect(slow).toHaveLength(1);
    expect(slow[0]).toMatchObject({ deployId: 'deploy-3', secondsSoFar: 300, slowAfterSeconds: 300 });
    expect(slowAt).toEqual([300]);
    expect(await published(INVALIDATION_COMPLETED)).toMatchObject([
      { deployId: 'deploy-3', secondsToFresh: 420 },
    ]);
  });
});
