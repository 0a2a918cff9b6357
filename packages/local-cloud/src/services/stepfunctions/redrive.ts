import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import { parse, type StatesAction, seconds } from './action-support.ts';
import { restartExecution } from './executions.ts';
import { redrivePoint } from './redrive-point.ts';
import { type ExecutionRecord, findExecution, statesStore } from './store.ts';

const REDRIVABLE = new Set(['FAILED', 'ABORTED', 'TIMED_OUT']);

const notRedrivable = (message: string) => new AwsError('ExecutionNotRedrivable', message);

/** How DescribeExecution reports it (botocore stepfunctions RedriveStatus). */
export const redriveStatus = (execution: ExecutionRecord): string => {
  if (!REDRIVABLE.has(execution.status)) return 'NOT_REDRIVABLE';
  return execution.parent ? 'REDRIVABLE_BY_MAP_RUN' : 'REDRIVABLE';
};

/**
 * RedriveExecution (API_RedriveExecution, redrive-executions): a FAILED, ABORTED or
 * TIMED_OUT Standard execution restarts from the state it ended in, with that state's
 * input; a Distributed Map state resumes its Map Run, re-running only the unsuccessful
 * child executions in place (redrive-map-run). Child executions are redriven through their parent.
 * Not modelled: the 14-day window, the redrive count quota, clientToken idempotency.
 */
const redriveExecution: StatesAction = ({ cloud, input }) => {
  const body = parse(z.object({ executionArn: z.string(), clientToken: z.string().optional() }), input);
  const execution = findExecution(cloud, body.executionArn);
  if (execution.parent)
    throw notRedrivable(`Execution ${execution.arn} is a child execution of a Map Run: redrive its parent`);
  if (!REDRIVABLE.has(execution.status))
    throw notRedrivable(`Execution ${execution.arn} is ${execution.status} and cannot be redriven`);
  const restart = redrivePoint(execution);
  if (!restart) throw notRedrivable(`Execution ${execution.arn} has no state to redrive from`);
  const mapRun = [...statesStore(cloud).mapRuns.values()]
    .filter((r) => r.executionArn === execution.arn && r.stateName === restart.startAt)
    .at(-1);
  if (mapRun) execution.redriveMapRun = mapRun.arn;
  restartExecution(cloud, execution, restart);
  return { redriveDate: seconds(execution.redriveDate ?? cloud.now()) };
};

export const REDRIVE_ACTIONS: Record<string, StatesAction> = { RedriveExecution: redriveExecution };
