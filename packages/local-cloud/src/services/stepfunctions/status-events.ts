import type { LocalCloud } from '../../cloud.ts';
import { publishServiceEvent } from '../eventbridge/service.ts';
import { type ExecutionRecord, statesStore } from './store.ts';

/**
 * The "Step Functions Execution Status Change" event Step Functions sends to the default
 * bus of the execution's region when a standard execution starts and when it ends, so
 * rules on `aws.states` (run summaries, alerts) fire locally too.
 */
export const emitStatusChange = (cloud: LocalCloud, execution: ExecutionRecord): void => {
  // An execution a reset orphaned belongs to a world that no longer exists.
  if (statesStore(cloud).executions.get(execution.arn) !== execution) return;
  // Child executions of a Distributed Map send none [unconfirmed: the EventBridge pages do not say].
  if (execution.parent) return;
  publishServiceEvent(cloud, execution.region, {
    source: 'aws.states',
    detailType: 'Step Functions Execution Status Change',
    resources: [execution.arn],
    detail: {
      executionArn: execution.arn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate,
      stopDate: execution.stopDate ?? null,
      input: execution.input,
      output: execution.output ?? null,
      inputDetails: { included: true },
      outputDetails: { included: true },
      error: execution.error ?? null,
      cause: execution.cause ?? null,
    },
  });
};
