import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { invalidDefinition } from './errors.ts';

type Json = Record<string, unknown>;
type StateDefinition = Json & { Type: string };

/** Resource the interpreter sees for a Wait state, which the local cloud runs on its clock. */
export const SIMULATED_WAIT_RESOURCE = 'arn:aws:states:::shipyard:wait';

/** Longest Task timeout a Node timer can hold (~24.8 days): "no timeout" for the interpreter. */
const NO_TIMEOUT_SECONDS = 2_147_483;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses and validates a definition as CreateStateMachine does. The validator mutates its
 * input, so it checks a clone.
 */
export const parseDefinition = (text: unknown): StateMachineDefinition => {
  if (typeof text !== 'string' || text.length === 0) throw invalidDefinition('definition is required');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidDefinition(
      `INVALID_JSON_DESCRIPTION: ${error instanceof Error ? error.message : 'not JSON'}`,
    );
  }
  if (!isObject(parsed))
    throw invalidDefinition('SCHEMA_VALIDATION_FAILED: the definition must be a JSON object');
  try {
    new StateMachine(structuredClone(parsed) as unknown as StateMachineDefinition, {
      validationOptions: { checkPaths: true, checkArn: true },
    });
  } catch (error) {
    throw invalidDefinition(
      `SCHEMA_VALIDATION_FAILED: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parsed as unknown as StateMachineDefinition;
};

/** Calls `visit` for every state, including those inside Map and Parallel states (names are unique machine-wide). */
const forEachState = (definition: Json, visit: (name: string, state: StateDefinition) => void): void => {
  const states = definition.States;
  if (!isObject(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state) || typeof state.Type !== 'string') continue;
    visit(name, state as StateDefinition);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (isObject(processor)) forEachState(processor, visit);
    if (Array.isArray(state.Branches))
      for (const branch of state.Branches) if (isObject(branch)) forEachState(branch, visit);
  }
};

export interface WaitSpec {
  Seconds?: number;
  Timestamp?: string;
  SecondsPath?: string;
  TimestampPath?: string;
}

export interface PreparedDefinition {
  /** What the interpreter runs: Waits as simulated-clock Tasks, no interpreter-side timeouts. */
  runnable: StateMachineDefinition;
  /** The declared type of every state (history shows Wait, not the Task it runs as). */
  types: Map<string, string>;
  /** Task resources by state name. */
  tasks: Map<string, string>;
  waits: Map<string, WaitSpec>;
  /** ItemsPath of each Map state (`$` when absent). */
  itemsPaths: Map<string, string>;
  retriers: Map<string, { IntervalSeconds?: number; MaxDelaySeconds?: number }[]>;
  timeoutSeconds?: number;
}

/**
 * Shapes a definition for the interpreter so that time is the local cloud's: each Wait
 * becomes a Task bound to a handler that waits on the simulated clock (the interpreter's
 * own waits use real timers), Tasks without TimeoutSeconds get none (the interpreter
 * would default to 60 s, AWS has no default), and the execution's TimeoutSeconds is
 * enforced by the local cloud on the simulated clock.
 */
export const prepareDefinition = (definition: StateMachineDefinition): PreparedDefinition => {
  const runnable = structuredClone(definition) as unknown as Json;
  const prepared: PreparedDefinition = {
    runnable: runnable as unknown as StateMachineDefinition,
    types: new Map(),
    tasks: new Map(),
    waits: new Map(),
    itemsPaths: new Map(),
    retriers: new Map(),
  };
  if (typeof runnable.TimeoutSeconds === 'number') prepared.timeoutSeconds = runnable.TimeoutSeconds;
  delete runnable.TimeoutSeconds;
  forEachState(runnable, (name, state) => {
    prepared.types.set(name, state.Type);
    if (state.Type === 'Map')
      prepared.itemsPaths.set(name, typeof state.ItemsPath === 'string' ? state.ItemsPath : '$');
    if (Array.isArray(state.Retry))
      prepared.retriers.set(name, state.Retry as { IntervalSeconds?: number }[]);
    if (state.Type === 'Wait') {
      const { Seconds, Timestamp, SecondsPath, TimestampPath } = state as WaitSpec & Json;
      prepared.waits.set(name, { Seconds, Timestamp, SecondsPath, TimestampPath } as WaitSpec);
      for (const key of ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath']) delete state[key];
      Object.assign(state, {
        Type: 'Task',
        Resource: SIMULATED_WAIT_RESOURCE,
        TimeoutSeconds: NO_TIMEOUT_SECONDS,
      });
      prepared.tasks.set(name, SIMULATED_WAIT_RESOURCE);
      return;
    }
    if (state.Type === 'Task') {
      prepared.tasks.set(name, String(state.Resource));
      if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined)
        state.TimeoutSeconds = NO_TIMEOUT_SECONDS;
    }
  });
  return prepared;
};
