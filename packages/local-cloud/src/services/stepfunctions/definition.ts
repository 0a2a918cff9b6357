import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { invalidDefinition } from './errors.ts';

type Json = Record<string, unknown>;
type StateDefinition = Json & { Type: string };

/** Resource the interpreter sees for a Wait state, which the local cloud runs on its clock. */
export const SIMULATED_WAIT_RESOURCE = 'arn:aws:states:::shipyard:wait';
/** Resource the interpreter sees for a Distributed Map state, which the local cloud runs as a Map Run. */
export const DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::shipyard:distributedMap';
/**
 * What `$$.Task.Token` stands for in a `.waitForTaskToken` Task's Parameters until the Task
 * starts: the interpreter has no token, the local cloud substitutes the real one.
 */
export const TASK_TOKEN_PLACEHOLDER = 'shipyard-local-task-token-placeholder';
const TASK_TOKEN_PATH = '$$.Task.Token';

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
    // A Distributed Map's processor runs as separate child executions, prepared on their own.
    if (isObject(processor) && !isDistributed(state)) forEachState(processor, visit);
    if (Array.isArray(state.Branches))
      for (const branch of state.Branches) if (isObject(branch)) forEachState(branch, visit);
  }
};

const isDistributed = (state: Json): boolean => {
  const processor = state.ItemProcessor;
  return (
    isObject(processor) &&
    isObject(processor.ProcessorConfig) &&
    processor.ProcessorConfig.Mode === 'DISTRIBUTED'
  );
};

/** A Distributed Map state's own fields (concepts-asl-use-map-state-distributed). */
export interface DistributedMapSpec {
  stateName: string;
  /** The ItemProcessor without its ProcessorConfig: the child executions' definition. */
  processor: Json;
  itemsPath?: string;
  itemReader?: Json;
  itemSelector?: Json;
  itemBatcher?: Json;
  maxConcurrency?: number;
  toleratedFailurePercentage?: number;
  toleratedFailureCount?: number;
  resultWriter?: Json;
  label?: string;
}

/** A `.waitForTaskToken` Task's timers, run on the simulated clock. */
export interface TokenTaskSpec {
  heartbeatSeconds?: number;
  timeoutSeconds?: number;
}

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
  distributedMaps: Map<string, DistributedMapSpec>;
  tokenTasks: Map<string, TokenTaskSpec>;
  timeoutSeconds?: number;
}

const numberField = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** Keeps what the interpreter handles for a Task (paths, selectors, Retry, Catch, transitions). */
const TASK_FIELDS = [
  'Comment',
  'InputPath',
  'OutputPath',
  'ResultPath',
  'ResultSelector',
  'Retry',
  'Catch',
  'Next',
  'End',
];

const prepareDistributedMap = (name: string, state: StateDefinition): DistributedMapSpec => {
  const { ProcessorConfig: _config, ...processor } = state.ItemProcessor as Json;
  const spec: DistributedMapSpec = {
    stateName: name,
    processor,
    itemsPath: typeof state.ItemsPath === 'string' ? state.ItemsPath : undefined,
    itemReader: isObject(state.ItemReader) ? state.ItemReader : undefined,
    itemSelector: isObject(state.ItemSelector ?? state.Parameters)
      ? ((state.ItemSelector ?? state.Parameters) as Json)
      : undefined,
    itemBatcher: isObject(state.ItemBatcher) ? state.ItemBatcher : undefined,
    maxConcurrency: numberField(state.MaxConcurrency),
    toleratedFailurePercentage: numberField(state.ToleratedFailurePercentage),
    toleratedFailureCount: numberField(state.ToleratedFailureCount),
    resultWriter: isObject(state.ResultWriter) ? state.ResultWriter : undefined,
    label: typeof state.Label === 'string' ? state.Label : undefined,
  };
  for (const key of Object.keys(state)) if (!TASK_FIELDS.includes(key)) delete state[key];
  Object.assign(state, {
    Type: 'Task',
    Resource: DISTRIBUTED_MAP_RESOURCE,
    TimeoutSeconds: NO_TIMEOUT_SECONDS,
  });
  return spec;
};

