import { describe, expect, it } from 'vitest';
import { followExecution } from '../../../cli/backup/follow.ts';
import {
  DISCOVER_STATE,
  emptyProgress,
  foldHistory,
  PHASE_OF_STATE,
  SUMMARIZE_STATE,
  targetLine,
} from '../../../cli/backup/progress.ts';
import type { BackupExecutionsPort, ExecutionEvent } from '../../../shared/aws/sfn-executions.ts';
import { allStates, loadBackupDefinition } from '../../helpers/backup-asl.ts';

const A = 'i-0aaaaaaaaaaaaaaa1';
const V = 'vol-0bbbbbbbbbbbbbbb2';
const run = {
  policy: { name: 'nightly', copyRegions: [{ region: 'us-west-1' }, { region: 'eu-west-1' }] },
  runId: 'r',
};

let nextId = 0;
const exited = (name: string, output: unknown, type = 'TaskStateExited'): ExecutionEvent => ({
  id: ++nextId,
  type,
  details: { name, output: JSON.stringify(output) },
});
const entered = (name: string, input: unknown, type = 'TaskStateEntered'): ExecutionEvent => ({
  id: ++nextId,
  type,
  details: { name, input: JSON.stringify(input) },
});
const backupDoc = (target: string, backup: Record<string, unknown>) => ({
  run,
  backup: { target: { id: target }, ...backup },
});

const discovered = exited(DISCOVER_STATE, {
  run,
  targets: [
    { id: A, kind: 'instance', form: 'image' },
    { id: V, kind: 'volume', form: 'snapshots-only' },
  ],
});

describe('backup progress from the execution history', () => {
  it('names only states that exist in the backup state machine', () => {
    const states = allStates(loadBackupDefinition());
    for (const name of [...Object.keys(PHASE_OF_STATE), DISCOVER_STATE, SUMMARIZE_STATE])
      expect(states.has(name), name).toBe(true);
  });

  it('follows each target through snapshots, AMI, copies and rotation', () => {
    // Prepare
    const events = [
      discovered,
      entered('CreateSnapshots', backupDoc(A, {})),
      exited(
        'CreateSnapshots',
        backupDoc(A, { snapshots: { state: 'pending', progress: 42, snapshots: [{}, {}] } }),
      ),
      exited(
        'CreateSnapshots',
        backupDoc(V, { snapshots: { state: 'completed', progress: 100, snapshots: [{}] } }),
      ),
      exited('RegisterImage', backupDoc(A, { image: { imageId: 'ami-1', state: 'available' } })),
      exited('CopyImage', {
        run,
        target: { id: A },
        source: { imageId: 'ami-1' },
        copy: { region: 'us-west-1', imageId: 'ami-2', state: 'pending', progress: 30 },
      }),
      entered(
        'CopyFailed',
        {
          run,
          target: { id: A },
          copy: {
            region: 'eu-west-1',
            error: { Error: 'ImageCopyFailed', Cause: '{"errorMessage":"kms key"}' },
          },
        },
        'PassStateEntered',
      ),
    ];
    // Act
    const progress = foldHistory(emptyProgress(), events);
    // Assess
    const [a, v] = progress.targets;
    expect(a).toMatchObject({
      id: A,
      phase: 'copies',
      snapshots: { state: 'pending', progress: 42, count: 2 },
      image: { imageId: 'ami-1', state: 'available' },
      copies: [
        { region: 'us-west-1', imageId: 'ami-2', state: 'pending', progress: 30 },
        { region: 'eu-west-1', state: 'failed', error: 'ImageCopyFailed: kms key' },
      ],
    });
    expect(v).toMatchObject({ id: V, phase: 'snapshots', copies: [] });
    expect(targetLine(a ?? { id: '', phase: 'waiting', copies: [] })).toBe(
      `${A} [copies]: snapshots pending 42% (2); AMI ami-1 available; copies us-west-1 ami-2 pending 30%, eu-west-1 failed`,
    );
    expect(progress.lastEventId).toBe(nextId);
  });

  it('marks a target done after Rotate (whose output is the target record) and failed after TargetFailed', () => {
    // Prepare
    const events = [
      discovered,
      exited('Rotate', {
        target: { id: A },
        image: { imageId: 'ami-1', state: 'available' },
        rotation: {
          regions: [{ region: 'ap-south-1', report: { deleted: ['ami-0'], keptBackups: 2 } }],
        },
      }),
      entered(
        'TargetFailed',
        backupDoc(V, { error: { Error: 'SnapshotFailed', Cause: 'disk gone' } }),
        'PassStateEntered',
      ),
    ];
    // Act
    const progress = foldHistory(emptyProgress(), events);
    // Assess
    expect(progress.targets.map((t) => [t.id, t.phase])).toEqual([
      [A, 'done'],
      [V, 'failed'],
    ]);
    expect(targetLine(progress.targets[0] ?? { id: '', phase: 'waiting', copies: [] })).toContain(
      'rotation ap-south-1 deleted 1 kept 2 backup(s)',
    );
    expect(targetLine(progress.targets[1] ?? { id: '', phase: 'waiting', copies: [] })).toBe(
      `${V} [FAILED] — SnapshotFailed: disk gone`,
    );
  });

  it('takes the summary from the output on success and from Summarize on a failed run', () => {
    const succeeded = foldHistory(emptyProgress(), [
      { id: 1, type: 'ExecutionSucceeded', details: { output: '{"runId":"r"}' } },
    ]);
    const failed = foldHistory(emptyProgress(), [
      exited(SUMMARIZE_STATE, {
        summary: { runId: 'r', overallStatus: 'failed' },
        failed: true,
        message: 'm',
      }),
      { id: 99, type: 'ExecutionFailed', details: { error: 'BackupRunFailed', cause: 'm' } },
    ]);
    expect(succeeded).toMatchObject({ status: 'SUCCEEDED', summary: { runId: 'r' } });
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: 'BackupRunFailed',
      cause: 'm',
      summary: { overallStatus: 'failed' },
    });
  });

  it('ignores events it cannot read', () => {
    const progress = foldHistory(emptyProgress(), [
      { id: 1, type: 'TaskStateExited', details: { name: 'RegisterImage', output: 'not json' } },
      { id: 2, type: 'LambdaFunctionFailed', details: { error: 'X' } },
    ]);
    expect(progress).toEqual({ targets: [], lastEventId: 2 });
  });
});

