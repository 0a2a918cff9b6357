/**
 * Test tier 5, second half (DESIGN.md "Test tiers"): the invalidation side's adapters (CloudFront,
 * SQS, SSM through the secrets adapter, EventBridge), unmodified, against `moto_server` and
 * against the local cloud: same scenario, same observable result (ids aside), where moto is
 * faithful; one "moto differs: …" test per gap where it is not (AWS-FACTS.md).
 */
import {
  CloudFrontClient,
  CreateDistributionCommand,
  type DistributionConfig,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { clientConfig, useLocalCloud, useMoto } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { createCloudFrontAdapter } from '../../../shared/aws/cloudfront.ts';
import { createEventsAdapter } from '../../../shared/aws/events.ts';
import { createSecretsAdapter } from '../../../shared/aws/secrets.ts';
import { createQueueAdapter } from '../../../shared/aws/sqs.ts';
import type { CloudFrontPort } from '../../../shared/invalidation-service/ports/cloudfront.ts';

const REGION = 'eu-west-1';

const moto = useMoto();
const local = useLocalCloud({ clock: { speed: 0 } });

type BackendName = 'moto' | 'local cloud';
const BACKENDS: BackendName[] = ['moto', 'local cloud'];

const urlOf = (name: BackendName) => (name === 'moto' ? moto().url : local().url);
const config = (name: BackendName) => ({ ...clientConfig(urlOf(name), REGION), maxAttempts: 1 });

const distributionConfig = (callerReference: string): DistributionConfig => ({
  CallerReference: callerReference,
  Comment: 'conformance',
  Enabled: true,
  DefaultRootObject: 'index.html',
  Origins: {
    Quantity: 1,
    Items: [
      {
        Id: 'site',
        DomainName: 'site.s3.eu-west-1.amazonaws.com',
        OriginPath: '/site',
        S3OriginConfig: { OriginAccessIdentity: '' },
      },
    ],
  },
  DefaultCacheBehavior: { TargetOriginId: 'site', ViewerProtocolPolicy: 'redirect-to-https' },
});

/** A distribution made with CreateDistribution, and the adapter (polling every 10 ms) over the same client. */
const cloudFront = async (name: BackendName) => {
  const client = new CloudFrontClient(config(name));
  const { Distribution } = await client.send(
    new CreateDistributionCommand({ DistributionConfig: distributionConfig(`conformance-${name}`) }),
  );
  const distributionId = Distribution?.Id ?? '';
  const adapter: CloudFrontPort = createCloudFrontAdapter({ client, pageSize: 2, pollIntervalMs: 10 });
  return { client, distributionId, adapter };
};

describe('invalidation adapters: moto and the local cloud agree', () => {
  it.each(BACKENDS)(
    'AWS-FACTS CloudFront: CreateInvalidation on a CreateDistribution distribution returns an id; GetInvalidation returns its CallerReference and paths; ListInvalidations lists each once (%s)',
    async (name) => {
      // Prepare
      const { client, distributionId, adapter } = await cloudFront(name);
      const batches = [
        { callerReference: 'deploy-1', paths: ['/index.html', '/docs/*'] },
        { callerReference: 'deploy-2', paths: ['/a%20b.html'] },
        { callerReference: 'deploy-3', paths: ['/app.js', '/app.css', '/'] },
      ];
      // Act
      const created = [];
      for (const batch of batches)
        created.push(await adapter.createInvalidation({ distributionId, ...batch }));
      const read = await Promise.all(created.map((c) => adapter.getInvalidation(distributionId, c.id ?? '')));
      const listed = await client.send(new ListInvalidationsCommand({ DistributionId: distributionId }));
      // Assess
      expect(distributionId).toMatch(/^[A-Z0-9]+$/);
      for (const c of created) expect(c.id).toMatch(/^[A-Z0-9]+$/);
      expect(new Set(created.map((c) => c.id)).size).toBe(3);
      expect(read.map((r) => ({ callerReference: r.callerReference, paths: r.paths }))).toEqual(batches);
      expect((listed.InvalidationList?.Items ?? []).map((i) => i.Id).sort()).toEqual(
        created.map((c) => c.id).sort(),
      );
    },
  );

  it.each(BACKENDS)(
    'AWS-FACTS CloudFront: an unknown distribution is NoSuchDistribution (%s)',
    async (name) => {
      // Prepare
      const { adapter } = await cloudFront(name);
      // Act
      const attempt = adapter.createInvalidation({
        distributionId: 'E0000000000000',
        callerReference: 'r',
        paths: ['/x'],
      });
      // Assess
      await expect(attempt).rejects.toMatchObject({ name: 'NoSuchDistributionError' });
    },
  );

  it.each(BACKENDS)(
    'SQS adapter: a message without delay is received at once with its JSON body; a delayed one (clamped to 900 s) is held back (%s)',
    async (name) => {
      // Prepare
      const sqs = new SQSClient(config(name));
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'shipyard-deferred' }));
      const queue = createQueueAdapter({ client: sqs, queueUrl: QueueUrl ?? '' });
      // Act
      const now = await queue.send({ distributionId: 'E1', paths: ['/a'] }, 0);
      const later = await queue.send({ distributionId: 'E1', paths: ['/b'] }, 5_000);
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }),
      );
      // Assess
      expect(now.messageId).not.toBe('');
      expect(later.messageId).not.toBe(now.messageId);
      expect((received.Messages ?? []).map((m) => [m.MessageId, JSON.parse(m.Body ?? '')])).toEqual([
        [now.messageId, { distributionId: 'E1', paths: ['/a'] }],
      ]);
      expect(attributes.Attributes?.ApproximateNumberOfMessagesDelayed).toBe('1');
    },
  );

  it.each(BACKENDS)(
    'secrets adapter: an SSM SecureString is read decrypted; a missing parameter is SecretUnavailableError naming ParameterNotFound (%s)',
    async (name) => {
      // Prepare
      const ssmClient = new SSMClient(config(name));
      await ssmClient.send(
        new PutParameterCommand({
          Name: '/shipyard/github-webhook',
          Value: 'hunter2-webhook',
          Type: 'SecureString',
        }),
      );
      const secrets = createSecretsAdapter({ ssmClient });
      // Act
      const value = await secrets.get({ ssmParameter: '/shipyard/github-webhook' });
      const missing = secrets.get({ ssmParameter: '/shipyard/nope' });
      // Assess
      expect(value).toBe('hunter2-webhook');
      await expect(missing).rejects.toMatchObject({
        name: 'SecretUnavailableError',
        message: 'webhook secret ssm:/shipyard/nope is unavailable: ParameterNotFound',
      });
    },
  );

  it.each(BACKENDS)(
    'events adapter: PutEvents on the default bus returns one event id per entry (%s)',
    async (name) => {
      // Prepare
      const events = createEventsAdapter({ client: new EventBridgeClient(config(name)) });
      // Act
      const out = await events.publish([
        { source: 'shipyard.invalidation', detailType: 'Invalidation Created', detail: { id: 'I1' } },
        { source: 'shipyard.invalidation', detailType: 'Invalidation Deferred', detail: { id: 'I2' } },
      ]);
      // Assess
      expect(out.eventIds).toHaveLength(2);
      expect(new Set(out.eventIds).size).toBe(2);
      for (const id of out.eventIds) expect(id).not.toBe('');
    },
  );
});

