import type { LocalCloud } from '../../cloud.ts';
import { executionDoesNotExist, invalidArn, stateMachineDoesNotExist } from './errors.ts';
import type { MapRunRecord } from './map-run-store.ts';
import type { TaskTokenRecord } from './task-token-store.ts';

type StateMachineType = 'STANDARD' | 'EXPRESS';
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface StateMachineRecord {
  arn: string;
  name: string;
  region: string;
  definition: string;
  roleArn: string;
  type: StateMachineType;
  creationDate: number;
  updateDate?: number;
  revisionId: string;
}

/** One history event; `details` is rendered under `<camelCaseType>EventDetails`. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  details?: Record<string, unknown>;
}

export interface ExecutionRecord {
  arn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  region: string;
  roleArn: string;
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** Billed state transitions (entries and retries), $0.025 per 1,000 on STANDARD. */
  transitions: number;
  lambdaInvocations: number;
  /** Stops the interpreter; present while the execution runs. */
  abort?: () => void;
  /** Aborted when the execution ends or the local cloud drops its state: ends its waits. */
  halted: AbortController;
  /** Ends the running execution from inside (the history limit); set while it runs. */
  terminate?: (outcome: { error: string; cause: string }) => void;
  /** Child executions of a Distributed Map: the Map Run that started them, and its parent execution. */
  mapRunArn?: string;
  parent?: ExecutionRecord;
  itemCount?: number;
  /** Events recorded by this execution and by every child execution below it (progress waiters). */
  activity: number;
}

export interface StatesStore {
  machines: Map<string, StateMachineRecord>;
  executions: Map<string, ExecutionRecord>;
  /** Waiters on an execution's progress, by execution ARN (see progress.ts). */
  watchers: Map<string, Set<() => void>>;
  mapRuns: Map<string, MapRunRecord>;
  tokens: Map<string, TaskTokenRecord>;
}

export const statesStore = (cloud: LocalCloud): StatesStore =>
  cloud.store('states', () => {
    const store: StatesStore = {
      machines: new Map(),
      executions: new Map(),
      watchers: new Map(),
      mapRuns: new Map(),
      tokens: new Map(),
    };
    // Running executions wait on the simulated clock, clients on their progress: wake them
    // all when this state is dropped.
    cloud.onDispose(() => {
      for (const execution of store.executions.values()) execution.halted.abort();
      for (const wake of [...store.watchers.values()].flatMap((set) => [...set])) wake();
    });
    return store;
  });

export const stateMachineArn = (cloud: LocalCloud, region: string, name: string) =>
  `arn:aws:states:${region}:${cloud.accountId}:stateMachine:${name}`;

export const executionArn = (machine: StateMachineRecord, name: string) =>
  `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;

const MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(execution|express):[^:]+:[^:]+(:[^:]+)?$/;

export const findStateMachine = (cloud: LocalCloud, arn: unknown): StateMachineRecord => {
  if (typeof arn !== 'string' || !MACHINE_ARN.test(arn)) throw invalidArn(String(arn));
  const machine = statesStore(cloud).machines.get(arn);
  if (!machine) throw stateMachineDoesNotExist(arn);
  return machine;
};

export const findExecution = (cloud: LocalCloud, arn: unknown): ExecutionRecord => {
  if (typeof arn !== 'string' || !EXECUTION_ARN.test(arn)) throw invalidArn(String(arn));
  const execution = statesStore(cloud).executions.get(arn);
  if (!execution) throw executionDoesNotExist(arn);
  return execution;
};
