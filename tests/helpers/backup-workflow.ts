/**
 * Runs the real backup ASL with aws-local-stepfunctions: every Task bound to its real
 * handler (`makeHandler(deps)`) with SDK clients pointing at the local cloud, time
 * accelerated without faking it:
 * - each Wait is overridden to 0 ms, and the Task after it first advances the local cloud's
 *   simulated clock by the seconds the Wait would have waited (read from its SecondsPath);
 * - each Retry pause is overridden to 0 ms, and a task failing with a transient error
 *   advances the clock by {@link RETRY_PAUSE_MS} (the pause a real Retry would have made);
 * - handlers read the simulated clock (`deps.now`);
 * - the execution has a name (`$$.Execution.Name`, the run id) and the deployed policies
 *   are what the execution says was deployed (the packaged config in production); run
 *   records go to a bucket of the local cloud;
 * - a re-drive (`{ redrive: true }`) is the same execution again: aws-local-stepfunctions
 *   stamps every run with a new `$$.Execution.StartTime`, so the harness hands DiscoverTargets
 *   the first run's, as Step Functions keeps it for a redriven execution;
 * - the Distributed Map runs through tests/helpers/distributed-map.ts (items and results in
 *   the local cloud's S3, one child execution per item, a redrive re-runs only the children
 *   that did not succeed);
 * - a `.waitForTaskToken` Task gets a token of its own (tests/helpers/event-waits.ts), runs its
 *   handler, then advances the simulated clock {@link TOKEN_STEP_MS} at a time, letting the
 *   local cloud deliver what EC2 emits (the awaited-events rules → ResumeWait, the real
 *   handler) until the token is settled or the Task's TimeoutSeconds has passed
 *   (`States.Timeout`) or its HeartbeatSeconds since the token's last heartbeat
 *   (`States.HeartbeatTimeout`), which the ASL's Retry turns into the polling fallback.
 *
 * History events are estimated as Step Functions records them: 2 per execution (started,
 * ended), 2 per state entered (entered, exited), 3 per Task attempt (scheduled, started,
 * succeeded/failed; a token Task also TaskSubmitted) and 1 per inline Map iteration event.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import type { RunningLocalCloud } from '@shipyard/local-cloud';
import { clientConfig } from '@shipyard/local-cloud/testing';
import { StateMachine } from 'aws-local-stepfunctions';
import { createEc2PortFactory } from '../../shared/aws/ec2.ts';
import { createKeyManagerFactory } from '../../shared/aws/kms.ts';
import { isTransientBackupError } from '../../shared/backup/errors.ts';
import { type BackupDeps, silentLogger } from '../../shared/backup-service/deps.ts';
import type { BackupPolicy } from '../../shared/config/policies.ts';
import {
  type AslDefinition,
  allStates,
  handlerPathOf,
  isWaitForToken,
  loadBackupDefinition,
  readPath,
  taskFunctionKeys,
  waitPathsBeforeTasks,
  withDeployedArns,
} from './backup-asl.ts';
import {
  deployed,
  executionArnOf,
  localCopyQueue,
  localRunFiles,
  localRunRecords,
  localS3,
  localWaitStore,
} from './backup-deps.ts';
import {
  type ChildRecord,
  type ChildRun,
  processorOf,
  runDistributedMap,
  withDistributedMapsAsTasks,
} from './distributed-map.ts';
import { createTokenRegistry, installResumeRules } from './event-waits.ts';

/**
 * The SDK's standard retries (throttling, 5xx) with the real attempt count but no real-time
 * backoff: the workflow tests are about what happens, not how long the SDK sleeps.
 */
export function promptRetries(
  maxAttempts: number,
  onRetry?: (errorType: string) => void,
): NonNullable<EC2ClientConfig['retryStrategy']> {
  const token = (count: number) => ({ getRetryCount: () => count, getRetryDelay: () => 0 });
  return {
    mode: 'standard',
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous, info) => {
      const next = previous.getRetryCount() + 1;
      onRetry?.(info.errorType);
      if (info.errorType === 'CLIENT_ERROR' || next >= maxAttempts) throw new Error('no retry');
      return token(next);
    },
    recordSuccess: () => {},
  };
}

/** Simulated pause per failed attempt of a transient error (the ASL's first retry intervals are 2–30 s). */
const RETRY_PAUSE_MS = 30_000;

/** How far a waiting token Task moves the simulated clock before it looks again. */
const TOKEN_STEP_MS = 30_000;
/** The region the harness's "stack" is in: ResumeWait and the home bus. */
const HOME_REGION = 'eu-west-1';
/** What `$$.Task.Token` resolves to before the handler wrapper puts the Task's own token in. */
const TOKEN_PLACEHOLDER = 'in-process-token';

