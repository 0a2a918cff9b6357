import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { LocalCloud } from '../../cloud.ts';
import { type PreparedDefinition, prepareDefinition } from './definition.ts';
import { executionAlreadyExists, invalidExecutionInput } from './errors.ts';
import { appendEvent, type InterpreterEvent, type Terminal, translateEvent } from './history.ts';
import { validateName } from './names.ts';
import { notifyProgress } from './progress.ts';
import { waitForSimulatedTime } from './sim-wait.ts';
import { emitStatusChange } from './status-events.ts';
import { type ExecutionRecord, executionArn, type StateMachineRecord, statesStore } from './store.ts';
import type { ChildStart } from './task-scope.ts';
import { bindTasks } from './tasks.ts';

const MAX_INPUT_BYTES = 256 * 1024;

const parseInput = (input: unknown): { text: string; value: unknown } => {
  const text = input === undefined || input === null ? '{}' : input;
  if (typeof text !== 'string') throw invalidExecutionInput('input must be a JSON string');
  if (Buffer.byteLength(text) > MAX_INPUT_BYTES)
    throw invalidExecutionInput(`input exceeds ${MAX_INPUT_BYTES} bytes`);
  try {
    return { text, value: JSON.parse(text) };
  } catch (error) {
    throw invalidExecutionInput(error instanceof Error ? error.message : 'not JSON');
  }
};

const finish = (cloud: LocalCloud, execution: ExecutionRecord, terminal: Terminal): void => {
  if (execution.status !== 'RUNNING') return;
  execution.stopDate = cloud.now();
  delete execution.abort;
  if (terminal.status === 'SUCCEEDED') {
    execution.status = 'SUCCEEDED';
    execution.output = terminal.output;
  } else {
    execution.status = 'FAILED';
    execution.error = terminal.error;
    execution.cause = terminal.cause;
  }
  execution.halted.abort();
  notifyProgress(cloud, execution);
  emitStatusChange(cloud, execution);
};

/** Ends a running execution from outside the interpreter (StopExecution, timeout, reset). */
const interrupt = (
  cloud: LocalCloud,
  execution: ExecutionRecord,
  status: 'ABORTED' | 'TIMED_OUT',
  event: string,
  details: { error?: string; cause?: string },
): void => {
  if (execution.status !== 'RUNNING') return;
  const abort = execution.abort;
  execution.status = status;
  execution.stopDate = cloud.now();
  delete execution.abort;
  if (details.error !== undefined) execution.error = details.error;
  if (details.cause !== undefined) execution.cause = details.cause;
  appendEvent(cloud, execution, event, details);
  execution.halted.abort();
  emitStatusChange(cloud, execution);
  abort?.();
};

export const stopExecution = (
  cloud: LocalCloud,
  execution: ExecutionRecord,
  details: { error?: string; cause?: string },
): void => interrupt(cloud, execution, 'ABORTED', 'ExecutionAborted', details);

/**
 * Retry pauses on the simulated clock's pace: the interpreter sleeps in real time, so each
 * retrier's interval is divided by the clock speed when the retry happens. The interpreter
 * takes one fixed pause per retrier, so BackoffRate growth is not reproduced.
 */
const retryPauses = (cloud: LocalCloud, prepared: PreparedDefinition) =>
  new Proxy({} as Record<string, number[]>, {
    get: (_target, stateName) => {
      const retriers = typeof stateName === 'string' ? prepared.retriers.get(stateName) : undefined;
      if (!retriers) return undefined;
      const speed = cloud.clock.speed;
      return retriers.map((r) => {
        const simulated = Math.min(
          (r.IntervalSeconds ?? 1) * 1000,
          (r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY) * 1000,
        );
        return speed > 0 ? simulated / speed : simulated;
      });
    },
  });

/** What an execution runs: a state machine, or a Distributed Map's ItemProcessor under its labelled ARN. */
type MachineRef = Pick<StateMachineRecord, 'arn' | 'name' | 'definition'>;

/** Watches the execution's TimeoutSeconds on the simulated clock, and stops executions a reset orphaned. */
const watchDeadline = (cloud: LocalCloud, execution: ExecutionRecord, timeoutSeconds: number | undefined) => {
  const store = statesStore(cloud);
  const deadline =
    timeoutSeconds === undefined ? Number.POSITIVE_INFINITY : execution.startDate + timeoutSeconds * 1000;
  void waitForSimulatedTime(cloud, deadline, execution.halted.signal).then(() => {
    if (statesStore(cloud) !== store) {
      interrupt(cloud, execution, 'ABORTED', 'ExecutionAborted', { cause: 'The local cloud was reset' });
      return;
    }
    if (execution.status !== 'RUNNING') return;
    // Woken before its deadline while still running: the local cloud is shutting down.
    if (cloud.now() < deadline) {
      execution.abort?.();
      return;
    }
    interrupt(cloud, execution, 'TIMED_OUT', 'ExecutionTimedOut', {
      error: 'States.Timeout',
      cause: `The execution exceeded its TimeoutSeconds (${timeoutSeconds})`,
    });
  });
};

