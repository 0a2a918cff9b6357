import * as z from 'zod';
import { createCloudFrontAdapter } from '../aws/cloudfront.ts';
import { createEventsAdapter } from '../aws/events.ts';
import { createS3OnceMarkers } from '../aws/s3-once-markers.ts';
import { createQueueAdapter } from '../aws/sqs.ts';
import type { FreshnessPorts } from '../invalidation-service/freshness.ts';
import type { Logger } from '../logging/logger.ts';
import type { MetricsRecorder } from '../logging/metrics.ts';
import type { Observability } from './handler.ts';

/** What the freshness checker reads from its environment (serverless/functions-invalidation.yml). */
export const freshnessEnv = z.object({
  SHIPYARD_FRESHNESS_QUEUE_URL: z.url('the URL of the invalidation freshness queue is required'),
  /** Holds the once-markers of the published events (under invalidation-events/). */
  SHIPYARD_LEDGER_BUCKET: z.string().min(3, 'the name of the path ledger bucket is required'),
  /** The bus of the Invalidation Completed / Slow events; default: the account's default bus. */
  SHIPYARD_EVENT_BUS: z.string().min(1).optional(),
});

export interface FreshnessDeps extends FreshnessPorts {
  logger: Logger;
  metrics: MetricsRecorder;
}

export const freshnessDeps = (
  env: z.infer<typeof freshnessEnv>,
  { logger, metrics }: Observability,
): FreshnessDeps => ({
  logger,
  metrics,
  cloudFront: createCloudFrontAdapter(),
  events: createEventsAdapter(),
  ...(env.SHIPYARD_EVENT_BUS ? { eventBusName: env.SHIPYARD_EVENT_BUS } : {}),
  once: createS3OnceMarkers({ bucket: env.SHIPYARD_LEDGER_BUCKET }),
  queue: createQueueAdapter({ queueUrl: env.SHIPYARD_FRESHNESS_QUEUE_URL }),
  now: Date.now,
});
