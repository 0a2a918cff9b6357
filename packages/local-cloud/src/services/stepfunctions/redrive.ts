import { z } from 'zod';
import { AwsError } from '../../aws-error.ts';
import { parse, type StatesAction, seconds } from './action-support.ts';
import { restartExecution } from './executions.ts';
import { type ExecutionRecord, findExecution, statesStore } from './store.ts';

const REDRIVABLE = new Set(['FAILED', 'ABORTED', 'TIMED_OUT']);

const notRedrivable = (message: string) => new AwsError('ExecutionNotRedrivable', message);

/** How DescribeExecution reports it (botocore stepfunctions RedriveStatus). */
export const redriveStatus = (execution: ExecutionRecord): string => {
  if (!REDRIVABLE.has(execution.status)) return 'NOT_REDRIVABLE';
  return execution.parent ? 'REDRIVABLE_BY_MAP_RUN' : 'REDRIVABLE';
};

/** The top-level state the execution was in when it ended, and that state's input. */
const failedState = (execution: ExecutionRecord, states: Record<string, unknown>) => {
  for (let i = execution.history.length - 1; i >= 0; i -= 1) {
    const event = execution.history[i]!;
    const name = event.details?.name;
    if (!event.type.endsWith('StateEntered') || typeof name !== 'string' || !(name in states)) continue;
    return { startAt: name, input: JSON.parse(String(event.details?.input ?? '{}')) as unknown };
  }
  return undefined;
};

/**
 * RedriveExecution (API_RedriveExecution, redrive-executions): a FAILED, ABORTED or
 * TIMED_OUT Standard execution restarts from the state it ended in, with that state's
 * input; a Distributed Map state resumes its Map Run, re-running only the unsuccessful
 * child executions (redrive-map-run). Child executions are redriven through their parent.
 * Not modelled: the 14-day window, the redrive count quota, clientToken idempotency.
 */
const redriveExecution: StatesAction = ({ cloud, input }) => {
  const body = parse(z.object({ executionArn: z.string(), clientToken: z.string().optional() }), input);
  const execution = findExecution(cloud, body.executionArn);
  if (execution.parent)
    throw notRedrivable(`Execution ${execution.arn} is a child execution of a Map Run: redrive its parent`);
  if (!REDRIVABLE.has(execution.status))
    throw notRedrivable(`Execution ${execution.arn} is ${execution.status} and cannot be redriven`);
  const definition = JSON.parse(execution.definition ?? '{}') as { States?: Record<string, unknown> };
  const restart = failedState(execution, definition.States ?? {});
  if (!restart) throw notRedrivable(`Execution ${execution.arn} has no state to redrive from`);
  const mapRun = [...statesStore(cloud).mapRuns.values()]
    .filter((r) => r.executionArn === execution.arn && r.stateName === restart.startAt)
    .at(-1);
  if (mapRun) execution.redriveMapRun = mapRun.arn;
  restartExecution(cloud, execution, restart);
  return { redriveDate: seconds(execution.redriveDate ?? cloud.now()) };
};

export const REDRIVE_ACTIONS: Record<string, StatesAction> = { RedriveExecution: redriveExecution };
