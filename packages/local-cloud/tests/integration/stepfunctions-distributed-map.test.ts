import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { registerLocalFunction } from '../../src/services/lambda/register.ts';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { createStateMachine, lambdaArn, waitForExecution } from '../../testing/step-functions.ts';

/**
 * Distributed Map in the local cloud, against the AWS Step Functions Developer Guide:
 * concepts-asl-use-map-state-distributed (child workflow executions, MaxConcurrency,
 * ToleratedFailurePercentage/Count → States.ExceedToleratedFailureThreshold, ItemSelector,
 * ItemBatcher, Label), input-output-itemreader, input-output-resultwriter, and the API
 * reference (DescribeMapRun, ListMapRuns, ListExecutions `mapRunArn`).
 */
const local = useLocalCloud();
const sfn = () => new SFNClient(clientConfig(local().url));
const s3 = () => new S3Client({ ...clientConfig(local().url), forcePathStyle: true });

const createMachine = (name: string, definition: object) => createStateMachine(sfn(), name, definition);

const start = async (machineArn: string, input: unknown = {}) =>
  (await sfn().send(new StartExecutionCommand({ stateMachineArn: machineArn, input: JSON.stringify(input) })))
    .executionArn!;

const historyTypes = async (executionArn: string) =>
  ((await sfn().send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? []).map(
    (e) => e.type,
  );

const distributed = (fields: object, processor: object) => ({
  StartAt: 'Each',
  States: {
    Each: {
      Type: 'Map',
      ...fields,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, ...processor },
      End: true,
    },
  },
});

const lambdaProcessor = (name: string) => ({
  StartAt: 'Work',
  States: { Work: { Type: 'Task', Resource: lambdaArn(name), End: true } },
});

class TargetFailed extends Error {
  constructor() {
    super('this target failed');
    this.name = 'TargetFailed';
  }
}

beforeEach(async () => {
  await local().control.setSpeed(1);
});

