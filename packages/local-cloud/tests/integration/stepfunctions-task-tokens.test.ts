import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { registerLocalFunction } from '../../src/services/lambda/register.ts';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { createStateMachine, waitForExecution } from '../../testing/step-functions.ts';

/**
 * `.waitForTaskToken` in the local cloud, against "Wait for a Callback with Task Token"
 * (connect-to-resource.html#connect-wait-token: `$$.Task.Token`, SendTaskSuccess /
 * SendTaskFailure, HeartbeatSeconds → States.HeartbeatTimeout, TimeoutSeconds →
 * States.Timeout), concepts-error-handling (States.TaskFailed matches every error but
 * States.Timeout), and botocore stepfunctions SendTaskSuccess/SendTaskFailure/
 * SendTaskHeartbeat errors (InvalidToken, TaskDoesNotExist, TaskTimedOut).
 */
const local = useLocalCloud();
const sfn = () => new SFNClient(clientConfig(local().url));

const createMachine = (name: string, definition: object) => createStateMachine(sfn(), name, definition);

const start = async (machineArn: string, input: unknown = {}) =>
  (await sfn().send(new StartExecutionCommand({ stateMachineArn: machineArn, input: JSON.stringify(input) })))
    .executionArn!;

const history = async (executionArn: string) =>
  (await sfn().send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];

/** A function that hands the task token it was invoked with to the test. */
const tokenReceiver = () => {
  const tokens: string[] = [];
  let notify: (() => void) | undefined;
  registerLocalFunction(local().cloud, {
    name: 'start-snapshot',
    handler: async (event) => {
      tokens.push((event as { token: string }).token);
      notify?.();
      return { started: true };
    },
  });
  return {
    next: (count: number) =>
      new Promise<string>((resolve) => {
        const check = () => {
          if (tokens.length >= count) resolve(tokens[count - 1]!);
        };
        notify = check;
        check();
      }),
  };
};

const waitingMachine = (task: object, extra: object = {}) => ({
  StartAt: 'WaitForSnapshot',
  States: {
    WaitForSnapshot: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: 'start-snapshot',
        Payload: { 'token.$': '$$.Task.Token', 'volume.$': '$.volume' },
      },
      ...task,
      End: true,
    },
    ...extra,
  },
});

beforeEach(async () => {
  await local().control.setSpeed(1);
});