class StatesTimeout extends Error {
  constructor(seconds: number) {
    super(`The task exceeded its TimeoutSeconds (${seconds})`);
    this.name = 'States.Timeout';
  }
}

class HeartbeatTimeout extends Error {
  constructor(seconds: number) {
    super(`No heartbeat for ${seconds} seconds (HeartbeatSeconds)`);
    this.name = 'States.HeartbeatTimeout';
  }
}

class TaskFailed extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface WorkflowRun {
  status: 'succeeded' | 'failed';
  output?: unknown;
  error?: string;
  cause?: string;
  /** StateEntered events (each is one billed transition in a Standard workflow). */
  transitions: number;
  /** Handler invocations by Task state name (retries included), and `ResumeWait` (the event handler). */
  invocations: Record<string, number>;
  /** The last output of each Task state (e.g. Summarize's summary on a failed run). */
  lastOutput: Record<string, unknown>;
  /** Child executions the Distributed Map ran (a redrive counts only those it re-ran). */
  children: number;
  /** The largest history of one execution, parent or child (estimated, see above). */
  maxHistoryEvents: number;
}

export interface BackupWorkflowOptions {
  /** SDK attempts per EC2 call (standard retry mode). */
  maxAttempts?: number;
  /**
   * Wraps the handlers' dependencies (fault scenarios: a port that crashes after N calls),
   * per function (`backupCopyImage`…), e.g. to record which EC2 calls each one makes.
   */
  decorateDeps?: (deps: BackupDeps, functionKey: string) => BackupDeps;
  /**
   * Called after each child execution ends with the children done and in all; throwing
   * there stops the parent halfway through the Map (its execution ends ABORTED, as after
   * StopExecution), children still running included.
   */
  onChildEnd?: (done: number, total: number) => void;
}

type LocalHandler = (input: unknown) => Promise<unknown>;

/** One execution: its name (the run id), its input, and the policies deployed when it runs. */
export interface WorkflowExecution {
  name: string;
  input: unknown;
  policies: BackupPolicy[];
}

