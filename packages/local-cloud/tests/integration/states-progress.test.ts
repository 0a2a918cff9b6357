/**
 * The control route `POST /_shipyard/states/progress` (not an AWS API): a waiter learns of each
 * history event as it is recorded instead of polling DescribeExecution.
 */
import {
  CreateStateMachineCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { LOCAL_ROLE_ARN } from '../../testing/step-functions.ts';

const local = useLocalCloud();
const sfn = () => new SFNClient(clientConfig(local().url));
/** The longest wait the route takes; an answer with a new event came from the event, not from this. */
const LONG_WAIT_MS = 60_000;

const startHourWait = async () => {
  const { stateMachineArn } = await sfn().send(
    new CreateStateMachineCommand({
      name: 'hour',
      roleArn: LOCAL_ROLE_ARN,
      definition: JSON.stringify({
        StartAt: 'Pause',
        States: { Pause: { Type: 'Wait', Seconds: 3600, Next: 'Done' }, Done: { Type: 'Succeed' } },
      }),
    }),
  );
  const { executionArn } = await sfn().send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
  return executionArn!;
};
const eventCount = async (executionArn: string) =>
  (await sfn().send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events?.length ?? 0;

beforeEach(async () => {
  // The clock stands still: only advance() moves the execution on.
  await local().control.setSpeed(0);
});

describe('POST /_shipyard/states/progress', () => {
  it('answers at the next history event, not at the end of waitMs', async () => {
    const { control } = local();
    const executionArn = await startHourWait();
    const seen = await eventCount(executionArn);
    const progress = control.executionProgress({ executionArn, afterEventId: seen, waitMs: LONG_WAIT_MS });
    await control.advance({ minutes: 61 });
    const answer = await progress;
    expect(answer.lastEventId).toBeGreaterThan(seen);
    expect(answer.status).toBeDefined();
  });

  it('answers at once with the status when the execution has already ended', async () => {
    const { control } = local();
    const executionArn = await startHourWait();
    await control.advance({ minutes: 61 });
    let answer = await control.executionProgress({ executionArn, afterEventId: 0, waitMs: LONG_WAIT_MS });
    while (answer.status === 'RUNNING')
      answer = await control.executionProgress({
        executionArn,
        afterEventId: answer.lastEventId,
        waitMs: LONG_WAIT_MS,
      });
    const last = answer.lastEventId;
    const again = await control.executionProgress({ executionArn, afterEventId: last, waitMs: LONG_WAIT_MS });
    const requests = (await control.counters()).calls.reduce((n, c) => n + c.count, 0);
    expect(again).toEqual({ status: 'SUCCEEDED', lastEventId: last, activity: last, requests });
    expect(await eventCount(executionArn)).toBe(last);
  });

  it('answers after waitMs without a status while no execution has that ARN, progress unchanged', async () => {
    const answer = await local().control.executionProgress({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:hour:missing',
      afterEventId: 0,
      waitMs: 10,
    });
    expect(answer).toEqual({ lastEventId: 0, activity: 0, requests: 0 });
  });

  it('counts the AWS requests answered, the progress of a step between two events', async () => {
    const { control } = local();
    const executionArn = await startHourWait();
    const before = await control.executionProgress({ executionArn, afterEventId: 0, waitMs: 0 });
    await eventCount(executionArn);
    const after = await control.executionProgress({ executionArn, afterEventId: 0, waitMs: 0 });
    expect(after.requests).toBeGreaterThan(before.requests);
    expect(after.lastEventId).toBe(before.lastEventId);
  });
});