describe('Step Functions task tokens in the local cloud', () => {
  it('waits for SendTaskSuccess and takes its output as the Task result', async () => {
    // Prepare
    const receiver = tokenReceiver();
    const machine = await createMachine('callback', waitingMachine({}));
    const arn = await start(machine, { volume: 'vol-1' });
    const token = await receiver.next(1);
    // Act
    await sfn().send(
      new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ snapshotId: 'snap-1' }) }),
    );
    const done = await waitForExecution(sfn(), arn);
    // Assess
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ snapshotId: 'snap-1' });
    const types = (await history(arn)).map((e) => e.type);
    expect(types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    // The token is spent: a second answer is refused.
    await expect(
      sfn().send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });

  it('fails the Task with the error and cause of SendTaskFailure, which Catch matches by name', async () => {
    // Prepare
    const receiver = tokenReceiver();
    const machine = await createMachine(
      'callback-failure',
      waitingMachine(
        { Catch: [{ ErrorEquals: ['SnapshotFailed'], ResultPath: '$.failure', Next: 'Handled' }] },
        { Handled: { Type: 'Pass', End: true } },
      ),
    );
    const arn = await start(machine, { volume: 'vol-1' });
    // Act
    await sfn().send(
      new SendTaskFailureCommand({
        taskToken: await receiver.next(1),
        error: 'SnapshotFailed',
        cause: 'error state',
      }),
    );
    const done = await waitForExecution(sfn(), arn);
    // Assess
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).failure).toEqual({ Error: 'SnapshotFailed', Cause: 'error state' });
    const failed = (await history(arn)).find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({ error: 'SnapshotFailed', cause: 'error state' });
  });

  it('times out with States.HeartbeatTimeout without a heartbeat, and keeps waiting while heartbeats come', async () => {
    // Prepare
    const { control } = local();
    const receiver = tokenReceiver();
    await control.setSpeed(0);
    const machine = await createMachine('heartbeat', waitingMachine({ HeartbeatSeconds: 60 }));
    const arn = await start(machine, { volume: 'vol-1' });
    const token = await receiver.next(1);
    // Act: a heartbeat at 50 s moves the deadline to 110 s
    await control.advance({ ms: 50_000 });
    await sfn().send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await control.advance({ ms: 50_000 });
    await sfn().send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await control.advance({ ms: 61_000 });
    const done = await waitForExecution(sfn(), arn);
    // Assess
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('States.HeartbeatTimeout');
    const timedOut = (await history(arn)).find((e) => e.type === 'TaskTimedOut');
    expect(timedOut?.taskTimedOutEventDetails?.error).toBe('States.HeartbeatTimeout');
    await expect(sfn().send(new SendTaskHeartbeatCommand({ taskToken: token }))).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });

  it('times out with States.Timeout after TimeoutSeconds on the simulated clock, which States.TaskFailed does not catch', async () => {
    // Prepare
    const { control } = local();
    const receiver = tokenReceiver();
    await control.setSpeed(0);
    const machine = await createMachine(
      'timeout',
      waitingMachine(
        { TimeoutSeconds: 3600, Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Caught' }] },
        { Caught: { Type: 'Pass', End: true } },
      ),
    );
    const arn = await start(machine, { volume: 'vol-1' });
    await receiver.next(1);
    // Act
    await control.advance({ ms: 3_600_000 });
    const done = await waitForExecution(sfn(), arn);
    // Assess
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('States.Timeout');
    const events: HistoryEvent[] = await history(arn);
    expect(events.find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails?.error).toBe(
      'States.Timeout',
    );
    expect(events.some((e) => e.type === 'PassStateEntered')).toBe(false);
  });

  it('answers InvalidToken for a malformed token and TaskDoesNotExist for one never issued', async () => {
    await expect(
      sfn().send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })),
    ).rejects.toMatchObject({ name: 'InvalidToken' });
    await expect(
      sfn().send(new SendTaskHeartbeatCommand({ taskToken: `AQ${'A'.repeat(600)}` })),
    ).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('refuses an output that is not JSON with InvalidOutput and keeps the Task waiting', async () => {
    // Prepare
    const receiver = tokenReceiver();
    const machine = await createMachine('bad-output', waitingMachine({}));
    const arn = await start(machine, { volume: 'vol-1' });
    const token = await receiver.next(1);
    // Act
    const refused = sfn().send(new SendTaskSuccessCommand({ taskToken: token, output: '{not json' }));
    // Assess
    await expect(refused).rejects.toMatchObject({ name: 'InvalidOutput' });
    await sfn().send(new SendTaskSuccessCommand({ taskToken: token, output: '"ok"' }));
    expect((await waitForExecution(sfn(), arn)).output).toBe('"ok"');
  });

  it('sends the token in an SQS message with sqs:sendMessage.waitForTaskToken', async () => {
    // Prepare
    const sqs = new SQSClient(clientConfig(local().url));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'snapshot-requests' }));
    const machine = await createMachine('via-sqs', {
      StartAt: 'Ask',
      States: {
        Ask: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { QueueUrl, MessageBody: { 'token.$': '$$.Task.Token', 'volume.$': '$.volume' } },
          End: true,
        },
      },
    });
    const arn = await start(machine, { volume: 'vol-9' });
    // Act: receive (long poll) the message, answer with its token
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    const body = JSON.parse(received.Messages![0]!.Body!);
    await sfn().send(new SendTaskSuccessCommand({ taskToken: body.token, output: '{"from":"sqs"}' }));
    const done = await waitForExecution(sfn(), arn);
    // Assess
    expect(body.volume).toBe('vol-9');
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ from: 'sqs' });
    expect((await history(arn)).map((e) => e.type)).toContain('TaskSubmitted');
  });
});
