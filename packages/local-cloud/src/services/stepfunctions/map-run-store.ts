/** How many items (or child executions) of a Map Run are in each state (DescribeMapRun `itemCounts`). */
export interface RunCounts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  total: number;
  resultsWritten: number;
}

type MapRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** A Map Run: the child executions one Distributed Map state started (DescribeMapRun). */
export interface MapRunRecord {
  arn: string;
  /** The parent execution. */
  executionArn: string;
  /** `…:stateMachine:<name>/<label>`, the state machine ARN of the child executions. */
  stateMachineArn: string;
  status: MapRunStatus;
  startDate: number;
  stopDate?: number;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  toleratedFailureCount: number;
  itemCounts: RunCounts;
  executionCounts: RunCounts;
}

export const emptyCounts = (): RunCounts => ({
  pending: 0,
  running: 0,
  succeeded: 0,
  failed: 0,
  timedOut: 0,
  aborted: 0,
  total: 0,
  resultsWritten: 0,
});
