/**
 * The backup state machine deployed INTO the local cloud: the real ASL created through
 * CreateStateMachine, every Task's Lambda registered with `registerLocalFunction` and bound
 * to its real handler (SDK clients pointing at the local cloud, the simulated clock), plus
 * the `backupStart` function the nightly schedule targets. Unlike tests/helpers/backup-workflow.ts
 * (one execution, waits collapsed), executions here run concurrently on the local cloud's
 * clock: Wait states and Retry pauses elapse in simulated time at the clock's speed, and
 * StartExecution / StopExecution / schedules behave as on AWS.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateStateMachineCommand,
  type DescribeExecutionCommandOutput,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import type { RunningLocalCloud } from '@shipyard/local-cloud';
import { registerLocalFunction } from '@shipyard/local-cloud';
import { clientConfig, LOCAL_ROLE_ARN, waitForExecution } from '@shipyard/local-cloud/testing';
import { makeHandler as makeStartHandler } from '../../functions/backup-start/handler.ts';
import type { SummarizeOutput } from '../../functions/backup-summarize/handler.ts';
import { createExecutionStarter } from '../../shared/aws/backup-executions.ts';
import { createEc2PortFactory } from '../../shared/aws/ec2.ts';
import { createSfnTaskCallbacks } from '../../shared/aws/sfn-task-tokens.ts';
import { type BackupDeps, silentLogger } from '../../shared/backup-service/deps.ts';
import type { BackupPolicy } from '../../shared/config/policies.ts';
import { handlerPathOf, loadBackupDefinition, taskFunctionKeys, withDeployedArns } from './backup-asl.ts';
import { deployed, localCopyQueue, localRunFiles, localRunRecords, localWaitStore } from './backup-deps.ts';
import { promptRetries } from './backup-workflow.ts';
import { installResumeRules } from './event-waits.ts';
import { simulatedTimeRetries } from './simulated-retries.ts';

/** Where withDeployedArns points the Tasks (its ARNs name this region). */
export const SFN_REGION = 'eu-west-1';
const START_FUNCTION = 'shipyard-dev-backupStart';

export interface DeployOptions {
  /** The deployed policies (what the packaged config holds). */
  policies: BackupPolicy[];
  /** Wraps the handlers' dependencies (e.g. a port that crashes). */
  decorateDeps?: (deps: BackupDeps) => BackupDeps;
  /** Lambda memory the functions are registered with (the bench prices GB-seconds with it). */
  memorySize?: number;
  /** Called around every handler invocation (the bench measures durations with it). */
  observe?: (functionKey: string, realMs: number, error?: unknown, output?: unknown) => void;
  /** Called for each failed EC2 attempt the SDK saw (THROTTLING, TRANSIENT, SERVER_ERROR, CLIENT_ERROR). */
  onSdkRetry?: (errorType: string) => void;
  /**
   * SDK retries back off as standard mode does, in simulated time at the clock's pace (needed
   * against request-rate throttling). Without it they are prompt.
   */
  sdkBackoffInSimulatedTime?: boolean;
}

export interface DeployedBackup {
  stateMachineArn: string;
  sfn: SFNClient;
  /** Summarize's output per run id (a failed execution's summary is only in its history). */
  summaries: Map<string, SummarizeOutput>;
  /** The backupStart handler, as the schedule invokes it. */
  start: (event: unknown) => Promise<{ name: string; kind: string; executionArn?: string }>;
  startFunctionArn: string;
  listExecutions: () => Promise<{ name: string; status: string; executionArn: string }[]>;
  /** ResumeWait's function name (EventBridge invokes it, not an execution: count it by name). */
  resumeFunction: string;
  /**
   * Follows the execution until it ends (gives up only when it stops making progress for
   * `stallMs` real ms; a fleet parked on its events is silent up to one fallback round).
   */
  wait: (executionArn: string, stallMs?: number) => Promise<DescribeExecutionCommandOutput>;
}

type Handler = (event: unknown) => Promise<unknown>;

