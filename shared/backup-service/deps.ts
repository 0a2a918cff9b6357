/**
 * What every backup handler needs, injected (`makeHandler(deps)`), built once per Lambda
 * container by default. Tests pass ports pointing at the local cloud and the local
 * cloud's simulated clock.
 */

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { createEc2PortFactory } from '../aws/ec2.ts';
import type { Ec2PortFactory } from '../aws/ec2-port.ts';
import { createS3RunRecords } from '../aws/s3-run-records.ts';
import { createS3VerificationStore } from '../aws/s3-verification-store.ts';
import { ConfigError } from '../config/errors.ts';
import { parseConfig } from '../config/load.ts';
import { resolveConfigPath } from '../config/path.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { createMetrics, type MetricsRecorder } from '../logging/metrics.ts';
import { type DeployedPolicies, deployedPoliciesOf } from './deployed-policies.ts';
import type { VerificationStore } from './ports/verification.ts';
import type { RunRecords } from './run-records.ts';

/** The logging surface the handlers use (Powertools' Logger; tests pass a silent one). */
export type BackupLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface BackupDeps {
  ec2: Ec2PortFactory;
  logger: BackupLogger;
  /** The clock (durations, wait loops); the domain never reads it itself. */
  now: () => Date;
  /** The deployed policies (the packaged config file): what every step obeys. */
  policies: DeployedPolicies;
  /** Where runs are recorded (create-only) and which run ids were. */
  runRecords: RunRecords;
  /** Restore-test results (rotation keeps the newest verified backup); omitted: none count. */
  verifications?: Pick<VerificationStore, 'results'>;
  /** EMF metrics (BackupsSucceeded/BackupsFailed per policy, AmiCopyDuration per region); tests may omit it. */
  metrics?: MetricsRecorder;
}

/** Backup metrics (BackupTargetsFailedAlarm watches BackupsFailed service-wide). */
export const BackupMetric = {
  Succeeded: 'BackupsSucceeded',
  Failed: 'BackupsFailed',
  CopyDuration: 'AmiCopyDuration',
} as const;

/** EC2 SDK retries: standard mode retries throttling and 5xx; the workflow's Retry backs off beyond that. */
const EC2_MAX_ATTEMPTS = 4;

/** What the backup functions read from their environment (serverless/functions-backup.yml). */
const BackupEnvSchema = z.object({
  SHIPYARD_CONFIG_FILE: z.string().min(1, 'the path of the packaged Shipyard config file is required'),
});
const RunsBucketEnvSchema = z.object({
  SHIPYARD_BACKUP_RUNS_BUCKET: z.string().min(3, 'the name of the backup run records bucket is required'),
});

const readEnv = <T>(schema: z.ZodType<T>, env: NodeJS.ProcessEnv): T => {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    'environment',
    parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  );
};

/** The policies of the config file packaged with the function, read once on first use. */
export function packagedPolicies(env: NodeJS.ProcessEnv = process.env): DeployedPolicies {
  let loaded: DeployedPolicies | undefined;
  const load = (): DeployedPolicies => {
    if (loaded !== undefined) return loaded;
    const file = resolveConfigPath(readEnv(BackupEnvSchema, env).SHIPYARD_CONFIG_FILE, env);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(file, [{ path: '', message: `cannot read the config file (${code})` }], {
        cause: error,
      });
    }
    loaded = deployedPoliciesOf(parseConfig(text, file).backupPolicies);
    return loaded;
  };
  return { find: (name) => load().find(name), names: () => load().names() };
}

/** Run records in the stack's bucket, the bucket name read on first use. */
function environmentRunRecords(env: NodeJS.ProcessEnv = process.env): RunRecords {
  let records: RunRecords | undefined;
  const get = (): RunRecords => {
    records ??= createS3RunRecords({ bucket: readEnv(RunsBucketEnvSchema, env).SHIPYARD_BACKUP_RUNS_BUCKET });
    return records;
  };
  return {
    record: (record) => get().record(record),
    recordedRunIds: (policy) => get().recordedRunIds(policy),
  };
}

/** Verification results in the run records bucket, the bucket name read on first use. */
function environmentVerifications(env: NodeJS.ProcessEnv = process.env): Pick<VerificationStore, 'results'> {
  let store: VerificationStore | undefined;
  return {
    results: (region) => {
      store ??= createS3VerificationStore({
        bucket: readEnv(RunsBucketEnvSchema, env).SHIPYARD_BACKUP_RUNS_BUCKET,
      });
      return store.results(region);
    },
  };
}

/**
 * Production dependencies: SDK clients per region (endpoint from `AWS_ENDPOINT_URL*` when
 * set, as the SDK reads it), a Powertools logger, the system clock, the packaged policies and
 * the run records bucket (both read on first use: importing a handler reads no environment).
 *
 * @example
 * export const handler = makeHandler(defaultBackupDeps('backup-check-image'));
 */
export function defaultBackupDeps(step: string): BackupDeps {
  return {
    ec2: createEc2PortFactory({ clientConfig: { maxAttempts: EC2_MAX_ATTEMPTS, retryMode: 'standard' } }),
    logger: createLogger(`shipyard-${step}`),
    now: () => new Date(),
    policies: packagedPolicies(),
    runRecords: environmentRunRecords(),
    verifications: environmentVerifications(),
    metrics: createMetrics(),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: BackupLogger = { info() {}, warn() {}, error() {} };

/**
 * Ties every log line of one invocation to its backup run (`correlation_id` = run id, the
 * execution name), whatever step wrote it. Reads the raw task input defensively: it runs
 * before validation, so a malformed input is still logged, just without the keys.
 */
export function tagRunLogs(logger: BackupLogger, event: unknown): void {
  if (!('appendKeys' in logger) || typeof logger.appendKeys !== 'function') return;
  // A warm container served another run before: drop its keys first.
  if ('resetKeys' in logger && typeof logger.resetKeys === 'function') logger.resetKeys();
  const record = (value: unknown): Record<string, unknown> | undefined =>
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  const run = record(record(event)?.run);
  const runId = run?.runId ?? record(event)?.runId;
  const policy = record(run?.policy ?? record(event)?.policy)?.name;
  logger.appendKeys({
    ...(typeof runId === 'string' ? { correlation_id: runId } : {}),
    ...(typeof policy === 'string' ? { policy } : {}),
  });
}
