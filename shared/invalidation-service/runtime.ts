import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { createCloudFrontAdapter } from '../aws/cloudfront.ts';
import { createS3PathLedger } from '../aws/s3-ledger.ts';
import { createQueueAdapter } from '../aws/sqs.ts';
import { ConfigError, type ConfigProblem } from '../config/errors.ts';
import { parseConfig } from '../config/load.ts';
import { resolveConfigPath } from '../config/path.ts';
import type { ShipyardConfig } from '../config/schema.ts';
import type { Site } from '../config/sites.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { createMetrics, type MetricsRecorder } from '../logging/metrics.ts';
import type { SubmitPorts } from './submit.ts';

/**
 * Environment of the invalidation functions. Read once per cold start; every problem is
 * reported at once (ConfigError with source "environment").
 */
const InvalidationEnvSchema = z.object({
  SHIPYARD_CONFIG_FILE: z.string().min(1, 'the path of the Shipyard config file is required'),
  SHIPYARD_DEFERRED_QUEUE_URL: z.url('the URL of the deferred-invalidations queue is required'),
  /** The bucket of the monthly path ledger; without it plans are not paced against the budget. */
  SHIPYARD_LEDGER_BUCKET: z.string().min(3).optional(),
});

const readEnvironment = <T>(schema: z.ZodType<T>, env: NodeJS.ProcessEnv = process.env): T => {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems: ConfigProblem[] = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new ConfigError('environment', problems);
};

/** The config file the environment names. */
const loadConfig = (file: string): ShipyardConfig => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      file,
      [{ path: '', message: `cannot read the config file (${(error as NodeJS.ErrnoException).code})` }],
      {
        cause: error,
      },
    );
  }
  return parseConfig(text, file);
};

/** What every invalidation handler needs. */
export interface InvalidationDeps extends SubmitPorts {
  sites: Site[];
  logger: Logger;
  metrics: MetricsRecorder;
}

/** Default dependencies from the environment (AWS_ENDPOINT_URL points the SDK at a local cloud). */
export const defaultInvalidationDeps = (
  serviceName: string,
  env: NodeJS.ProcessEnv = process.env,
): InvalidationDeps => {
  const { SHIPYARD_CONFIG_FILE, SHIPYARD_DEFERRED_QUEUE_URL, SHIPYARD_LEDGER_BUCKET } = readEnvironment(
    InvalidationEnvSchema,
    env,
  );
  const config = loadConfig(resolveConfigPath(SHIPYARD_CONFIG_FILE, env));
  const cloudFront = createCloudFrontAdapter();
  return {
    sites: config.sites,
    logger: createLogger(serviceName),
    metrics: createMetrics(),
    cloudFront,
    deferrals: createQueueAdapter({ queueUrl: SHIPYARD_DEFERRED_QUEUE_URL }),
    ...(SHIPYARD_LEDGER_BUCKET
      ? {
          pathBudget: {
            ledger: createS3PathLedger({ bucket: SHIPYARD_LEDGER_BUCKET }),
            accountCap: config.invalidationAccount.monthlyPathCap,
            distributionIds: config.sites.flatMap((s) => s.distributionIds),
            history: cloudFront,
            now: Date.now,
          },
        }
      : {}),
  };
};

/** Keeps a safety margin of the Lambda's remaining time for logging and the response. */
const SAFETY_MARGIN_MS = 5_000;

/** The wait for completion a handler can afford: the site's setting, bounded by the remaining time. */
export const waitBudgetSeconds = (site: Site, remainingMs?: number): number => {
  const wanted = site.invalidation.waitForCompletionSeconds;
  if (remainingMs === undefined) return wanted;
  return Math.max(0, Math.min(wanted, Math.floor((remainingMs - SAFETY_MARGIN_MS) / 1000)));
};

/**
 * Builds the default deps once per container, on first use: importing a handler module (tests,
 * bundler analysis) never reads the environment, and a bad environment fails the first
 * invocation with every problem listed.
 */
export const lazy = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
};