describe('CloudFront: where moto differs from AWS (and the local cloud follows AWS)', () => {
  it("moto differs: an invalidation is 'COMPLETED' at once (AWS-FACTS CloudFront: exact strings 'InProgress' then 'Completed') — the adapter, reading AWS's strings, counts it in flight forever", async () => {
    // Prepare
    const m = await cloudFront('moto');
    const l = await cloudFront('local cloud');
    const create = (c: typeof m) =>
      c.adapter.createInvalidation({
        distributionId: c.distributionId,
        callerReference: 'r1',
        paths: ['/docs/*'],
      });
    const [mc, lc] = [await create(m), await create(l)];
    const status = async (c: typeof m, id: string | undefined) =>
      (await c.client.send(new GetInvalidationCommand({ DistributionId: c.distributionId, Id: id ?? '' })))
        .Invalidation?.Status;
    // Act
    const motoWire = await status(m, mc.id);
    const motoUsage = await m.adapter.inFlightUsage(m.distributionId);
    const localBefore = await status(l, lc.id);
    local().cloud.clock.advance(3_600_000);
    const localAfter = await status(l, lc.id);
    const localUsage = await l.adapter.inFlightUsage(l.distributionId);
    // Assess
    expect(motoWire).toBe('COMPLETED');
    expect(motoUsage).toMatchObject({ files: 0, wildcards: 1 });
    expect([localBefore, localAfter]).toEqual(['InProgress', 'Completed']);
    expect(localUsage).toMatchObject({ files: 0, wildcards: 0 });
  });

  it('moto differs: CallerReference is not an idempotency key (AWS-FACTS CloudFront: same reference + same paths → the existing invalidation; different paths → InvalidationBatchAlreadyExists)', async () => {
    // Prepare
    const replay = async (c: Awaited<ReturnType<typeof cloudFront>>) => {
      const batch = { distributionId: c.distributionId, callerReference: 'deploy-42', paths: ['/a.html'] };
      const first = await c.adapter.createInvalidation(batch);
      const again = await c.adapter.createInvalidation(batch);
      const changed = await c.adapter.createInvalidation({ ...batch, paths: ['/b.html'] }).then(
        (r) => r.id ?? '',
        (e: Error) => e.name,
      );
      return { sameId: first.id === again.id, changed };
    };
    // Act
    const [m, l] = [await replay(await cloudFront('moto')), await replay(await cloudFront('local cloud'))];
    // Assess
    expect(m.sameId).toBe(false);
    expect(m.changed).toMatch(/^[A-Z0-9]+$/);
    expect(l).toEqual({ sameId: true, changed: 'InvalidationBatchAlreadyExistsError' });
  });

  it('moto differs: TooManyInvalidationsInProgress is never raised (AWS-FACTS CloudFront: at most 15 wildcard paths in progress per distribution)', async () => {
    // Prepare
    const flood = async (c: Awaited<ReturnType<typeof cloudFront>>) => {
      for (let i = 0; i < 15; i++)
        await c.adapter.createInvalidation({
          distributionId: c.distributionId,
          callerReference: `w-${i}`,
          paths: [`/dir-${i}/*`],
        });
      return c.adapter
        .createInvalidation({
          distributionId: c.distributionId,
          callerReference: 'w-15',
          paths: ['/dir-15/*'],
        })
        .then(
          () => 'accepted',
          (e: Error) => e.name,
        );
    };
    // Act
    const [m, l] = [await flood(await cloudFront('moto')), await flood(await cloudFront('local cloud'))];
    // Assess
    expect(m).toBe('accepted');
    expect(l).toBe('TooManyInvalidationsInProgressError');
  });

  it('moto differs: ListInvalidations ignores MaxItems (AWS-FACTS CloudFront: paged with Marker/MaxItems)', async () => {
    // Prepare
    const firstPage = async (c: Awaited<ReturnType<typeof cloudFront>>) => {
      for (let i = 0; i < 3; i++)
        await c.adapter.createInvalidation({
          distributionId: c.distributionId,
          callerReference: `p-${i}`,
          paths: [`/p-${i}.html`],
        });
      const page = await c.client.send(
        new ListInvalidationsCommand({ DistributionId: c.distributionId, MaxItems: 2 }),
      );
      return { items: page.InvalidationList?.Items?.length, truncated: page.InvalidationList?.IsTruncated };
    };
    // Act
    const [m, l] = [
      await firstPage(await cloudFront('moto')),
      await firstPage(await cloudFront('local cloud')),
    ];
    // Assess
    expect(m).toEqual({ items: 3, truncated: false });
    expect(l).toEqual({ items: 2, truncated: true });
  });
});

describe('EventBridge: where moto differs from AWS (and the local cloud follows AWS)', () => {
  it('moto differs: PutEvents accepts a reserved aws.* source (PutEvents API reference: the entry fails with NotAuthorizedForSourceException) — the adapter raises EventPublishError only on the local cloud', async () => {
    // Prepare
    const publish = (name: BackendName) =>
      createEventsAdapter({ client: new EventBridgeClient(config(name)) })
        .publish([{ source: 'aws.s3', detailType: 'Deployment Completed', detail: {} }])
        .then(
          (r) => `published ${r.eventIds.length}`,
          (e: Error) => `${e.name}: ${e.message}`,
        );
    // Act
    const [m, l] = [await publish('moto'), await publish('local cloud')];
    // Assess
    expect(m).toBe('published 1');
    expect(l).toBe(
      'EventPublishError: EventBridge rejected 1 event: NotAuthorizedForSourceException: Not authorized for the source.',
    );
  });
});