export async function deployBackupStateMachine(
  local: RunningLocalCloud,
  options: DeployOptions,
): Promise<DeployedBackup> {
  const definition = loadBackupDefinition();
  const plain: BackupDeps = {
    ec2: createEc2PortFactory({
      clientFor: (region) =>
        new EC2Client({
          ...clientConfig(local.url, region),
          retryStrategy: options.sdkBackoffInSimulatedTime
            ? simulatedTimeRetries(4, () => local.cloud.clock.speed, options.onSdkRetry)
            : promptRetries(4, options.onSdkRetry),
        }),
    }),
    logger: silentLogger,
    now: () => new Date(local.cloud.now()),
    policies: deployed(...options.policies),
    runRecords: localRunRecords(() => local),
    runFiles: localRunFiles(() => local),
    waits: {
      store: localWaitStore(() => local),
      queue: localCopyQueue(() => local),
      callbacks: createSfnTaskCallbacks({
        client: new SFNClient({ ...clientConfig(local.url, SFN_REGION), maxAttempts: 3 }),
      }),
    },
  };
  const deps = options.decorateDeps ? options.decorateDeps(plain) : plain;
  const resume = (await import('../../functions/backup-resume-wait/handler.ts')).makeHandler(deps);
  const regions = options.policies.flatMap((p) => [p.sourceRegion, ...p.copyRegions.map((c) => c.region)]);
  const resumeFunction = await installResumeRules(local, SFN_REGION, regions, async (event) => {
    const began = performance.now();
    try {
      const output = await resume(event);
      options.observe?.('backupResumeWait', performance.now() - began, undefined, output);
      return output;
    } catch (error) {
      options.observe?.('backupResumeWait', performance.now() - began, error);
      throw error;
    }
  });
  const summaries = new Map<string, SummarizeOutput>();
  for (const key of new Set(taskFunctionKeys(definition).values())) {
    const module = (await import(new URL(`../../${handlerPathOf(key)}`, import.meta.url).href)) as {
      makeHandler: (deps: BackupDeps) => Handler;
    };
    const handler = module.makeHandler(deps);
    registerLocalFunction(local.cloud, {
      name: `shipyard-dev-${key}`,
      region: SFN_REGION,
      timeoutSeconds: 600,
      ...(options.memorySize === undefined ? {} : { memorySize: options.memorySize }),
      handler: async (event) => {
        const began = performance.now();
        try {
          const output = await handler(event);
          if (key === 'backupSummarize') {
            const summary = output as SummarizeOutput;
            summaries.set(summary.summary.runId, summary);
          }
          options.observe?.(key, performance.now() - began);
          return output;
        } catch (error) {
          options.observe?.(key, performance.now() - began, error);
          throw error;
        }
      },
    });
  }
  const sfn = new SFNClient({ ...clientConfig(local.url, SFN_REGION), maxAttempts: 1 });
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: 'shipyard-dev-backup',
      definition: JSON.stringify(withDeployedArns(definition)),
      roleArn: LOCAL_ROLE_ARN,
    }),
  );
  const stateMachineArn = created.stateMachineArn ?? '';
  const start = makeStartHandler({
    starter: createExecutionStarter(sfn),
    stateMachineArn,
    logger: silentLogger,
    policies: plain.policies,
    now: plain.now,
  }) as DeployedBackup['start'];
  const startFunction = registerLocalFunction(local.cloud, {
    name: START_FUNCTION,
    region: SFN_REGION,
    handler: async (event) => start(event),
  });
  return {
    stateMachineArn,
    sfn,
    summaries,
    start,
    startFunctionArn: startFunction.arn,
    resumeFunction,
    listExecutions: async () =>
      ((await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? []).map((e) => ({
        name: e.name ?? '',
        status: e.status ?? '',
        executionArn: e.executionArn ?? '',
      })),
    wait: (executionArn, stallMs) =>
      waitForExecution(sfn, executionArn, stallMs === undefined ? {} : { stallMs }),
  };
}
