import { setImmediate as nextTurn } from 'node:timers/promises';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { invokeFunction } from '../lambda/invoke.ts';
import { findFunction } from '../lambda/store.ts';
import { TaskFailure } from './errors.ts';
import type { ExecutionRecord } from './store.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type TaskHandler = (input: Json) => Promise<Json>;

/** What a task handler needs from the running execution. */
export interface TaskScope {
  cloud: LocalCloud;
  execution: ExecutionRecord;
  running: () => boolean;
  record: (type: string, details?: Record<string, unknown>) => void;
  /** Starts a child execution of this one (a Distributed Map's item). */
  startChild: (child: ChildStart) => ExecutionRecord;
  /** Stops a running child execution (its Map Run failed or was stopped). */
  stopChild: (child: ExecutionRecord, cause: string) => void;
}

/** A child execution to start: the processor under its labelled state machine ARN. */
export interface ChildStart {
  machine: { arn: string; name: string; definition: string };
  mapRunArn: string;
  name: string;
  input: unknown;
  /** Items in its input (ListExecutions `itemCount`). */
  itemCount: number;
}

export const invokeLocal = async (
  scope: TaskScope,
  functionRef: string,
  payload: unknown,
): Promise<{ payload: unknown; requestId: string }> => {
  const { cloud, execution } = scope;
  cloud.counters.recordCall('lambda', 'Invoke', execution.region);
  const fault = cloud.faults.decide('lambda', 'Invoke', execution.region);
  if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
  if (fault.error) throw new TaskFailure(`Lambda.${fault.error.code}`, fault.error.message);
  let fn: ReturnType<typeof findFunction>;
  try {
    fn = findFunction(cloud, execution.region, functionRef);
  } catch (error) {
    if (error instanceof AwsError) throw new TaskFailure(`Lambda.${error.code}`, error.message);
    throw error;
  }
  execution.lambdaInvocations += 1;
  const outcome = await invokeFunction(cloud, fn, payload);
  if (outcome.functionError) {
    const parsed = JSON.parse(outcome.payload) as { errorType?: string };
    throw new TaskFailure(parsed.errorType ?? 'Lambda.Unknown', outcome.payload);
  }
  return { payload: JSON.parse(outcome.payload), requestId: outcome.requestId };
};

// Task events are recorded after the interpreter's own events of this turn (StateEntered)
// reach the history: they travel through async generators, so let them drain first.
export const afterQueuedEvents = () => nextTurn();
