import * as z from 'zod';
import { createVerificationAlarms } from '../aws/cloudwatch.ts';
import { createEc2PortFactory } from '../aws/ec2.ts';
import { createVerificationEc2Factory } from '../aws/ec2-verification.ts';
import { createKeyManagerFactory } from '../aws/kms.ts';
import { createS3CopyQueue } from '../aws/s3-copy-queue.ts';
import { createS3EventWaits } from '../aws/s3-event-waits.ts';
import { createS3RunFiles } from '../aws/s3-run-files.ts';
import { createS3RunRecords } from '../aws/s3-run-records.ts';
import { createS3VerificationStore } from '../aws/s3-verification-store.ts';
import { createSfnTaskCallbacks } from '../aws/sfn-task-tokens.ts';
import { createProbeCommands } from '../aws/ssm-commands.ts';
import { createManagedInstances } from '../aws/ssm-instances.ts';
import { type DeployedPolicies, deployedPoliciesOf } from '../backup-service/deployed-policies.ts';

import type { BackupDeps } from '../backup-service/deps.ts';
import type { RunFiles } from '../backup-service/run-files.ts';
import type { RunRecords } from '../backup-service/run-records.ts';
import type { VerificationRoundDeps } from '../backup-service/verify-rounds.ts';
import { ConfigError } from '../config/errors.ts';
import { type ConfigFileEnv, configFileEnv, readPackagedConfig } from './environment.ts';
import type { Observability } from './handler.ts';

/** EC2 SDK retries: standard mode retries throttling and 5xx; the workflow's Retry backs off beyond that. */
const EC2_MAX_ATTEMPTS = 4;

/** What every backup function reads from its environment (serverless/functions-backup.yml). */
export const backupEnv = configFileEnv;

/** The functions that read or write run records also get the bucket's name. */
export const backupRunsEnv = configFileEnv.extend({
  SHIPYARD_BACKUP_RUNS_BUCKET: z.string().min(3, 'the name of the backup run records bucket is required'),
});

/**
 * DiscoverTargets and Summarize also get the results bucket (the Map's items and results), the
 * waiting steps and ResumeWait too (the parked task tokens under `waits/`).
 */
const resultsBucketEnv = {
  SHIPYARD_BACKUP_RESULTS_BUCKET: z.string().min(3, 'the name of the backup results bucket is required'),
};
export const backupResultsEnv = backupEnv.extend(resultsBucketEnv);
export const backupRunsResultsEnv = backupRunsEnv.extend(resultsBucketEnv);

/** The policies of the config file packaged with the function. */
export const packagedPolicies = (env: ConfigFileEnv): DeployedPolicies =>
  deployedPoliciesOf(readPackagedConfig(env).backupPolicies);

/** A function without the bucket in its environment never touches run records: any use is a wiring error. */
const noRunRecords = (): Promise<never> =>
  Promise.reject(
    new ConfigError('environment', [
      { path: 'SHIPYARD_BACKUP_RUNS_BUCKET', message: 'this function has no run records bucket' },
    ]),
  );

/** A function without the results bucket in its environment never touches run files. */
const noRunFilesError = () =>
  new ConfigError('environment', [
    { path: 'SHIPYARD_BACKUP_RESULTS_BUCKET', message: 'this function has no backup results bucket' },
  ]);
const noRunFiles: RunFiles = {
  putJson: () => Promise.reject(noRunFilesError()),
  getJson: () => Promise.reject(noRunFilesError()),
  bucket: () => {
    throw noRunFilesError();
  },
};

/**
 * Production dependencies of a backup step: SDK clients per region (endpoint from
 * `AWS_ENDPOINT_URL*` when set, as the SDK reads it), the system clock, the packaged policies
 * and the run records bucket.
 */
export const backupDeps = (
  env: ConfigFileEnv & { SHIPYARD_BACKUP_RUNS_BUCKET?: string; SHIPYARD_BACKUP_RESULTS_BUCKET?: string },
  { logger, metrics }: Observability,
): BackupDeps => {
  const bucket = env.SHIPYARD_BACKUP_RUNS_BUCKET;
  const runRecords: RunRecords =
    bucket === undefined
      ? { record: noRunRecords, recordedRunIds: noRunRecords }
      : createS3RunRecords({ bucket });
  return {
    ec2: createEc2PortFactory({ clientConfig: { maxAttempts: EC2_MAX_ATTEMPTS, retryMode: 'standard' } }),
    logger,
    now: () => new Date(),
    policies: packagedPolicies(env),
    runRecords,
    ...(bucket === undefined ? {} : { verifications: createS3VerificationStore({ bucket }) }),
    runFiles:
      env.SHIPYARD_BACKUP_RESULTS_BUCKET === undefined
        ? noRunFiles
        : createS3RunFiles({ bucket: env.SHIPYARD_BACKUP_RESULTS_BUCKET }),
    // The waiting steps and ResumeWait park and find task tokens in the results bucket.
    ...(env.SHIPYARD_BACKUP_RESULTS_BUCKET === undefined
      ? {}
      : {
          waits: {
            store: createS3EventWaits({ bucket: env.SHIPYARD_BACKUP_RESULTS_BUCKET }),
            callbacks: createSfnTaskCallbacks(),
            queue: createS3CopyQueue({ bucket: env.SHIPYARD_BACKUP_RESULTS_BUCKET }),
          },
        }),
    metrics,
    kms: createKeyManagerFactory({ clientConfig: { maxAttempts: EC2_MAX_ATTEMPTS, retryMode: 'standard' } }),
  };
};

/** The verification functions: the run records bucket (results, launches) and the stack's region (its alarm). */
export const verificationEnv = backupRunsEnv.extend({
  AWS_REGION: z.string().min(1, 'the region of the stack (set by Lambda) is required'),
});

/** The policies' restore verification over the real adapters (the sweep's included). */
export const verificationDeps = (
  env: z.infer<typeof verificationEnv>,
): VerificationRoundDeps & { policies: DeployedPolicies } => {
  const clientConfig = { maxAttempts: EC2_MAX_ATTEMPTS, retryMode: 'standard' } as const;
  const ec2 = createVerificationEc2Factory({ clientConfig });
  const store = createS3VerificationStore({ bucket: env.SHIPYARD_BACKUP_RUNS_BUCKET });
  const runRecords = createS3RunRecords({ bucket: env.SHIPYARD_BACKUP_RUNS_BUCKET });
  const now = () => new Date();
  return {
    ec2,
    ssm: createManagedInstances({ config: clientConfig }),
    commands: createProbeCommands({ config: clientConfig }),
    store,
    alarms: createVerificationAlarms({ region: env.AWS_REGION, config: clientConfig }),
    recordedRunIds: (policy) => runRecords.recordedRunIds(policy),
    now,
    sweep: { ec2, store, now },
    policies: packagedPolicies(env),
  };
};
