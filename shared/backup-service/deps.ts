/**
 * What every backup handler needs, injected (`makeHandler(deps)`); the Lambda functions build
 * it once per container (shared/lambda/backup-deps.ts). Tests pass ports pointing at the local
 * cloud and the local cloud's simulated clock.
 */

import type { Logger } from '../logging/logger.ts';
import type { MetricsRecorder } from '../logging/metrics.ts';
import type { DeployedPolicies } from './deployed-policies.ts';
import type { KeyManagerFactory } from './key-manager.ts';
import type { Ec2PortFactory } from './ports/ec2.ts';
import type { EventWaits } from './ports/event-waits.ts';
import type { VerificationStore } from './ports/verification.ts';
import type { RunFiles } from './run-files.ts';
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
  /** The run's files in the results bucket: the Map's items and results, the full summary. */
  runFiles: RunFiles;
  /** Restore-test results (rotation keeps the newest verified backup); omitted: none count. */
  verifications?: Pick<VerificationStore, 'results'>;
  /** EMF metrics (BackupsSucceeded/BackupsFailed per policy, AmiCopyDuration per region); tests may omit it. */
  metrics?: MetricsRecorder;
  /** Parked task tokens and SendTask* (the waiting steps and the event handler); omitted: those steps refuse a token. */
  waits?: EventWaits;
  /** KMS per region (ShareImage: is a snapshot's key aws/ebs?); without it AWS's refusal reports it. */
  kms?: KeyManagerFactory;
}

/** Backup metrics (BackupTargetsFailedAlarm watches BackupsFailed service-wide). */
export const BackupMetric = {
  Succeeded: 'BackupsSucceeded',
  Failed: 'BackupsFailed',
  CopyDuration: 'AmiCopyDuration',
} as const;

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
