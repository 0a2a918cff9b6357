import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { RunningLocalCloud } from '@shipyard/local-cloud';
import { clientConfig } from '@shipyard/local-cloud/testing';
import { createCloudFrontAdapter } from '../../../shared/aws/cloudfront.ts';
import { createS3InventoryAdapter } from '../../../shared/aws/s3-inventory.ts';
import { createQueueAdapter } from '../../../shared/aws/sqs.ts';
import { type Site, type SiteInput, SiteSchema } from '../../../shared/config/sites.ts';
import type { InvalidationDeps } from '../../../shared/invalidation-service/runtime.ts';
import { createLogger } from '../../../shared/logging/logger.ts';
import { createMemoryMetrics } from '../../../shared/logging/metrics.ts';

export const WEB_DIST = 'E2QWRUHAPOMQZL';
export const WEB_DIST_2 = 'E3SECONDDIST0B';
export const DOCS_DIST = 'E1DOCS0000000A';

export const sites = (): Site[] =>
  [
    {
      name: 'web',
      bucket: 'web-bucket',
      keyPrefix: 'site/',
      distributionIds: [WEB_DIST, WEB_DIST_2],
      broadPaths: ['/*'],
      repo: {
        fullName: 'acme/web',
        branch: 'main',
        pathPrefix: 'public/',
        webhookSecret: { ssmParameter: '/shipyard/github-webhook' },
      },
    },
    { name: 'docs', bucket: 'docs-bucket', distributionIds: [DOCS_DIST], broadPaths: ['/docs/*'] },
  ].map((s: SiteInput) => SiteSchema.parse(s));

/** Distributions of the test sites, with the origin paths the site key prefixes stand for. */
export const seedDistributions = (local: RunningLocalCloud) =>
  local.control.seed({
    cloudfront: {
      distributions: [
        {
          id: WEB_DIST,
          origins: [{ id: 's3', domainName: 'web-bucket.s3.amazonaws.com', originPath: '/site' }],
        },
        {
          id: WEB_DIST_2,
          origins: [{ id: 's3', domainName: 'web-bucket.s3.amazonaws.com', originPath: '/site' }],
        },
        { id: DOCS_DIST, origins: [{ id: 's3', domainName: 'docs-bucket.s3.amazonaws.com' }] },
      ],
    },
  });

const DEFERRED_QUEUE = 'shipyard-deferred-invalidations';

/**
 * Real adapters over HTTP against the local cloud; logs silenced unless a test captures them;
 * metrics kept in memory (`deps.metrics.recorded`).
 */
export const makeDeps = async (local: RunningLocalCloud) => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const sqs = new SQSClient(clientConfig(local.url));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: DEFERRED_QUEUE }));
  const queueUrl = QueueUrl ?? '';
  return {
    sites: sites(),
    logger: createLogger('shipyard-test'),
    metrics: createMemoryMetrics(),
    inventory: createS3InventoryAdapter({
      client: new S3Client({ ...clientConfig(local.url), maxAttempts: 2 }),
    }),
    cloudFront: createCloudFrontAdapter({
      client: new CloudFrontClient({ ...clientConfig(local.url), maxAttempts: 4 }),
      pollIntervalMs: 1_000,
    }),
    deferrals: createQueueAdapter({ client: sqs, queueUrl }),
    sqs,
    queueUrl,
  } satisfies InvalidationDeps & { sqs: SQSClient; queueUrl: string };
};

/** Receives and deletes what is visible, as Lambda's event source mapping does after a success. */
export const receiveAll = async (sqs: SQSClient, queueUrl: string) => {
  const messages =
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }))).Messages ??
    [];
  for (const m of messages)
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
  return messages;
};

interface CloudFrontDump {
  cloudfront: {
    distributions: {
      id: string;
      invalidations: { id: string; callerReference: string; status: string; paths: { path: string }[] }[];
    }[];
  };
}

/** Invalidations per distribution id, from the local cloud's state dump. */
export const invalidationsOf = async (local: RunningLocalCloud, distributionId: string) => {
  const state = await local.control.state<CloudFrontDump>();
  return state.cloudfront.distributions.find((d) => d.id === distributionId)?.invalidations ?? [];
};

export const pathsBilled = async (local: RunningLocalCloud): Promise<number> =>
  (await local.control.counters()).tallies['cloudfront.pathsBilled'] ?? 0;

export const createInvalidationCalls = async (local: RunningLocalCloud): Promise<number> =>
  (await local.control.counters()).calls
    .filter((c) => c.service === 'cloudfront' && c.action === 'CreateInvalidation')
    .reduce((n, c) => n + c.count, 0);

export const s3Message = (
  messageId: string,
  bucket: string,
  key: string,
  eventName = 'ObjectCreated:Put',
) => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body: JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventName,
        s3: { bucket: { name: bucket }, object: { key, sequencer: '0055AED6DCD90281E5' } },
      },
    ],
  }),
  attributes: {},
  messageAttributes: {},
  eventSource: 'aws:sqs',
});

/** An EventBridge `shipyard` / `Deployment Completed` event as the rule delivers it. */
export const deployEvent = (detail: Record<string, unknown>, overrides: Record<string, unknown> = {}) => ({
  version: '0',
  id: 'evt-1',
  'detail-type': 'Deployment Completed',
  source: 'shipyard',
  account: '123456789012',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
  ...overrides,
});