describe('Step Functions Distributed Map in the local cloud', () => {
  it('runs each item as a child execution listed under its Map Run, bounded by MaxConcurrency', async () => {
    // Prepare
    const { cloud } = local();
    let inFlight = 0;
    let maxInFlight = 0;
    let started = 0;
    const held: (() => void)[] = [];
    registerLocalFunction(cloud, {
      name: 'backup-target',
      handler: async (event) => {
        inFlight += 1;
        started += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // A child is held until another runs beside it (or it is the last item): the overlap
        // comes from the Map's progress, not from a real-time pause a slow machine outlasts.
        if (inFlight < 2 && started < 5) await new Promise<void>((release) => held.push(release));
        else for (const release of held.splice(0)) release();
        inFlight -= 1;
        return { done: event };
      },
    });
    const machine = await createMachine(
      'fleet',
      distributed(
        {
          ItemsPath: '$.targets',
          MaxConcurrency: 2,
          Label: 'Targets',
          ItemSelector: {
            'id.$': '$$.Map.Item.Value',
            'index.$': '$$.Map.Item.Index',
            'policy.$': '$.policy',
          },
        },
        lambdaProcessor('backup-target'),
      ),
    );
    // Act
    const arn = await start(machine, { policy: 'nightly', targets: ['i-1', 'i-2', 'i-3', 'i-4', 'i-5'] });
    const done = await waitForExecution(sfn(), arn);
    // Assess: the output is each child's output in item order; ItemSelector saw $$.Map.Item and the state input
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual(
      ['i-1', 'i-2', 'i-3', 'i-4', 'i-5'].map((id, index) => ({ done: { id, index, policy: 'nightly' } })),
    );
    expect(maxInFlight).toBe(2);
    const runs = (await sfn().send(new ListMapRunsCommand({ executionArn: arn }))).mapRuns ?? [];
    expect(runs).toHaveLength(1);
    // The Label names the Map Run and the child executions' state machine (concepts-examine-map-run).
    expect(runs[0]!.mapRunArn).toMatch(
      /^arn:aws:states:us-east-1:123456789012:mapRun:fleet\/Targets:[0-9a-f-]{36}$/,
    );
    expect(runs[0]!.stateMachineArn).toBe(`${machine}/Targets`);
    const run = await sfn().send(new DescribeMapRunCommand({ mapRunArn: runs[0]!.mapRunArn }));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.maxConcurrency).toBe(2);
    expect(run.itemCounts).toMatchObject({ total: 5, succeeded: 5, pending: 0, running: 0, failed: 0 });
    expect(run.executionCounts).toMatchObject({ total: 5, succeeded: 5 });
    const children =
      (await sfn().send(new ListExecutionsCommand({ mapRunArn: runs[0]!.mapRunArn }))).executions ?? [];
    expect(children).toHaveLength(5);
    expect(children.every((c) => c.mapRunArn === runs[0]!.mapRunArn && c.itemCount === 1)).toBe(true);
    expect(children[0]!.executionArn).toMatch(/:execution:fleet\/Targets:/);
    // Each child has its own history; the parent's shows the Map Run, not the iterations.
    const child = await sfn().send(new DescribeExecutionCommand({ executionArn: children[0]!.executionArn }));
    expect(child.mapRunArn).toBe(runs[0]!.mapRunArn);
    expect(await historyTypes(children[0]!.executionArn!)).toContain('LambdaFunctionSucceeded');
    const parent = await historyTypes(arn);
    expect(parent).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapRunStarted',
      'MapRunSucceeded',
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
    // ListExecutions by the parent's state machine lists only the parent.
    const listed =
      (await sfn().send(new ListExecutionsCommand({ stateMachineArn: machine }))).executions ?? [];
    expect(listed.map((e) => e.executionArn)).toEqual([arn]);
  });

  it('fails with States.ExceedToleratedFailureThreshold past ToleratedFailureCount, and tolerates up to it', async () => {
    // Prepare: targets named "bad-*" fail
    const { cloud } = local();
    registerLocalFunction(cloud, {
      name: 'flaky-target',
      handler: async (event) => {
        if (String(event).startsWith('bad')) throw new TargetFailed();
        return event;
      },
    });
    const machineFor = (name: string, tolerated: number) =>
      createMachine(
        name,
        distributed({ ToleratedFailureCount: tolerated, MaxConcurrency: 1 }, lambdaProcessor('flaky-target')),
      );
    const strict = await machineFor('strict', 1);
    const lenient = await machineFor('lenient', 2);
    const items = ['ok-1', 'bad-1', 'ok-2', 'bad-2', 'ok-3'];
    // Act
    const failed = await waitForExecution(sfn(), await start(strict, items));
    const tolerated = await waitForExecution(sfn(), await start(lenient, items));
    // Assess
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('States.ExceedToleratedFailureThreshold');
    const failedHistory = await historyTypes(failed.executionArn!);
    expect(failedHistory).toContain('MapRunFailed');
    const [failedRun] = (await sfn().send(new ListMapRunsCommand({ executionArn: failed.executionArn })))
      .mapRuns!;
    const described = await sfn().send(new DescribeMapRunCommand({ mapRunArn: failedRun!.mapRunArn }));
    expect(described.status).toBe('FAILED');
    // Stopped at the second failure: the fifth item never started.
    expect(described.itemCounts).toMatchObject({ total: 5, failed: 2, succeeded: 2, pending: 1 });
    expect(tolerated.status).toBe('SUCCEEDED');
    const outputs = JSON.parse(tolerated.output!);
    expect(outputs.filter((o: unknown) => typeof o === 'string')).toEqual(['ok-1', 'ok-2', 'ok-3']);
  });

  it('tolerates every failure with ToleratedFailurePercentage 100 and catches the threshold error otherwise', async () => {
    // Prepare
    const { cloud } = local();
    registerLocalFunction(cloud, {
      name: 'always-fails',
      handler: async () => {
        throw new TargetFailed();
      },
    });
    const all = await createMachine(
      'all-tolerated',
      distributed({ ToleratedFailurePercentage: 100 }, lambdaProcessor('always-fails')),
    );
    const caught = await createMachine('caught', {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            ...lambdaProcessor('always-fails'),
          },
          Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], Next: 'Report' }],
          End: true,
        },
        Report: { Type: 'Pass', End: true },
      },
    });
    // Act
    const allDone = await waitForExecution(sfn(), await start(all, [1, 2, 3]));
    const caughtDone = await waitForExecution(sfn(), await start(caught, [1]));
    // Assess
    expect(allDone.status).toBe('SUCCEEDED');
    expect(JSON.parse(allDone.output!)).toHaveLength(3);
    expect(caughtDone.status).toBe('SUCCEEDED');
    expect(JSON.parse(caughtDone.output!).Error).toBe('States.ExceedToleratedFailureThreshold');
  });

  it('groups items with ItemBatcher into {BatchInput, Items} child inputs', async () => {
    // Prepare
    const { cloud } = local();
    registerLocalFunction(cloud, {
      name: 'batch',
      handler: async (event) => (event as { Items: unknown[] }).Items.length,
    });
    const machine = await createMachine(
      'batches',
      distributed(
        { ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { policy: 'p' } } },
        lambdaProcessor('batch'),
      ),
    );
    // Act
    const done = await waitForExecution(sfn(), await start(machine, [1, 2, 3, 4, 5]));
    // Assess
    expect(JSON.parse(done.output!)).toEqual([2, 2, 1]);
    const [run] = (await sfn().send(new ListMapRunsCommand({ executionArn: done.executionArn }))).mapRuns!;
    const children = (await sfn().send(new ListExecutionsCommand({ mapRunArn: run!.mapRunArn }))).executions!;
    expect(children.map((c) => c.itemCount).sort()).toEqual([1, 2, 2]);
    const first = await sfn().send(
      new DescribeExecutionCommand({ executionArn: children.at(-1)!.executionArn }),
    );
    expect(JSON.parse(first.input!)).toEqual({ BatchInput: { policy: 'p' }, Items: [1, 2] });
  });

  it('reads items from S3 with ItemReader and writes manifest.json and SUCCEEDED_0.json with ResultWriter', async () => {
    // Prepare
    const { cloud } = local();
    registerLocalFunction(cloud, { name: 'echo', handler: async (event) => ({ echoed: event }) });
    await s3().send(new CreateBucketCommand({ Bucket: 'fleet-items' }));
    await s3().send(
      new PutObjectCommand({
        Bucket: 'fleet-items',
        Key: 'run-1/targets.json',
        Body: JSON.stringify(['a', 'b', 'c']),
      }),
    );
    await s3().send(
      new PutObjectCommand({ Bucket: 'fleet-items', Key: 'run-1/targets.csv', Body: 'id,size\nx,1\ny,2\n' }),
    );
    const machine = await createMachine(
      'from-s3',
      distributed(
        {
          ItemReader: {
            Resource: 'arn:aws:states:::s3:getObject',
            ReaderConfig: { InputType: 'JSON' },
            Parameters: { 'Bucket.$': '$.bucket', 'Key.$': '$.key' },
          },
          ResultWriter: {
            Resource: 'arn:aws:states:::s3:putObject',
            Parameters: { 'Bucket.$': '$.bucket', Prefix: 'results' },
          },
        },
        lambdaProcessor('echo'),
      ),
    );
    const csv = await createMachine(
      'from-csv',
      distributed(
        {
          ItemReader: {
            Resource: 'arn:aws:states:::s3:getObject',
            ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
            Parameters: { Bucket: 'fleet-items', Key: 'run-1/targets.csv' },
          },
        },
        lambdaProcessor('echo'),
      ),
    );
    // Act
    const done = await waitForExecution(
      sfn(),
      await start(machine, { bucket: 'fleet-items', key: 'run-1/targets.json' }),
    );
    const csvDone = await waitForExecution(sfn(), await start(csv));
    // Assess: the state output is the ResultWriterDetails (input-output-resultwriter)
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!);
    expect(output.MapRunArn).toMatch(/:mapRun:from-s3\//);
    const runId = output.MapRunArn.split(':').at(-1);
    expect(output.ResultWriterDetails).toEqual({
      Bucket: 'fleet-items',
      Key: `results/${runId}/manifest.json`,
    });
    const read = async (key: string) =>
      JSON.parse(
        await (
          await s3().send(new GetObjectCommand({ Bucket: 'fleet-items', Key: key }))
        ).Body!.transformToString(),
      );
    const manifest = await read(output.ResultWriterDetails.Key);
    expect(manifest.DestinationBucket).toBe('fleet-items');
    expect(manifest.MapRunArn).toBe(output.MapRunArn);
    expect(manifest.ResultFiles.FAILED).toEqual([]);
    expect(manifest.ResultFiles.PENDING).toEqual([]);
    expect(manifest.ResultFiles.SUCCEEDED).toEqual([
      { Key: `results/${runId}/SUCCEEDED_0.json`, Size: expect.any(Number) },
    ]);
    const succeeded = await read(`results/${runId}/SUCCEEDED_0.json`);
    expect(succeeded).toHaveLength(3);
    expect(succeeded.map((e: { Output: string }) => JSON.parse(e.Output).echoed).sort()).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(succeeded[0]).toMatchObject({ Status: 'SUCCEEDED', InputDetails: { Included: true } });
    const run = await sfn().send(new DescribeMapRunCommand({ mapRunArn: output.MapRunArn }));
    expect(run.itemCounts?.resultsWritten).toBe(3);
    expect(JSON.parse(csvDone.output!)).toEqual([
      { echoed: { id: 'x', size: '1' } },
      { echoed: { id: 'y', size: '2' } },
    ]);
  });

  it('fails with States.ItemReaderFailed on a missing or malformed item file, and States.ResultWriterFailed on a missing bucket', async () => {
    // Prepare
    const { cloud } = local();
    registerLocalFunction(cloud, { name: 'echo', handler: async (event) => event });
    await s3().send(new CreateBucketCommand({ Bucket: 'fleet-items' }));
    await s3().send(
      new PutObjectCommand({ Bucket: 'fleet-items', Key: 'broken.json', Body: '{"not": "an array"' }),
    );
    const reading = (key: string) =>
      distributed(
        {
          ItemReader: {
            Resource: 'arn:aws:states:::s3:getObject',
            ReaderConfig: { InputType: 'JSON' },
            Parameters: { Bucket: 'fleet-items', Key: key },
          },
        },
        lambdaProcessor('echo'),
      );
    const missing = await createMachine('missing-file', reading('absent.json'));
    const malformed = await createMachine('malformed-file', reading('broken.json'));
    const noBucket = await createMachine(
      'no-result-bucket',
      distributed(
        {
          ResultWriter: {
            Resource: 'arn:aws:states:::s3:putObject',
            Parameters: { Bucket: 'nowhere', Prefix: 'r' },
          },
        },
        lambdaProcessor('echo'),
      ),
    );
    // Act
    const results = await Promise.all(
      [start(missing), start(malformed), start(noBucket, [1])].map(async (arn) =>
        waitForExecution(sfn(), await arn),
      ),
    );
    // Assess
    expect(results.map((r) => [r.status, r.error])).toEqual([
      ['FAILED', 'States.ItemReaderFailed'],
      ['FAILED', 'States.ItemReaderFailed'],
      ['FAILED', 'States.ResultWriterFailed'],
    ]);
    expect(results[0]!.cause).toContain('NoSuchKey');
    expect(results[1]!.cause).toContain('not valid JSON');
    expect(results[2]!.cause).toContain('NoSuchBucket');
    // Nothing half-done: no child ran for an unreadable item file.
    const [run] = (await sfn().send(new ListMapRunsCommand({ executionArn: results[0]!.executionArn })))
      .mapRuns!;
    const described = await sfn().send(new DescribeMapRunCommand({ mapRunArn: run!.mapRunArn }));
    expect(described.status).toBe('FAILED');
    expect(described.executionCounts?.total).toBe(0);
  });

  it('aborts the running child executions and the Map Run when the parent execution is stopped', async () => {
    // Prepare: children wait an hour on a frozen clock
    const { control } = local();
    await control.setSpeed(0);
    const machine = await createMachine(
      'stopped',
      distributed(
        { MaxConcurrency: 2 },
        { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 3600, End: true } } },
      ),
    );
    const arn = await start(machine, [1, 2, 3]);
    // Waits on the execution's progress (its children's events) until two children run.
    const mapRunArn = await (async () => {
      let seen = 0;
      for (;;) {
        const runs = (await sfn().send(new ListMapRunsCommand({ executionArn: arn }))).mapRuns ?? [];
        const run =
          runs[0] && (await sfn().send(new DescribeMapRunCommand({ mapRunArn: runs[0].mapRunArn })));
        if (run?.executionCounts?.running === 2) return run.mapRunArn!;
        const progress = await control.executionProgress({
          executionArn: arn,
          afterEventId: Number.MAX_SAFE_INTEGER,
          afterActivity: seen,
          waitMs: 30_000,
        });
        if (progress.activity === seen) throw new Error('the map run made no progress');
        seen = progress.activity;
      }
    })();
    // Act
    await sfn().send(new StopExecutionCommand({ executionArn: arn }));
    const done = await waitForExecution(sfn(), arn);
    // Assess
    expect(done.status).toBe('ABORTED');
    const children = (await sfn().send(new ListExecutionsCommand({ mapRunArn }))).executions ?? [];
    expect(children.map((c) => c.status)).toEqual(['ABORTED', 'ABORTED']);
    const run = await sfn().send(new DescribeMapRunCommand({ mapRunArn }));
    expect(run.status).toBe('ABORTED');
    expect(run.itemCounts).toMatchObject({ total: 3, aborted: 2, pending: 1, running: 0 });
  });

  it('reads MaxConcurrencyPath and ToleratedFailurePercentagePath from the state input', async () => {
    // Prepare
    const { cloud } = local();
    let inFlight = 0;
    let maxInFlight = 0;
    registerLocalFunction(cloud, {
      name: 'counted',
      handler: async (event) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight -= 1;
        if (event === 'bad') throw new TargetFailed();
        return event;
      },
    });
    const machine = await createMachine(
      'from-input',
      distributed(
        {
          ItemsPath: '$.items',
          MaxConcurrencyPath: '$.limit',
          ToleratedFailurePercentagePath: '$.tolerated',
        },
        lambdaProcessor('counted'),
      ),
    );
    // Act
    const done = await waitForExecution(
      sfn(),
      await start(machine, { items: ['a', 'bad', 'c'], limit: 1, tolerated: 50 }),
    );
    const refused = await waitForExecution(
      sfn(),
      await start(machine, { items: ['a'], limit: -1, tolerated: 50 }),
    );
    // Assess
    expect(done.status).toBe('SUCCEEDED');
    expect(maxInFlight).toBe(1);
    const [run] = (await sfn().send(new ListMapRunsCommand({ executionArn: done.executionArn }))).mapRuns!;
    const described = await sfn().send(new DescribeMapRunCommand({ mapRunArn: run!.mapRunArn }));
    expect(described).toMatchObject({ maxConcurrency: 1, toleratedFailurePercentage: 50 });
    expect(refused.status).toBe('FAILED');
    expect(refused.error).toBe('States.Runtime');
  });

  it('redrives a failed execution: its Map Run re-runs only the unsuccessful items (API_RedriveExecution, redrive-map-run)', async () => {
    // Prepare: item b fails until the fault is fixed; one item at a time, no failure tolerated
    const { cloud } = local();
    const calls: string[] = [];
    let broken = true;
    registerLocalFunction(cloud, {
      name: 'sometimes',
      handler: async (event) => {
        calls.push(String(event));
        if (event === 'b' && broken) throw new TargetFailed();
        return `${event} done`;
      },
    });
    const machine = await createMachine('redriven', {
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Pass', Next: 'Each' },
        Each: {
          Type: 'Map',
          MaxConcurrency: 1,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            ...lambdaProcessor('sometimes'),
          },
          End: true,
        },
      },
    });
    const failed = await waitForExecution(sfn(), await start(machine, ['a', 'b', 'c']));
    // Act
    broken = false;
    await sfn().send(new RedriveExecutionCommand({ executionArn: failed.executionArn }));
    const done = await waitForExecution(sfn(), failed.executionArn!);
    // Assess
    expect(failed.status).toBe('FAILED');
    expect(done.status).toBe('SUCCEEDED');
    expect(done.redriveCount).toBe(1);
    expect(JSON.parse(done.output!)).toEqual(['a done', 'b done', 'c done']);
    expect(calls).toEqual(['a', 'b', 'b', 'c']);
    const types = await historyTypes(failed.executionArn!);
    expect(types).toContain('ExecutionRedriven');
    expect(types).toContain('MapRunRedriven');
    expect(types.filter((t) => t === 'PassStateEntered')).toHaveLength(1);
    const [run] = (await sfn().send(new ListMapRunsCommand({ executionArn: failed.executionArn }))).mapRuns!;
    const described = await sfn().send(new DescribeMapRunCommand({ mapRunArn: run!.mapRunArn }));
    expect(described).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(described.itemCounts).toMatchObject({ total: 3, succeeded: 3, failed: 0, pending: 0 });
    // The failed child is redriven in place; the item that never ran gets its first child.
    const children = (await sfn().send(new ListExecutionsCommand({ mapRunArn: run!.mapRunArn }))).executions!;
    expect(children).toHaveLength(3);
    const redrivenChildren = await Promise.all(
      children.map((c) => sfn().send(new DescribeExecutionCommand({ executionArn: c.executionArn }))),
    );
    expect(redrivenChildren.map((c) => [JSON.parse(c.input!), c.status, c.redriveCount]).sort()).toEqual([
      ['a', 'SUCCEEDED', 0],
      ['b', 'SUCCEEDED', 1],
      ['c', 'SUCCEEDED', 0],
    ]);
    await expect(
      sfn().send(new RedriveExecutionCommand({ executionArn: failed.executionArn })),
    ).rejects.toMatchObject({ name: 'ExecutionNotRedrivable' });
  });
});
