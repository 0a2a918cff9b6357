import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { ControlClient } from '../src/control-client.ts';

export const LOCAL_ROLE_ARN = 'arn:aws:iam::123456789012:role/shipyard-local';

/**
 * Real time without one new history event (nor one AWS request answered) after which a wait
 * gives up: a bound on progress, not on duration, so a slow machine (each step slower) never fails a test that a stalled
 * execution would (no step for this long).
 */
export const STALL_MS = 30_000;

const controlOf = async (sfn: SFNClient): Promise<ControlClient> => {
  const endpoint = await sfn.config.endpoint?.();
  if (!endpoint) throw new Error('waitForExecution needs an SFN client with an endpoint (the local cloud)');
  return new ControlClient(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`);
};

/**
 * Follows the execution through the local cloud's progress route (answered at each history
 * event, no polling) until it leaves RUNNING, then describes it. Throws when `stallMs` pass
 * without progress (ControlClient.followExecution); never a timing assertion.
 */
export const waitForExecution = async (
  sfn: SFNClient,
  executionArn: string,
  { stallMs = STALL_MS } = {},
): Promise<DescribeExecutionCommandOutput> => {
  const control = await controlOf(sfn);
  const status = await control.followExecution(executionArn, stallMs);
  if (status === undefined)
    throw new Error(`execution made no progress for ${stallMs / 1000}s: ${executionArn}`);
  return sfn.send(new DescribeExecutionCommand({ executionArn }));
};

export const lambdaArn = (name: string, region = 'us-east-1') =>
  `arn:aws:lambda:${region}:123456789012:function:${name}`;

/** Creates a state machine from an ASL object with the local role; its ARN. */
export const createStateMachine = async (sfn: SFNClient, name: string, definition: object): Promise<string> =>
  (
    await sfn.send(
      new CreateStateMachineCommand({
        name,
        definition: JSON.stringify(definition),
        roleArn: LOCAL_ROLE_ARN,
      }),
    )
  ).stateMachineArn!;
