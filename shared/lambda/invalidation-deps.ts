import * as z from 'zod';
import { createCloudFrontAdapter } from '../aws/cloudfront.ts';
import { createQueueAdapter } from '../aws/sqs.ts';
import type { InvalidationDeps } from '../invalidation-service/runtime.ts';
import { configFileEnv, readPackagedConfig } from './environment.ts';
import type { Observability } from './handler.ts';

/** What the invalidation functions read from their environment (serverless/functions-invalidation.yml). */
export const invalidationEnv = configFileEnv.extend({
  SHIPYARD_DEFERRED_QUEUE_URL: z.url('the URL of the deferred-invalidations queue is required'),
});

/** The sites of the packaged config, CloudFront and the deferred queue (AWS_ENDPOINT_URL points the SDK at a local cloud). */
export const invalidationDeps = (
  env: z.infer<typeof invalidationEnv>,
  { logger, metrics }: Observability,
): InvalidationDeps => ({
  sites: readPackagedConfig(env).sites,
  logger,
  metrics,
  cloudFront: createCloudFrontAdapter(),
  deferrals: createQueueAdapter({ queueUrl: env.SHIPYARD_DEFERRED_QUEUE_URL }),
});
