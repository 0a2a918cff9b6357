import * as z from 'zod';
import { createCloudFrontAdapter } from '../aws/cloudfront.ts';
import { createS3PathLedger } from '../aws/s3-ledger.ts';
import { createS3ObjectMetadata } from '../aws/s3-object-metadata.ts';
import { createQueueAdapter } from '../aws/sqs.ts';
import type { InvalidationDeps } from '../invalidation-service/runtime.ts';
import { configFileEnv, readPackagedConfig } from './environment.ts';
import type { Observability } from './handler.ts';

/** What the invalidation functions read from their environment (serverless/functions-invalidation.yml). */
export const invalidationEnv = configFileEnv.extend({
  SHIPYARD_DEFERRED_QUEUE_URL: z.url('the URL of the deferred-invalidations queue is required'),
  /** The bucket of the monthly path ledger; without it plans are not paced against the budget. */
  SHIPYARD_LEDGER_BUCKET: z.string().min(3, 'the name of the path ledger bucket').optional(),
  /** The completion-watch queue; without it no Invalidation Completed / Slow events are published. */
  SHIPYARD_FRESHNESS_QUEUE_URL: z.url('the URL of the invalidation freshness queue').optional(),
});

/**
 * The sites of the packaged config, CloudFront, the deferred queue and, when the stack has a
 * ledger bucket, the monthly path budget (AWS_ENDPOINT_URL points the SDK at a local cloud).
 */
export const invalidationDeps = (
  env: z.infer<typeof invalidationEnv>,
  { logger, metrics }: Observability,
): InvalidationDeps => {
  const config = readPackagedConfig(env);
  const cloudFront = createCloudFrontAdapter();
  return {
    sites: config.sites,
    logger,
    metrics,
    cloudFront,
    objectMetadata: createS3ObjectMetadata(),
    deferrals: createQueueAdapter({ queueUrl: env.SHIPYARD_DEFERRED_QUEUE_URL }),
    ...(env.SHIPYARD_FRESHNESS_QUEUE_URL
      ? {
          freshness: {
            queue: createQueueAdapter({ queueUrl: env.SHIPYARD_FRESHNESS_QUEUE_URL }),
            now: Date.now,
          },
        }
      : {}),
    ...(env.SHIPYARD_LEDGER_BUCKET
      ? {
          pathBudget: {
            ledger: createS3PathLedger({ bucket: env.SHIPYARD_LEDGER_BUCKET }),
            accountCap: config.invalidationAccount.monthlyPathCap,
            distributionIds: config.sites.flatMap((s) => s.distributionIds),
            history: cloudFront,
            now: Date.now,
          },
        }
      : {}),
  };
};