describe('following an execution', () => {
  it('reads only new events, prints a target line when it changes, and stops when the execution ends', async () => {
    // Prepare: three polls; the second brings nothing new
    const pages: ExecutionEvent[][] = [
      [
        discovered,
        exited(
          'CreateSnapshots',
          backupDoc(V, { snapshots: { state: 'pending', progress: 10, snapshots: [{}] } }),
        ),
      ],
      [],
      [exited('Rotate', { target: { id: V }, snapshots: { state: 'completed', snapshots: [{}] } })],
    ];
    const statuses = ['RUNNING', 'RUNNING', 'SUCCEEDED'];
    const afterIds: number[] = [];
    const port = {
      describe: async () => ({ executionArn: 'arn', name: 'r', status: statuses.shift() ?? 'SUCCEEDED' }),
      history: async (_arn: string, afterId?: number) => {
        afterIds.push(afterId ?? 0);
        return pages.shift() ?? [];
      },
      mapRuns: async () => [],
    } as unknown as BackupExecutionsPort;
    const lines: string[] = [];
    // Act
    const view = await followExecution(port, 'arn', {
      pollMs: 1,
      report: (l) => lines.push(l),
      sleep: async () => {},
    });
    // Assess
    expect(view.execution.status).toBe('SUCCEEDED');
    expect(afterIds[0]).toBe(0);
    expect(afterIds[1]).toBe(afterIds[2]);
    expect(lines).toEqual([
      `${A} [waiting]`,
      `${V} [snapshots]: snapshots pending 10% (1)`,
      `${V} [done]: snapshots completed (1)`,
    ]);
  });
});

describe('following a fleet: the Distributed Map’s counts', () => {
  // DescribeMapRun itemCounts (Step Functions API Reference): one item is one target.
  it('prints the map line whenever its counts change, once per change', async () => {
    const counts = [
      { succeeded: 0, running: 250, pending: 350, failed: 0 },
      { succeeded: 0, running: 250, pending: 350, failed: 0 },
      { succeeded: 412, running: 180, pending: 5, failed: 3 },
      { succeeded: 597, running: 0, pending: 0, failed: 3 },
    ];
    const statuses = ['RUNNING', 'RUNNING', 'RUNNING', 'FAILED'];
    const port = {
      describe: async () => ({ executionArn: 'arn', name: 'r', status: statuses.shift() ?? 'FAILED' }),
      history: async () => [],
      mapRuns: async () => {
        const c = counts.shift() ?? { succeeded: 597, running: 0, pending: 0, failed: 3 };
        return [{ mapRunArn: 'arn:map', status: 'RUNNING', total: 600, ...c }];
      },
    } as unknown as BackupExecutionsPort;
    const lines: string[] = [];
    const view = await followExecution(port, 'arn', {
      pollMs: 1,
      report: (l) => lines.push(l),
      sleep: async () => {},
    });
    expect(lines).toEqual([
      'targets: 0/600 done, 250 running, 350 waiting, 0 failed',
      'targets: 412/600 done, 180 running, 5 waiting, 3 failed',
      'targets: 597/600 done, 0 running, 0 waiting, 3 failed',
    ]);
    expect(view.maps[0]).toMatchObject({ total: 600, succeeded: 597, failed: 3 });
  });
});

describe('copy progress', () => {
  it('drops a progress figure once the copy reports a state without one', () => {
    const copy = (state: string, progress?: number) =>
      exited('CopyImage', {
        run,
        target: { id: A },
        copy: { region: 'us-west-1', imageId: 'ami-2', state, progress },
      });
    const progress = foldHistory(emptyProgress(), [discovered, copy('pending', 52), copy('available')]);
    expect(progress.targets[0]?.copies[0]).toEqual({
      region: 'us-west-1',
      imageId: 'ami-2',
      state: 'available',
    });
  });
});