/**
 * Replaces `$$.Task.Token` in a Task's Parameters by a placeholder literal (in a path field
 * or inside an intrinsic function's arguments), which the Task swaps for its real token.
 */
const withTokenPlaceholder = (template: unknown): unknown => {
  if (Array.isArray(template)) return template.map(withTokenPlaceholder);
  if (!isObject(template)) return template;
  const out: Json = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && value === TASK_TOKEN_PATH) out[key.slice(0, -2)] = TASK_TOKEN_PLACEHOLDER;
    else if (key.endsWith('.$') && typeof value === 'string')
      out[key] = value.replaceAll(TASK_TOKEN_PATH, `'${TASK_TOKEN_PLACEHOLDER}'`);
    else out[key] = withTokenPlaceholder(value);
  }
  return out;
};

const prepareTokenTask = (state: StateDefinition): TokenTaskSpec => {
  const spec: TokenTaskSpec = {
    heartbeatSeconds: numberField(state.HeartbeatSeconds),
    timeoutSeconds: numberField(state.TimeoutSeconds),
  };
  if (state.Parameters !== undefined) state.Parameters = withTokenPlaceholder(state.Parameters);
  delete state.HeartbeatSeconds;
  delete state.TimeoutSecondsPath;
  delete state.HeartbeatSecondsPath;
  state.TimeoutSeconds = NO_TIMEOUT_SECONDS;
  return spec;
};

const prepareWait = (prepared: PreparedDefinition, name: string, state: StateDefinition): void => {
  const { Seconds, Timestamp, SecondsPath, TimestampPath } = state as WaitSpec & Json;
  prepared.waits.set(name, { Seconds, Timestamp, SecondsPath, TimestampPath } as WaitSpec);
  for (const key of ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath']) delete state[key];
  Object.assign(state, {
    Type: 'Task',
    Resource: SIMULATED_WAIT_RESOURCE,
    TimeoutSeconds: NO_TIMEOUT_SECONDS,
  });
  prepared.tasks.set(name, SIMULATED_WAIT_RESOURCE);
};

/**
 * Shapes a definition for the interpreter so that time is the local cloud's: each Wait
 * becomes a Task bound to a handler that waits on the simulated clock (the interpreter's
 * own waits use real timers), Tasks without TimeoutSeconds get none (the interpreter
 * would default to 60 s, AWS has no default), and the execution's TimeoutSeconds is
 * enforced by the local cloud on the simulated clock. A Distributed Map becomes a Task the
 * local cloud runs as a Map Run of child executions, and a `.waitForTaskToken` Task's
 * HeartbeatSeconds / TimeoutSeconds are kept for the simulated clock too.
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
    distributedMaps: new Map(),
    tokenTasks: new Map(),
  };
  if (typeof runnable.TimeoutSeconds === 'number') prepared.timeoutSeconds = runnable.TimeoutSeconds;
  delete runnable.TimeoutSeconds;
  forEachState(runnable, (name, state) => {
    prepared.types.set(name, state.Type);
    if (state.Type === 'Map' && isDistributed(state)) {
      prepared.distributedMaps.set(name, prepareDistributedMap(name, state));
      prepared.tasks.set(name, DISTRIBUTED_MAP_RESOURCE);
      return;
    }
    if (state.Type === 'Map')
      prepared.itemsPaths.set(name, typeof state.ItemsPath === 'string' ? state.ItemsPath : '$');
    if (Array.isArray(state.Retry))
      prepared.retriers.set(name, state.Retry as { IntervalSeconds?: number }[]);
    if (state.Type === 'Wait') {
      prepareWait(prepared, name, state);
      return;
    }
    if (state.Type === 'Task') {
      prepared.tasks.set(name, String(state.Resource));
      if (String(state.Resource).endsWith('.waitForTaskToken'))
        prepared.tokenTasks.set(name, prepareTokenTask(state));
      if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined)
        state.TimeoutSeconds = NO_TIMEOUT_SECONDS;
    }
  });
  return prepared;
};
