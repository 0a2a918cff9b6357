import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { registerLocalFunction } from '../../src/services/lambda/register.ts';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import {
  createStateMachine,
  LOCAL_ROLE_ARN,
  lambdaArn,
  waitForExecution,
} from '../../testing/step-functions.ts';

const local = useLocalCloud();
const sfn = () => new SFNClient(clientConfig(local().url));

const createMachine = (name: string, definition: object) => createStateMachine(sfn(), name, definition);

const run = async (machineArn: string, input: unknown = {}, name?: string) => {
  const started = await sfn().send(
    new StartExecutionCommand({ stateMachineArn: machineArn, input: JSON.stringify(input), name }),
  );
  return started.executionArn!;
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

class SnapshotNotReady extends Error {
  constructor() {
    super('snapshot still pending');
    this.name = 'SnapshotNotReady';
  }
}
class QuotaExceeded extends Error {
  constructor() {
    super('too many AMIs');
    this.name = 'QuotaExceeded';
  }
}

const waitMachine = (seconds: number) => ({
  StartAt: 'Pause',
  States: { Pause: { Type: 'Wait', Seconds: seconds, Next: 'Done' }, Done: { Type: 'Succeed' } },
});

beforeEach(async () => {
  await local().control.setSpeed(1);
});

describe('Step Functions in the local cloud', () => {
  it('runs Task → Wait → Choice → Map → Succeed against local functions, bounded by MaxConcurrency', async () => {
    // Prepare
    const { cloud, control } = local();
    let inFlight = 0;
    let maxInFlight = 0;
    registerLocalFunction(cloud, {
      name: 'list-volumes',
      handler: async (event) => ({
        ...(event as object),
        volumes: ['vol-1', 'vol-2', 'vol-3', 'vol-4', 'vol-5'],
      }),
    });
    registerLocalFunction(cloud, {
      name: 'snapshot',
      handler: async (event) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight -= 1;
        return { snapshotOf: event };
      },
    });
    const machine = await createMachine('backup', {
      StartAt: 'List',
      States: {
        List: { Type: 'Task', Resource: lambdaArn('list-volumes'), Next: 'Settle' },
        Settle: { Type: 'Wait', Seconds: 60, Next: 'AnyVolumes' },
        AnyVolumes: {
          Type: 'Choice',
          Choices: [{ Variable: '$.volumes[0]', IsPresent: true, Next: 'EachVolume' }],
          Default: 'Nothing',
        },
        EachVolume: {
          Type: 'Map',
          ItemsPath: '$.volumes',
          MaxConcurrency: 2,
          ItemProcessor: {
            StartAt: 'Snapshot',
            States: { Snapshot: { Type: 'Task', Resource: lambdaArn('snapshot'), End: true } },
          },
          ResultPath: '$.snapshots',
          Next: 'Done',
        },
        Nothing: { Type: 'Pass', Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    });
    await control.setSpeed(600);
    // Act
    const arn = await run(machine, { policy: 'nightly' });
    const done = await waitForExecution(sfn(), arn);
    // Assess
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).snapshots).toEqual(
      ['vol-1', 'vol-2', 'vol-3', 'vol-4', 'vol-5'].map((v) => ({ snapshotOf: v })),
    );
    expect(maxInFlight).toBe(2);
    const types = (await fullHistory(arn)).map((e) => e.type);
    expect(types.slice(0, 6)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
    ]);
    expect(types).toContain('WaitStateEntered');
    expect(types).toContain('ChoiceStateEntered');
    expect(types).toContain('MapStateStarted');
    expect(types.filter((t) => t === 'MapIterationStarted')).toHaveLength(5);
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    const counters = await control.counters();
    // List, Settle, AnyVolumes, EachVolume, 5 × Snapshot, Done
    expect(counters.tallies['states.transitions']).toBe(10);
    expect(counters.tallies['lambda.invocations.snapshot']).toBe(5);
  });

  it('retries the error a function throws by its name, then catches another by its name', async () => {
    // Prepare
    const { cloud, control } = local();
    let snapshotCalls = 0;
    registerLocalFunction(cloud, {
      name: 'wait-snapshot',
      handler: async () => {
        snapshotCalls += 1;
        if (snapshotCalls < 3) throw new SnapshotNotReady();
        return { state: 'completed' };
      },
    });
    registerLocalFunction(cloud, {
      name: 'register-ami',
      handler: async () => {
        throw new QuotaExceeded();
      },
    });
    const machine = await createMachine('retry-catch', {
      StartAt: 'WaitSnapshot',
      States: {
        WaitSnapshot: {
          Type: 'Task',
          Resource: lambdaArn('wait-snapshot'),
          Retry: [{ ErrorEquals: ['SnapshotNotReady'], IntervalSeconds: 30, MaxAttempts: 5, BackoffRate: 2 }],
          ResultPath: '$.snapshot',
          Next: 'RegisterAmi',
        },
        RegisterAmi: {
          Type: 'Task',
          Resource: lambdaArn('register-ami'),
          Retry: [{ ErrorEquals: ['SnapshotNotReady'], MaxAttempts: 2 }],
          Catch: [{ ErrorEquals: ['QuotaExceeded'], ResultPath: '$.failure', Next: 'Report' }],
          End: true,
        },
        Report: { Type: 'Pass', End: true },
      },
    });
    await control.setSpeed(3000);
    // Act
    const done = await waitForExecution(sfn(), await run(machine));
    // Assess
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!);
    expect(output.snapshot).toEqual({ state: 'completed' });
    expect(output.failure.Error).toBe('QuotaExceeded');
    expect(JSON.parse(output.failure.Cause)).toMatchObject({
      errorType: 'QuotaExceeded',
      errorMessage: 'too many AMIs',
    });
    expect(snapshotCalls).toBe(3);
    const history = await fullHistory(done.executionArn!);
    expect(
      history
        .filter((e) => e.type === 'LambdaFunctionFailed')
        .map((e) => e.lambdaFunctionFailedEventDetails?.error),
    ).toEqual(['SnapshotNotReady', 'SnapshotNotReady', 'QuotaExceeded']);
    // WaitSnapshot, 2 retries, RegisterAmi, Report
    expect((await control.counters()).tallies['states.transitions']).toBe(5);
  });

  it('fails the execution with the error name and Lambda cause when nothing catches it', async () => {
    const { cloud } = local();
    registerLocalFunction(cloud, {
      name: 'register-ami',
      handler: async () => {
        throw new QuotaExceeded();
      },
    });
    const machine = await createMachine('uncaught', {
      StartAt: 'RegisterAmi',
      States: { RegisterAmi: { Type: 'Task', Resource: lambdaArn('register-ami'), End: true } },
    });
    const done = await waitForExecution(sfn(), await run(machine));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('QuotaExceeded');
    expect(JSON.parse(done.cause!)).toMatchObject({ errorType: 'QuotaExceeded' });
  });

  it('runs arn:aws:states:::lambda:invoke with the SDK-shaped result and Task events', async () => {
    const { cloud } = local();
    registerLocalFunction(cloud, { name: 'echo', handler: async (event) => ({ got: event }) });
    const machine = await createMachine('optimized', {
      StartAt: 'Echo',
      States: {
        Echo: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: lambdaArn('echo'), 'Payload.$': '$' },
          OutputPath: '$.Payload',
          End: true,
        },
      },
    });
    const done = await waitForExecution(sfn(), await run(machine, { a: 1 }));
    expect(JSON.parse(done.output!)).toEqual({ got: { a: 1 } });
    const types = (await fullHistory(done.executionArn!)).map((e) => e.type);
    expect(types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('never sends an unsupported Task resource anywhere: the execution fails with States.Runtime past a catch-all', async () => {
    const machine = await createMachine('unsupported', {
      StartAt: 'Send',
      States: {
        Send: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage',
          Parameters: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', MessageBody: 'x' },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Swallow' }],
          End: true,
        },
        Swallow: { Type: 'Succeed' },
      },
    });
    const done = await waitForExecution(sfn(), await run(machine));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('States.Runtime');
    expect(done.cause).toContain('arn:aws:states:::sqs:sendMessage');
  });

  describe('payload quota: 256 KiB (States.DataLimitExceeded, which States.ALL does not catch)', () => {
    const KIB = 1024;
    const catchAll = [{ ErrorEquals: ['States.ALL'], Next: 'Swallow' }];

    it('fails the execution when a Lambda result is over 262,144 bytes, past a catch-all', async () => {
      const { cloud } = local();
      registerLocalFunction(cloud, {
        name: 'big-result',
        handler: async () => ({ s: 'x'.repeat(256 * KIB) }),
      });
      const machine = await createMachine('big-result', {
        StartAt: 'Call',
        States: {
          Call: { Type: 'Task', Resource: lambdaArn('big-result'), Catch: catchAll, End: true },
          Swallow: { Type: 'Succeed' },
        },
      });
      const done = await waitForExecution(sfn(), await run(machine));
      expect(done.status).toBe('FAILED');
      expect(done.error).toBe('States.DataLimitExceeded');
      expect(done.cause).toContain('262144');
      const types = (await fullHistory(done.executionArn!)).map((e) => e.type);
      expect(types).toContain('LambdaFunctionFailed');
      expect(types).not.toContain('SucceedStateEntered');
    });

    it('accepts a result of exactly 262,144 bytes', async () => {
      const { cloud } = local();
      // {"s":"…"} is 8 bytes of JSON around the string.
      registerLocalFunction(cloud, {
        name: 'at-limit',
        handler: async () => ({ s: 'x'.repeat(256 * KIB - 8) }),
      });
      const machine = await createMachine('at-limit', {
        StartAt: 'Call',
        States: { Call: { Type: 'Task', Resource: lambdaArn('at-limit'), OutputPath: '$.s', End: true } },
      });
      const done = await waitForExecution(sfn(), await run(machine));
      expect(done.status).toBe('SUCCEEDED');
    });

    it('never invokes a Lambda whose input is over the limit', async () => {
      const { cloud } = local();
      let calls = 0;
      registerLocalFunction(cloud, { name: 'half', handler: async () => 'y'.repeat(150 * KIB) });
      registerLocalFunction(cloud, {
        name: 'counted',
        handler: async () => {
          calls += 1;
          return {};
        },
      });
      const machine = await createMachine('big-input', {
        StartAt: 'Half',
        States: {
          Half: { Type: 'Task', Resource: lambdaArn('half'), ResultPath: '$.half', Next: 'Both' },
          Both: {
            Type: 'Task',
            Resource: lambdaArn('counted'),
            Parameters: { 'a.$': '$.half', 'b.$': '$.half' },
            ResultPath: null,
            Catch: catchAll,
            End: true,
          },
          Swallow: { Type: 'Succeed' },
        },
      });
      const done = await waitForExecution(sfn(), await run(machine));
      expect(done.status).toBe('FAILED');
      expect(done.error).toBe('States.DataLimitExceeded');
      expect(calls).toBe(0);
    });

    it('fails the execution when a Map accumulates results over the limit, though each is small', async () => {
      const { cloud } = local();
      let summarized = 0;
      registerLocalFunction(cloud, { name: 'item', handler: async () => ({ s: 'z'.repeat(100 * KIB) }) });
      registerLocalFunction(cloud, {
        name: 'summarize',
        handler: async () => {
          summarized += 1;
          return {};
        },
      });
      const machine = await createMachine('big-map', {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            ResultPath: '$.results',
            ItemProcessor: {
              ProcessorConfig: { Mode: 'INLINE' },
              StartAt: 'Item',
              States: { Item: { Type: 'Task', Resource: lambdaArn('item'), End: true } },
            },
            Catch: catchAll,
            Next: 'Summarize',
          },
          Summarize: { Type: 'Task', Resource: lambdaArn('summarize'), End: true },
          Swallow: { Type: 'Succeed' },
        },
      });
      const done = await waitForExecution(sfn(), await run(machine, { items: [1, 2, 3] }));
      expect(done.status).toBe('FAILED');
      expect(done.error).toBe('States.DataLimitExceeded');
      expect(done.cause).toContain("'Each'");
      expect(summarized).toBe(0);
    });

    it('fails the execution when its output is over the limit', async () => {
      const { cloud } = local();
      registerLocalFunction(cloud, { name: 'chunk', handler: async () => 'w'.repeat(200 * KIB) });
      const machine = await createMachine('big-output', {
        StartAt: 'Chunk',
        States: {
          Chunk: { Type: 'Task', Resource: lambdaArn('chunk'), ResultPath: '$.a', Next: 'Done' },
          Done: { Type: 'Succeed' },
        },
      });
      // The input plus the result is over the limit: the state output, thus the execution output.
      const done = await waitForExecution(sfn(), await run(machine, { pad: 'v'.repeat(100 * KIB) }));
      expect(done.status).toBe('FAILED');
      expect(done.error).toBe('States.DataLimitExceeded');
    });
  });

  it('fails a Task on a function that is not registered with Lambda.ResourceNotFoundException', async () => {
    const machine = await createMachine('missing-fn', {
      StartAt: 'Call',
      States: { Call: { Type: 'Task', Resource: lambdaArn('nobody'), End: true } },
    });
    const done = await waitForExecution(sfn(), await run(machine));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('Lambda.ResourceNotFoundException');
  });

  it('returns the running execution for the same name and input, ExecutionAlreadyExists otherwise', async () => {
    // Prepare
    const client = sfn();
    const machine = await createMachine('idempotent', waitMachine(3600));
    const first = await client.send(
      new StartExecutionCommand({ stateMachineArn: machine, name: 'nightly-2026-01-01', input: '{"p":1}' }),
    );
    // Act
    const again = await client.send(
      new StartExecutionCommand({ stateMachineArn: machine, name: 'nightly-2026-01-01', input: '{"p":1}' }),
    );
    const otherInput = client.send(
      new StartExecutionCommand({ stateMachineArn: machine, name: 'nightly-2026-01-01', input: '{"p":2}' }),
    );
    // Assess
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    await expect(otherInput).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await client.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    await expect(
      client.send(
        new StartExecutionCommand({ stateMachineArn: machine, name: 'nightly-2026-01-01', input: '{"p":1}' }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('rejects execution names longer than 80 characters or with forbidden characters', async () => {
    const machine = await createMachine('names', waitMachine(1));
    for (const name of ['x'.repeat(81), 'has space', 'a/b', 'semi;colon', 'tab\tbed']) {
      await expect(
        sfn().send(new StartExecutionCommand({ stateMachineArn: machine, name })),
      ).rejects.toMatchObject({
        name: 'InvalidName',
      });
    }
    const ok = await sfn().send(
      new StartExecutionCommand({ stateMachineArn: machine, name: 'x'.repeat(80) }),
    );
    expect(ok.executionArn).toMatch(/:execution:names:x{80}$/);
  });

  it('generates a UUID name when none is given', async () => {
    const machine = await createMachine('uuid', waitMachine(1));
    const arn = await run(machine);
    expect(arn).toMatch(/:execution:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('aborts a running execution on StopExecution', async () => {
    // Prepare
    const machine = await createMachine('stoppable', waitMachine(3600));
    const arn = await run(machine);
    // Act
    const stopped = await sfn().send(
      new StopExecutionCommand({ executionArn: arn, error: 'Operator', cause: 'rehearsal over' }),
    );
    // Assess
    const described = await sfn().send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'rehearsal over' });
    expect(described.stopDate).toEqual(stopped.stopDate);
    const history = await fullHistory(arn);
    expect(history.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Operator', cause: 'rehearsal over' },
    });
    const listed = await sfn().send(
      new ListExecutionsCommand({ stateMachineArn: machine, statusFilter: 'ABORTED' }),
    );
    expect(listed.executions?.map((e) => e.executionArn)).toEqual([arn]);
  });

  it('pages the execution history with contiguous event ids', async () => {
    // Prepare
    const { cloud } = local();
    registerLocalFunction(cloud, { name: 'step', handler: async (event) => event });
    const machine = await createMachine('paged', {
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: lambdaArn('step'), Next: 'B' },
        B: { Type: 'Pass', Next: 'C' },
        C: { Type: 'Task', Resource: lambdaArn('step'), End: true },
      },
    });
    const arn = (await waitForExecution(sfn(), await run(machine))).executionArn!;
    // Act
    const pages: HistoryEvent[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn().send(
        new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 4, nextToken }),
      );
      pages.push(page.events ?? []);
      nextToken = page.nextToken;
    } while (nextToken);
    // Assess
    const events = pages.flat();
    expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 2]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.previousEventId)).toEqual(events.map((_, i) => i));
    expect(events[0]?.executionStartedEventDetails?.roleArn).toBe(LOCAL_ROLE_ARN);
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    const reversed = await sfn().send(
      new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 1 }),
    );
    expect(reversed.events?.[0]?.type).toBe('ExecutionSucceeded');
    await expect(
      sfn().send(new GetExecutionHistoryCommand({ executionArn: arn, nextToken: 'not-a-token' })),
    ).rejects.toMatchObject({ name: 'InvalidToken' });
  });

  it('finishes a one-hour Wait promptly when the clock runs at 3600x', async () => {
    const { control } = local();
    const machine = await createMachine('hour-fast', waitMachine(3600));
    await control.setSpeed(3600);
    const done = await waitForExecution(sfn(), await run(machine));
    expect(done.status).toBe('SUCCEEDED');
    expect(done.stopDate!.getTime() - done.startDate!.getTime()).toBeGreaterThanOrEqual(3600_000);
  });

  it('finishes a one-hour Wait when the clock is advanced past it', async () => {
    const { control } = local();
    const machine = await createMachine('hour-advance', waitMachine(3600));
    const arn = await run(machine);
    const before = await sfn().send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(before.status).toBe('RUNNING');
    await control.advance({ minutes: 61 });
    const done = await waitForExecution(sfn(), arn);
    expect(done.status).toBe('SUCCEEDED');
  });

  it('times out an execution after its TimeoutSeconds on the simulated clock', async () => {
    const { control } = local();
    const machine = await createMachine('timeout', { ...waitMachine(7200), TimeoutSeconds: 3600 });
    const arn = await run(machine);
    await control.advance({ minutes: 90 });
    const done = await waitForExecution(sfn(), arn);
    expect(done).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
  });

  it('creates state machines idempotently and refuses a different definition under the same name', async () => {
    // Prepare
    const client = sfn();
    const definition = JSON.stringify(waitMachine(1));
    const first = await client.send(
      new CreateStateMachineCommand({ name: 'same', definition, roleArn: LOCAL_ROLE_ARN }),
    );
    // Act
    const again = await client.send(
      new CreateStateMachineCommand({ name: 'same', definition, roleArn: LOCAL_ROLE_ARN }),
    );
    const different = client.send(
      new CreateStateMachineCommand({
        name: 'same',
        definition: JSON.stringify(waitMachine(2)),
        roleArn: LOCAL_ROLE_ARN,
      }),
    );
    // Assess
    expect(again).toMatchObject({ stateMachineArn: first.stateMachineArn, creationDate: first.creationDate });
    expect(first.stateMachineArn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:same');
    await expect(different).rejects.toMatchObject({ name: 'StateMachineAlreadyExists' });
    await expect(
      client.send(
        new CreateStateMachineCommand({
          name: 'bad',
          definition: '{"StartAt":"Nope","States":{}}',
          roleArn: LOCAL_ROLE_ARN,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidDefinition' });
    await expect(
      client.send(
        new CreateStateMachineCommand({ name: 'bad', definition: 'not json', roleArn: LOCAL_ROLE_ARN }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidDefinition' });
  });

  it('updates, describes and pages state machines', async () => {
    const client = sfn();
    for (const name of ['m1', 'm2', 'm3']) await createMachine(name, waitMachine(1));
    const m2 = 'arn:aws:states:us-east-1:123456789012:stateMachine:m2';
    await client.send(
      new UpdateStateMachineCommand({ stateMachineArn: m2, definition: JSON.stringify(waitMachine(5)) }),
    );
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: m2 }));
    expect(JSON.parse(described.definition!).States.Pause.Seconds).toBe(5);
    expect(described.type).toBe('STANDARD');
    const page1 = await client.send(new ListStateMachinesCommand({ maxResults: 2 }));
    const page2 = await client.send(
      new ListStateMachinesCommand({ maxResults: 2, nextToken: page1.nextToken }),
    );
    expect([...(page1.stateMachines ?? []), ...(page2.stateMachines ?? [])].map((m) => m.name)).toEqual([
      'm1',
      'm2',
      'm3',
    ]);
    expect(page2.nextToken).toBeUndefined();
    await expect(
      client.send(new DescribeStateMachineCommand({ stateMachineArn: `${m2}-gone` })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});
