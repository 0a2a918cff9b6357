import { z } from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { decodePageToken, invalidTokenError, pageOf } from '../../protocol/page-token.ts';
import { pageSize, parse, type StatesAction, seconds } from './action-support.ts';
import { invalidArn } from './errors.ts';
import { isMapRunArn } from './map-run.ts';
import type { MapRunRecord, RunCounts } from './map-run-store.ts';
import { findExecution, statesStore } from './store.ts';

/** DescribeMapRun / ListExecutions on an unknown Map Run: ResourceNotFound (botocore stepfunctions). */
export const findMapRun = (cloud: LocalCloud, arn: unknown): MapRunRecord => {
  if (!isMapRunArn(arn)) throw invalidArn(String(arn));
  const run = statesStore(cloud).mapRuns.get(arn);
  if (!run) throw new AwsError('ResourceNotFound', `Resource not found: '${arn}'`);
  return run;
};

/** The counts as DescribeMapRun reports them (MapRunItemCounts / MapRunExecutionCounts). */
const countsView = (counts: RunCounts) => ({
  ...counts,
  failuresNotRedrivable: counts.failed + counts.timedOut + counts.aborted,
  pendingRedrive: 0,
});

/**
 * DescribeMapRun: status, configuration and per-state item and child-execution counts, so
 * a client can show a map's progress (API_DescribeMapRun).
 */
const describeMapRun: StatesAction = ({ cloud, input }) => {
  const run = findMapRun(cloud, parse(z.object({ mapRunArn: z.string() }), input).mapRunArn);
  return {
    mapRunArn: run.arn,
    executionArn: run.executionArn,
    status: run.status,
    startDate: seconds(run.startDate),
    ...(run.stopDate !== undefined ? { stopDate: seconds(run.stopDate) } : {}),
    maxConcurrency: run.maxConcurrency,
    toleratedFailurePercentage: run.toleratedFailurePercentage,
    toleratedFailureCount: run.toleratedFailureCount,
    itemCounts: countsView(run.itemCounts),
    executionCounts: countsView(run.executionCounts),
    redriveCount: 0,
  };
};

const ListMapRunsInput = z.object({
  executionArn: z.string(),
  maxResults: z.number().optional(),
  nextToken: z.string().optional(),
});

/** ListMapRuns: the Map Runs an execution started (API_ListMapRuns). */
const listMapRuns: StatesAction = ({ cloud, input }) => {
  const body = parse(ListMapRunsInput, input);
  const execution = findExecution(cloud, body.executionArn);
  const runs = [...statesStore(cloud).mapRuns.values()].filter((r) => r.executionArn === execution.arn);
  const scope = `mapRuns:${execution.arn}`;
  const offset = decodePageToken(scope, body.nextToken, () => invalidTokenError());
  const { page, nextToken } = pageOf(runs, scope, offset, pageSize(body.maxResults));
  return {
    mapRuns: page.map((r) => ({
      executionArn: r.executionArn,
      mapRunArn: r.arn,
      stateMachineArn: r.stateMachineArn,
      startDate: seconds(r.startDate),
      ...(r.stopDate !== undefined ? { stopDate: seconds(r.stopDate) } : {}),
    })),
    ...(nextToken ? { nextToken } : {}),
  };
};

export const MAP_RUN_ACTIONS: Record<string, StatesAction> = {
  DescribeMapRun: describeMapRun,
  ListMapRuns: listMapRuns,
};
