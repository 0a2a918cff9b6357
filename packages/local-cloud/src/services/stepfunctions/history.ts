import type { LocalCloud } from '../../cloud.ts';
import type { PreparedDefinition } from './definition.ts';
import {
  DataLimitExceeded,
  HISTORY_LIMIT_CAUSE,
  HISTORY_LIMIT_ERROR,
  MAX_HISTORY_EVENTS,
  MAX_PAYLOAD_BYTES,
} from './errors.ts';
import { notifyProgress } from './progress.ts';
import { readReferencePath } from './reference-path.ts';
import type { ExecutionRecord, HistoryEvent } from './store.ts';

/** The history event detail field of each event type (`TaskStateEntered` → `stateEnteredEventDetails`). */
const detailsKey = (type: string): string | undefined => {
  if (/StateEntered$/.test(type)) return 'stateEnteredEventDetails';
  if (/StateExited$/.test(type)) return 'stateExitedEventDetails';
  if (type === 'MapStateSucceeded' || type === 'MapStateFailed') return undefined;
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
};

const TERMINAL_EVENTS = new Set([
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimedOut',
]);

const push = (
  cloud: LocalCloud,
  execution: ExecutionRecord,
  type: string,
  details?: Record<string, unknown>,
) => {
  const id = execution.history.length + 1;
  const event: HistoryEvent = {
    id,
    previousEventId: id - 1,
    timestamp: cloud.now(),
    type,
    ...(details ? { details } : {}),
  };
  execution.history.push(event);
  // A Distributed Map's parent makes progress while its children do.
  for (let e: ExecutionRecord | undefined = execution; e; e = e.parent) {
    e.activity += 1;
    notifyProgress(cloud, e);
  }
  return event;
};

/**
 * Records one history event. An ended execution records nothing but its terminal event,
 * and the event that would take the history to MAX_HISTORY_EVENTS, unless it is
 * ExecutionSucceeded, is replaced by ExecutionFailed and ends the execution
 * (bp-history-limit: "If the event number 25,000 isn't ExecutionSucceeded, the
 * ExecutionFailed event is logged and the state machine execution fails").
 */
export const appendEvent = (
  cloud: LocalCloud,
  execution: ExecutionRecord,
  type: string,
  details?: Record<string, unknown>,
): void => {
  if (execution.status !== 'RUNNING' && !TERMINAL_EVENTS.has(type)) return;
  if (execution.history.length >= MAX_HISTORY_EVENTS - 1 && !TERMINAL_EVENTS.has(type)) {
    push(cloud, execution, 'ExecutionFailed', { error: HISTORY_LIMIT_ERROR, cause: HISTORY_LIMIT_CAUSE });
    execution.terminate?.({ error: HISTORY_LIMIT_ERROR, cause: HISTORY_LIMIT_CAUSE });
    return;
  }
  push(cloud, execution, type, details);
};

export const renderEvent = (event: HistoryEvent, includeData: boolean) => {
  const key = detailsKey(event.type);
  let details = event.details;
  if (details && !includeData) {
    const { input: _input, output: _output, ...rest } = details;
    details = rest;
  }
  return {
    timestamp: event.timestamp / 1000,
    type: event.type,
    id: event.id,
    previousEventId: event.previousEventId,
    ...(key && details ? { [key]: details } : {}),
  };
};

const json = (value: unknown) => JSON.stringify(value ?? null);
const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** An interpreter event (aws-local-stepfunctions' event log), loosely typed at this boundary. */
export interface InterpreterEvent {
  type: string;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string };
  index?: number;
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
}

export type Terminal =
  | { status: 'SUCCEEDED'; output: string }
  | { status: 'FAILED'; error: string; cause: string };

/**
 * Turns the interpreter's events into Step Functions history events. Returns the
 * execution's outcome when the event ends it. State transitions (entries and retries)
 * are counted here, which is what STANDARD workflows are billed for.
 */
export const translateEvent = (
  cloud: LocalCloud,
  execution: ExecutionRecord,
  prepared: Pick<PreparedDefinition, 'types' | 'itemsPaths' | 'distributedMaps'>,
  event: InterpreterEvent,
): Terminal | undefined => {
  const add = (type: string, details?: Record<string, unknown>) =>
    appendEvent(cloud, execution, type, details);
  // A Distributed Map's own events are its Map Run's (MapRunStarted …, recorded in map-run.ts).
  const declared = (name: string, fallback: string) =>
    prepared.distributedMaps.has(name) ? 'DistributedMap' : (prepared.types.get(name) ?? fallback);
  const entered = (type: string) => (type === 'DistributedMap' ? 'Map' : type);
  // A state output or execution output over the payload quota fails the execution with the
  // uncatchable States.DataLimitExceeded (Task inputs and results are checked in tasks.ts).
  const overLimit = (what: string, output: string): Terminal | undefined => {
    const bytes = Buffer.byteLength(output);
    if (bytes <= MAX_PAYLOAD_BYTES) return undefined;
    const error = new DataLimitExceeded(what, bytes);
    add('ExecutionFailed', { error: error.name, cause: error.message });
    return { status: 'FAILED', error: error.name, cause: error.message };
  };
  const transition = () => {
    execution.transitions += 1;
    cloud.counters.add('states.transitions');
  };
  switch (event.type) {
    case 'StateEntered': {
      if (!event.state) return undefined;
      const type = declared(event.state.name, event.state.type);
      transition();
      add(`${entered(type)}StateEntered`, {
        name: event.state.name,
        input: json(event.state.input),
        inputDetails: { truncated: false },
      });
      if (type === 'Map') {
        const items = readReferencePath(event.state.input, prepared.itemsPaths.get(event.state.name) ?? '$');
        add('MapStateStarted', { length: Array.isArray(items) ? items.length : 0 });
      }
      return undefined;
    }
    case 'StateExited': {
      if (!event.state) return undefined;
      const type = declared(event.state.name, event.state.type);
      const output = json(event.state.output);
      const tooBig = overLimit(`The output of state '${event.state.name}'`, output);
      if (tooBig) {
        if (type === 'Map') add('MapStateFailed');
        return tooBig;
      }
      if (type === 'Map') add('MapStateSucceeded');
      add(`${entered(type)}StateExited`, {
        name: event.state.name,
        output,
        outputDetails: { truncated: false },
      });
      return undefined;
    }
    case 'StateFailed':
      if (event.state && declared(event.state.name, event.state.type) === 'Map') add('MapStateFailed');
      return undefined;
    case 'StateRetried':
      transition();
      return undefined;
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed':
      add(event.type, { name: event.parentState?.name ?? '', index: event.index ?? 0 });
      return undefined;
    case 'ExecutionSucceeded':
      {
        const tooBig = overLimit('The execution output', json(event.output));
        if (tooBig) return tooBig;
      }
      add('ExecutionSucceeded', { output: json(event.output), outputDetails: { truncated: false } });
      return { status: 'SUCCEEDED', output: json(event.output) };
    case 'ExecutionFailed': {
      const error = event.Error ?? 'States.Runtime';
      const cause = text(event.Cause ?? '');
      add('ExecutionFailed', { error, cause });
      return { status: 'FAILED', error, cause };
    }
    default:
      // ExecutionStarted is recorded by StartExecution itself; aborts and timeouts are
      // recorded when the local cloud stops the execution; Parallel branches have no events.
      return undefined;
  }
};