export async function createBackupWorkflow(
  local: () => RunningLocalCloud,
  options: BackupWorkflowOptions = {},
) {
  const definition = loadBackupDefinition();
  const taskKeys = taskFunctionKeys(definition);
  const waitPaths = waitPathsBeforeTasks(definition);
  const makers = new Map<string, (deps: BackupDeps) => LocalHandler>();
  for (const key of new Set(taskKeys.values())) {
    const module = (await import(new URL(`../../${handlerPathOf(key)}`, import.meta.url).href)) as {
      makeHandler: (deps: BackupDeps) => LocalHandler;
    };
    makers.set(key, module.makeHandler);
  }
  // The deployed shape (Lambda ARNs), validated exactly like asl-validator does; each
  // Distributed Map stands in as a Task, its ItemProcessor runs as the child executions.
  const { parent, maps } = withDistributedMapsAsTasks(withDeployedArns(definition));
  const machine = new StateMachine(parent as never, {
    validationOptions: { checkPaths: true, checkArn: true },
  });
  const childMachines = new Map<AslDefinition, StateMachine>();
  const childMachine = (processor: AslDefinition) => {
    let found = childMachines.get(processor);
    if (found === undefined) {
      found = new StateMachine(processor as never, {
        validationOptions: { checkPaths: true, checkArn: true },
      });
      childMachines.set(processor, found);
    }
    return found;
  };
  const processors = new Map([...maps].map(([name, map]) => [name, processorOf(map)]));
  /** The Task attempts of the execution (parent or child) a handler runs in. */
  const attemptsOf = new AsyncLocalStorage<{ attempts: number; submitted: number }>();
  /** Children that succeeded, per execution and Map: a redrive keeps them. */
  const succeededChildren = new Map<string, Map<number, ChildRecord>>();
  const waitStates = [...allStates(definition)].filter(([, s]) => s.Type === 'Wait').map(([name]) => name);
  const tokenTimeouts = new Map(
    [...allStates(definition)]
      .filter(([, s]) => isWaitForToken(s))
      .map(([name, s]) => [
        name,
        {
          // No TimeoutSeconds: the Task never times out (a simulated-clock deadline, not a test bound).
          timeout: s.TimeoutSeconds === undefined ? Number.POSITIVE_INFINITY : Number(s.TimeoutSeconds),
          heartbeat: s.HeartbeatSeconds === undefined ? undefined : Number(s.HeartbeatSeconds),
        },
      ]),
  );
  const tokens = createTokenRegistry(() => local().cloud.now());
  /** ResumeWait invocations running (the waiting Tasks let them finish before moving the clock). */
  let resuming = 0;
  /** Lets every delivery the last clock move started run to its end (progress, not time). */
  const drain = async () => {
    for (let idle = 0; idle < 3; ) {
      await new Promise((resolve) => setImmediate(resolve));
      idle = resuming > 0 ? 0 : idle + 1;
    }
  };

  const deps = (policies: BackupPolicy[]): BackupDeps => {
    const url = local().url;
    return {
      ec2: createEc2PortFactory({
        clientFor: (region) =>
          new EC2Client({
            ...clientConfig(url, region),
            retryStrategy: promptRetries(options.maxAttempts ?? 4),
          }),
      }),
      kms: createKeyManagerFactory({
        clientFor: (region) =>
          new KMSClient({
            ...clientConfig(url, region),
            retryStrategy: promptRetries(options.maxAttempts ?? 4),
          }),
      }),
      logger: silentLogger,
      now: () => new Date(local().cloud.now()),
      policies: deployed(...policies),
      runRecords: localRunRecords(local),
      runFiles: localRunFiles(local),
      waits: { store: localWaitStore(local), callbacks: tokens.callbacks, queue: localCopyQueue(local) },
    };
  };
  const depsOf = (plain: BackupDeps, functionKey: string): BackupDeps =>
    options.decorateDeps ? options.decorateDeps(plain, functionKey) : plain;

  const startTimes = new Map<string, string>();

  async function run(
    { name, input, policies }: WorkflowExecution,
    { redrive = false }: { redrive?: boolean } = {},
  ): Promise<WorkflowRun> {
    if (redrive && !startTimes.has(name)) throw new Error(`no execution ${name} to re-drive`);
    const runDeps = deps(policies);
    const invocations: Record<string, number> = {};
    const resume = (await import('../../functions/backup-resume-wait/handler.ts')).makeHandler(
      depsOf(runDeps, 'backupResumeWait'),
    );
    const regions = policies.flatMap((p) => [p.sourceRegion, ...p.copyRegions.map((c) => c.region)]);
    await installResumeRules(local(), HOME_REGION, regions, async (event) => {
      invocations.ResumeWait = (invocations.ResumeWait ?? 0) + 1;
      resuming += 1;
      try {
        return await resume(event);
      } finally {
        resuming -= 1;
      }
    });
    const lastOutput: Record<string, unknown> = {};
    const handlers: Record<string, LocalHandler> = {};
    for (const [state, key] of taskKeys) {
      const handler = makers.get(key)?.(depsOf(runDeps, key));
      if (!handler) throw new Error(`no handler for ${key}`);
      const waitPath = waitPaths.get(state);
      const tokenTimeout = tokenTimeouts.get(state);
      if (tokenTimeout !== undefined) {
        handlers[state] = async (event: unknown) => {
          invocations[state] = (invocations[state] ?? 0) + 1;
          const current = attemptsOf.getStore();
          // Scheduled, started, submitted, and how it ended.
          if (current) {
            current.attempts += 1;
            current.submitted += 1;
          }
          const ticket = tokens.issue();
          const payload = (event as { Payload: Record<string, unknown> }).Payload;
          try {
            lastOutput[state] = await handler({ ...payload, taskToken: ticket.token });
          } catch (error) {
            ticket.close();
            if (isTransientBackupError(error)) local().cloud.clock.advance(RETRY_PAUSE_MS);
            throw error;
          }
          const timeoutAt = local().cloud.now() + tokenTimeout.timeout * 1000;
          const heartbeatMs = (tokenTimeout.heartbeat ?? Number.POSITIVE_INFINITY) * 1000;
          for (;;) {
            await drain();
            const outcome = ticket.outcome();
            if (outcome?.kind === 'success') return outcome.output;
            if (outcome?.kind === 'failure') throw new TaskFailed(outcome.error, outcome.cause);
            const left = timeoutAt - local().cloud.now();
            if (left <= 0) {
              ticket.close();
              throw new StatesTimeout(tokenTimeout.timeout);
            }
            const beatLeft = ticket.lastBeat() + heartbeatMs - local().cloud.now();
            if (beatLeft <= 0) {
              ticket.close();
              throw new HeartbeatTimeout(tokenTimeout.heartbeat ?? 0);
            }
            local().cloud.clock.advance(Math.min(TOKEN_STEP_MS, left, beatLeft));
          }
        };
        continue;
      }
      handlers[state] = async (event: unknown) => {
        invocations[state] = (invocations[state] ?? 0) + 1;
        const current = attemptsOf.getStore();
        if (current) current.attempts += 1;
        if (waitPath !== undefined) {
          const seconds = Number(readPath(event, waitPath) ?? 0);
          if (seconds > 0) local().cloud.clock.advance(seconds * 1000);
        }
        if (state === 'DiscoverTargets') event = sameExecutionOnRedrive(name, event, redrive);
        try {
          const output = await handler(event);
          lastOutput[state] = output;
          return output;
        } catch (error) {
          if (isTransientBackupError(error)) local().cloud.clock.advance(RETRY_PAUSE_MS);
          throw error;
        }
      };
    }
    const overrides = {
      taskResourceLocalHandlers: handlers as never,
      waitTimeOverrides: Object.fromEntries(waitStates.map((name) => [name, 0])),
      retryIntervalOverrides: Object.fromEntries([...taskKeys.keys()].map((name) => [name, 0])),
    };
    let transitions = 0;
    let children = 0;
    let maxHistoryEvents = 0;
    /** Runs one execution (parent or child), counting its transitions and history events. */
    const execute = async (
      sm: StateMachine,
      executionInput: unknown,
      executionName: string,
      onStart?: (abort: () => void) => void,
    ) => {
      const counter = { attempts: 0, submitted: 0 };
      return attemptsOf.run(counter, async () => {
        const execution = sm.run(executionInput as never, {
          context: {
            Execution: { Id: executionArnOf(executionName), Name: executionName },
            Task: { Token: TOKEN_PLACEHOLDER },
          },
          overrides,
        });
        onStart?.(() => execution.abort());
        let events = 2;
        const counting = (async () => {
          for await (const event of execution.eventLogs) {
            if (event.type === 'StateEntered') {
              transitions += 1;
              events += 2;
            } else if (event.type.startsWith('MapIteration')) events += 1;
          }
        })();
        const settle = async () => {
          await counting;
          const historyEvents = events + 3 * counter.attempts + counter.submitted;
          maxHistoryEvents = Math.max(maxHistoryEvents, historyEvents);
          return historyEvents;
        };
        try {
          const output = await execution.result;
          return { status: 'SUCCEEDED' as const, output, historyEvents: await settle() };
        } catch (error) {
          const historyEvents = await settle();
          if (error instanceof Error && error.name === 'ExecutionAbortedError')
            return { status: 'ABORTED' as const, historyEvents };
          const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
          return {
            status: 'FAILED' as const,
            error: cause?.name ?? (error instanceof Error ? error.name : String(error)),
            cause: cause?.message ?? (error instanceof Error ? error.message : String(error)),
            historyEvents,
          };
        }
      });
    };
    // Stopping the parent (onChildEnd throws) aborts it and every child still running.
    const running = new Set<() => void>();
    let stopped = false;
    const stop = () => {
      stopped = true;
      for (const abort of running) abort();
    };
    for (const [state, map] of maps) {
      handlers[state] = (event: unknown) =>
        runDistributedMap(
          {
            s3: () => localS3(local),
            parent: { name, arn: executionArnOf(name), redrive },
            succeeded: succeededChildren,
            stopped: () => stopped,
            runChild: async (_processor, childInput, childName): Promise<ChildRun> => {
              if (stopped) return { status: 'ABORTED', historyEvents: 0 };
              children += 1;
              let abortChild: (() => void) | undefined;
              const outcome = await execute(
                childMachine(processors.get(state) as AslDefinition),
                childInput,
                childName,
                (abort) => {
                  abortChild = abort;
                  running.add(abort);
                },
              );
              if (abortChild) running.delete(abortChild);
              return outcome;
            },
            onChildEnd: (done, total) => {
              try {
                options.onChildEnd?.(done, total);
              } catch {
                stop();
              }
            },
          },
          state,
          map,
          event,
        );
    }
    let abortParent: (() => void) | undefined;
    const outcome = await execute(machine, input, name, (abort) => {
      abortParent = abort;
      running.add(abort);
    });
    if (abortParent) running.delete(abortParent);
    const base = { transitions, invocations, lastOutput, children, maxHistoryEvents };
    if (outcome.status === 'SUCCEEDED') return { status: 'succeeded', output: outcome.output, ...base };
    if (outcome.status === 'ABORTED')
      return {
        status: 'failed',
        error: 'ExecutionAborted',
        cause: 'stopped halfway through the map',
        ...base,
      };
    return { status: 'failed', error: outcome.error, cause: outcome.cause, ...base };
  }

  /** Records an execution's StartTime; a re-drive gets the recorded one back. */
  function sameExecutionOnRedrive(name: string, event: unknown, redrive: boolean): unknown {
    const task = event as { execution?: { startTime?: string } };
    if (task.execution === undefined) return event;
    const first = startTimes.get(name);
    if (redrive && first !== undefined)
      return { ...task, execution: { ...task.execution, startTime: first } };
    startTimes.set(name, String(task.execution.startTime));
    return event;
  }

  return { run, definition };
}