const run = (cloud: LocalCloud, machine: MachineRef, execution: ExecutionRecord, input: unknown): void => {
  const store = statesStore(cloud);
  const orphaned = () => statesStore(cloud) !== store;
  const running = () => execution.status === 'RUNNING' && !orphaned();
  const prepared = prepareDefinition(JSON.parse(machine.definition));
  const handlers = bindTasks(
    {
      cloud,
      execution,
      running,
      record: (type, details) => {
        if (running()) appendEvent(cloud, execution, type, details);
      },
      startChild: (child) => startChildExecution(cloud, execution, child),
      stopChild: (child, cause) => stopExecution(cloud, child, { cause }),
    },
    prepared,
  );
  const interpreter = new StateMachine(prepared.runnable, { validationOptions: { noValidate: true } });
  const started = interpreter.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retryPauses(cloud, prepared) },
    noThrowOnAbort: true,
    context: {
      Execution: { Id: execution.arn, Name: execution.name, RoleArn: execution.roleArn },
      StateMachine: { Id: machine.arn, Name: machine.name },
    },
  });
  execution.abort = started.abort;
  execution.terminate = ({ error, cause }) => {
    const abort = execution.abort;
    finish(cloud, execution, { status: 'FAILED', error, cause });
    abort?.();
  };
  // The outcome is read from the event log (it carries error and cause); the promise only needs handling.
  started.result.catch(() => undefined);
  void (async () => {
    for await (const event of started.eventLogs) {
      if (!running()) break;
      const terminal = translateEvent(cloud, execution, prepared, event as InterpreterEvent);
      if (!terminal) continue;
      // A terminal from a state's event (States.DataLimitExceeded on a state output) ends the
      // execution while the interpreter still runs: stop it so no further Task is invoked.
      const abort = execution.abort;
      finish(cloud, execution, terminal);
      if (!/^Execution/.test((event as InterpreterEvent).type)) abort?.();
    }
  })();
  watchDeadline(cloud, execution, prepared.timeoutSeconds);
};

/** A new RUNNING execution record, its ExecutionStarted event recorded. */
const createExecution = (
  cloud: LocalCloud,
  fields: Pick<
    ExecutionRecord,
    'arn' | 'name' | 'stateMachineArn' | 'stateMachineName' | 'region' | 'roleArn'
  > &
    Partial<Pick<ExecutionRecord, 'mapRunArn' | 'parent' | 'itemCount'>>,
  input: string,
): ExecutionRecord => {
  const execution: ExecutionRecord = {
    ...fields,
    input,
    status: 'RUNNING',
    startDate: cloud.now(),
    history: [],
    transitions: 0,
    lambdaInvocations: 0,
    activity: 0,
    halted: new AbortController(),
  };
  statesStore(cloud).executions.set(execution.arn, execution);
  cloud.counters.add('states.executions');
  appendEvent(cloud, execution, 'ExecutionStarted', {
    input,
    inputDetails: { truncated: false },
    roleArn: fields.roleArn,
  });
  return execution;
};

/**
 * Starts one child execution of a Map Run (Distributed Map): its own history and limits,
 * listed by ListExecutions under the Map Run's ARN. Child executions send no status-change
 * events here [unconfirmed: the EventBridge pages do not say whether AWS sends them].
 */
const startChildExecution = (
  cloud: LocalCloud,
  parent: ExecutionRecord,
  child: ChildStart,
): ExecutionRecord => {
  const text = JSON.stringify(child.input ?? null);
  const execution = createExecution(
    cloud,
    {
      arn: `${child.machine.arn.replace(':stateMachine:', ':execution:')}:${child.name}`,
      name: child.name,
      stateMachineArn: child.machine.arn,
      stateMachineName: child.machine.name,
      region: parent.region,
      roleArn: parent.roleArn,
      mapRunArn: child.mapRunArn,
      parent,
      itemCount: child.itemCount,
    },
    text,
  );
  run(cloud, child.machine, execution, child.input);
  return execution;
};

/**
 * StartExecution. A name that already ran returns the same execution when it is still
 * running with the same input; any other reuse is ExecutionAlreadyExists (names are
 * unique per state machine for 90 days, longer than any local run).
 */
export const startExecution = (
  cloud: LocalCloud,
  machine: StateMachineRecord,
  request: { name?: unknown; input?: unknown },
): ExecutionRecord => {
  const name = request.name === undefined ? randomUUID() : validateName(request.name);
  const { text, value } = parseInput(request.input);
  const store = statesStore(cloud);
  const arn = executionArn(machine, name);
  const existing = store.executions.get(arn);
  if (existing) {
    if (existing.status === 'RUNNING' && existing.input === text) return existing;
    throw executionAlreadyExists(arn);
  }
  const execution = createExecution(
    cloud,
    {
      arn,
      name,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      region: machine.region,
      roleArn: machine.roleArn,
    },
    text,
  );
  emitStatusChange(cloud, execution);
  run(cloud, machine, execution, value);
  return execution;
};
