/**
 * Parking and resuming a waiting step's task token (shared/backup-service/event-waits.ts) over
 * in-memory ports: no lost wake-up (the check right after parking), duplicates and unknown
 * resources change nothing, a token Step Functions no longer knows (SendTaskSuccess answers
 * TaskTimedOut / TaskDoesNotExist, botocore stepfunctions model) is left for the lifecycle rule.
 */
import { describe, expect, it } from 'vitest';
import { SnapshotFailed, SnapshotNotReady } from '../../../shared/backup/errors.ts';
import type { BackupDeps } from '../../../shared/backup-service/deps.ts';
import { parkWait, resumeWaits, splitTaskToken } from '../../../shared/backup-service/event-waits.ts';
import { memoryEventWaits } from '../../helpers/memory-waits.ts';

function memoryWaits() {
  const now = () => new Date('2026-02-01T01:00:00Z');
  const { waits, stored, sent, open } = memoryEventWaits(now);
  const deps = { now, waits } as unknown as BackupDeps;
  return { deps, stored, sent, open };
}

const at = {
  kind: 'snapshots' as const,
  region: 'eu-west-1',
  resourceId: 'snap-0123456789abcdef0',
  input: { n: 1 },
};
const event = {
  resources: [{ region: 'eu-west-1', id: 'snap-0123456789abcdef0' }],
  outcome: 'succeeded' as const,
};
const pending = async () => ({ state: 'pending' });
const completed = async () => ({ state: 'completed' });

describe('event waits', () => {
  it('parks, then resumes on the event exactly once; a duplicate finds nothing', async () => {
    const { deps, stored, sent, open } = memoryWaits();
    open.add('t1');
    expect(await parkWait(deps, 't1', at, pending)).toBe('waiting');
    expect([...stored.keys()]).toEqual(['eu-west-1/snap-0123456789abcdef0']);
    expect(await resumeWaits(deps, event, { snapshots: completed, image: pending, copy: pending })).toEqual({
      resumed: 1,
      waiting: 0,
      gone: 0,
      unknown: 0,
    });
    expect(sent).toEqual([{ token: 't1', kind: 'success', body: { state: 'completed' } }]);
    expect(stored.size).toBe(0);
    expect(
      (await resumeWaits(deps, event, { snapshots: completed, image: pending, copy: pending })).unknown,
    ).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('no lost wake-up: a resource already done when the step parks resumes it at once', async () => {
    const { deps, stored, sent, open } = memoryWaits();
    open.add('t1');
    expect(await parkWait(deps, 't1', at, completed)).toBe('sent');
    expect(sent.map((s) => s.kind)).toEqual(['success']);
    expect(stored.size).toBe(0);
  });

  it('an event that ran ahead of EC2 (still pending) or a transient error leaves the wait parked', async () => {
    const { deps, stored, sent, open } = memoryWaits();
    open.add('t1');
    await parkWait(deps, 't1', at, pending);
    const notVisible = async () => {
      throw new SnapshotNotReady('not visible yet');
    };
    for (const check of [pending, notVisible])
      expect(
        (await resumeWaits(deps, event, { snapshots: check, image: pending, copy: pending })).waiting,
      ).toBe(1);
    expect(sent).toEqual([]);
    expect(stored.size).toBe(1);
  });

  it('a failed resource fails the token with the step’s named error', async () => {
    const { deps, sent, open } = memoryWaits();
    open.add('t1');
    await parkWait(deps, 't1', at, pending);
    const failed = async () => {
      throw new SnapshotFailed('i-1: snap-1: error');
    };
    await resumeWaits(
      deps,
      { ...event, outcome: 'failed' },
      { snapshots: failed, image: pending, copy: pending },
    );
    expect(sent).toEqual([
      { token: 't1', kind: 'failure', body: { error: 'SnapshotFailed', cause: 'i-1: snap-1: error' } },
    ]);
  });

  it('a token whose Task moved on is "gone" and its record stays (a newer one may sit under the key)', async () => {
    const { deps, stored } = memoryWaits();
    await parkWait(deps, 'old', at, pending);
    const report = await resumeWaits(deps, event, { snapshots: completed, image: pending, copy: pending });
    expect(report.gone).toBe(1);
    expect(stored.size).toBe(1);
  });

  it('splits the task token off the Task input, which the step schema then checks as before', () => {
    expect(splitTaskToken({ run: 1, taskToken: 'AQ' })).toEqual({ token: 'AQ', input: { run: 1 } });
    expect(splitTaskToken({ run: 1 })).toEqual({ input: { run: 1 } });
    expect(splitTaskToken('x')).toEqual({ input: 'x' });
  });
});
