import {
  CreateStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import {
  HISTORY_LIMIT_CAUSE,
  HISTORY_LIMIT_ERROR,
  MAX_HISTORY_EVENTS,
} from '../../src/services/stepfunctions/errors.ts';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { LOCAL_ROLE_ARN, waitForExecution } from '../../testing/step-functions.ts';

/**
 * The execution history quota: "AWS Step Functions has a hard quota of 25,000 entries in
 * the execution event history. When an execution reaches 24,999 events, it waits for the
 * next event to happen. If the event number 25,000 is ExecutionSucceeded, the execution
 * finishes successfully. If the event number 25,000 isn't ExecutionSucceeded, the
 * ExecutionFailed event is logged and the state machine execution fails because of
 * reaching the history limit." (https://docs.aws.amazon.com/step-functions/latest/dg/bp-history-limit.html;
 * service-quotas.html: maximum execution history size, 25,000 events).
 */
const local = useLocalCloud();
const sfn = () => new SFNClient(clientConfig(local().url));

/** Counts up to `$.rounds` with a Pass and a Choice per round: 4 history events a round. */
const loop = {
  StartAt: 'Count',
  States: {
    Count: {
      Type: 'Pass',
      Parameters: { 'rounds.$': '$.rounds', 'done.$': 'States.MathAdd($.done, 1)' },
      Next: 'More',
    },
    More: {
      Type: 'Choice',
      Choices: [{ Variable: '$.done', NumericLessThanPath: '$.rounds', Next: 'Count' }],
      Default: 'Finished',
    },
    Finished: { Type: 'Succeed' },
  },
};

const fullHistory = async (executionArn: string) => {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn().send(
      new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
};

describe('the 25,000-event history limit in the local cloud', () => {
  it('succeeds when event 25,000 is ExecutionSucceeded and fails when a longer history would pass it', async () => {
    // Prepare: measure the events per round and the fixed ones, then size two runs on the limit
    const machine = (
      await sfn().send(
        new CreateStateMachineCommand({
          name: 'loop',
          definition: JSON.stringify(loop),
          roleArn: LOCAL_ROLE_ARN,
        }),
      )
    ).stateMachineArn!;
    const run = async (rounds: number) => {
      const { executionArn } = await sfn().send(
        new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ rounds, done: 0 }) }),
      );
      return waitForExecution(sfn(), executionArn!);
    };
    const sizeOf = async (rounds: number) => (await fullHistory((await run(rounds)).executionArn!)).length;
    const [one, two] = [await sizeOf(1), await sizeOf(2)];
    const perRound = two - one;
    const fixed = one - perRound;
    expect((MAX_HISTORY_EVENTS - fixed) % perRound).toBe(0);
    const exact = (MAX_HISTORY_EVENTS - fixed) / perRound;
    // Act
    const atLimit = await run(exact);
    const overLimit = await run(exact + 1);
    // Assess
    expect(atLimit.status).toBe('SUCCEEDED');
    const atLimitEvents = await fullHistory(atLimit.executionArn!);
    expect(atLimitEvents).toHaveLength(MAX_HISTORY_EVENTS);
    expect(atLimitEvents.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(overLimit.status).toBe('FAILED');
    expect(overLimit.error).toBe(HISTORY_LIMIT_ERROR);
    expect(overLimit.cause).toBe(HISTORY_LIMIT_CAUSE);
    const overEvents = await fullHistory(overLimit.executionArn!);
    expect(overEvents).toHaveLength(MAX_HISTORY_EVENTS);
    expect(overEvents.at(-1)).toMatchObject({
      id: MAX_HISTORY_EVENTS,
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: HISTORY_LIMIT_ERROR, cause: HISTORY_LIMIT_CAUSE },
    });
    expect(overEvents.at(-2)?.type).not.toBe('ExecutionFailed');
  });
});
