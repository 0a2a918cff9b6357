/**
 * The copy queue (shared/backup-service/copy-queue.ts) over in-memory ports. The AWS rules it
 * rests on:
 * - CopyImage answers `ResourceLimitExceeded` past the concurrent AMI copy limit of the
 *   destination region (EC2 User Guide, "How AMI copy works"; EC2 API Reference, "Error codes":
 *   ResourceLimitExceeded), and EC2 request throttling answers `RequestLimitExceeded` (EC2
 *   Developer Guide, "Request throttling for the Amazon EC2 API");
 * - SendTaskHeartbeat "resets the Heartbeat clock" of a callback Task, and answers
 *   TaskTimedOut / TaskDoesNotExist for a Task that no longer waits (Step Functions API
 *   Reference, SendTaskHeartbeat; botocore stepfunctions model, its errors);
 * - past HeartbeatSeconds without one the Task fails with States.HeartbeatTimeout (Step
 *   Functions Developer Guide, "Task workflow state").
 */
import { describe, expect, it } from 'vitest';
import { COPY_QUEUE, copyQueueKey } from '../../../shared/backup/copy-queue.ts';
import { Ec2LimitExceeded, Ec2Throttled, ImageCopyFailed } from '../../../shared/backup/errors.ts';
import type { CopyStarter, CopyTask } from '../../../shared/backup-service/copy-image.ts';
import { drainCopyQueue, startOrQueueCopy } from '../../../shared/backup-service/copy-queue.ts';
import { type BackupDeps, silentLogger } from '../../../shared/backup-service/deps.ts';
import type { Ec2Port } from '../../../shared/backup-service/ports/ec2.ts';
import type { CopyState } from '../../../shared/backup-service/state.ts';
import type { BackupPolicy } from '../../../shared/config/policies.ts';
import { deployed, runOf } from '../../helpers/backup-deps.ts';
import { memoryEventWaits } from '../../helpers/memory-waits.ts';
import { COPY_A, policy, SOURCE } from '../../workflow/backup/scenario.ts';

const STARTED = '2026-03-01T01:30:00.000Z';

function world(policies: BackupPolicy[] = [policy()]) {
  let now = Date.parse('2026-03-01T02:00:00.000Z');
  const clock = () => new Date(now);
  const memory = memoryEventWaits(clock);
  // What the check after parking reads: every started copy is still pending.
  const ec2 = (region: string) =>
    ({
      region,
      describeImages: async (q: { imageIds?: string[] }) =>
        (q.imageIds ?? []).map((imageId) => ({
          imageId,
          state: 'pending',
          creationDate: STARTED,
          tags: {},
          snapshotIds: [],
        })),
      describeSnapshots: async () => [],
    }) as unknown as Ec2Port;
  const deps = {
    ec2,
    logger: silentLogger,
    now: clock,
    policies: deployed(...policies),
    waits: memory.waits,
  } as unknown as BackupDeps;
  return { deps, ...memory, advance: (ms: number) => (now += ms) };
}

let nextTarget = 1;
function task(
  overrides: { runId?: string; startedAt?: string; policy?: BackupPolicy; sizeGiB?: number } = {},
): CopyTask {
  const p = overrides.policy ?? policy();
  const id = `i-0${(nextTarget++).toString(16).padStart(16, '0')}`;
  return {
    run: runOf(p, overrides.runId ?? 'nightly-2026-03-01', overrides.startedAt ?? STARTED),
    target: { id, kind: 'instance', form: 'image' },
    source: {
      region: SOURCE,
      imageId: 'ami-0a000000000000001',
      name: `shipyard/nightly/${id}/nightly-2026-03-01`,
      createdAt: STARTED,
      ...(overrides.sizeGiB === undefined ? {} : { sizeGiB: overrides.sizeGiB }),
      state: 'available',
      attempt: 1,
      startedAt: STARTED,
      waitSeconds: 0,
    },
    copy: { region: COPY_A },
  };
}

/** A CopyImage that answers from `answers` in turn (a state, or an error to throw), counting its calls. */
function starter(...answers: (Error | 'started')[]) {
  const calls: CopyTask[] = [];
  let copies = 0;
  const start: CopyStarter = async (t) => {
    calls.push(t);
    const answer = answers.shift() ?? 'started';
    if (answer instanceof Error) throw answer;
    copies += 1;
    const copy: CopyState = {
      region: t.copy.region,
      imageId: `ami-0c${copies.toString(16).padStart(15, '0')}`,
      name: t.source.name,
      state: 'pending',
      attempt: 0,
      startedAt: STARTED,
      waitSeconds: 60,
    };
    return copy;
  };
  return { start, calls };
}

const noSlot = () =>
  new Ec2LimitExceeded('CopyImage: ResourceLimitExceeded: maximum of 300 concurrent AMI copies');
const keyOf = (t: CopyTask) => copyQueueKey(t.run.startedAt, t.source.sizeGiB ?? 0, t.run.runId, t.target.id);

describe('copy queue', () => {
  it('a copy with no slot queues on its token; the next copy that ends in the region starts it', async () => {
    const w = world();
    const t = task();
    w.open.add('tok-1');
    expect(await startOrQueueCopy(w.deps, 'tok-1', t, starter(noSlot()).start)).toMatchObject({
      kind: 'queued',
    });
    expect([...w.queued.keys()]).toEqual([`${COPY_A}/${keyOf(t)}`]);
    expect(w.sent).toEqual([]); // the Task keeps waiting: nothing thrown, nothing sent

    const copies = starter('started');
    const report = await drainCopyQueue(w.deps, COPY_A, copies.start);

    expect(report).toMatchObject({ started: 1 });
    expect(copies.calls.map((c) => c.target.id)).toEqual([t.target.id]);
    expect(w.queued.size).toBe(0);
    // The same token now waits under the started copy, for its AMI State Change.
    expect([...w.stored.entries()].map(([k, v]) => [k, v.token, v.kind])).toEqual([
      [`${COPY_A}/ami-0c000000000000001`, 'tok-1', 'copy'],
    ]);
    expect(w.sent).toEqual([]);
  });

  it('joins behind the copies already queued in its region, without a CopyImage request', async () => {
    const w = world();
    const first = task({ startedAt: '2026-03-01T01:00:00.000Z', runId: 'earlier' });
    const second = task();
    w.open.add('tok-a').add('tok-b');
    await startOrQueueCopy(w.deps, 'tok-a', first, starter(noSlot()).start);
    const asked = starter('started');

    expect(await startOrQueueCopy(w.deps, 'tok-b', second, asked.start)).toMatchObject({ kind: 'queued' });

    expect(asked.calls).toEqual([]);
    expect((await w.waits.queue.list(COPY_A, 10)).map((r) => r.key)).toEqual([keyOf(first), keyOf(second)]);
  });

  it('a head nobody served for a whole round does not hold the region: the copy asks EC2 itself', async () => {
    const w = world();
    const stuck = task({ startedAt: '2026-03-01T01:00:00.000Z', runId: 'stuck' });
    const next = task();
    w.open.add('tok-stuck').add('tok-next');
    await startOrQueueCopy(w.deps, 'tok-stuck', stuck, starter(noSlot()).start);
    w.advance(COPY_QUEUE.heartbeatSeconds * 1000); // no copy ended in the region since: no drain
    const asked = starter('started');

    expect(await startOrQueueCopy(w.deps, 'tok-next', next, asked.start)).toEqual({ kind: 'started' });

    expect(asked.calls.map((c) => c.target.id)).toEqual([next.target.id]);
  });

  it('starts in queue order (earlier runs first) and stops at the first refusal', async () => {
    const w = world();
    const late = task({ startedAt: '2026-03-01T03:00:00.000Z', runId: 'late' });
    const early = task({ startedAt: '2026-03-01T01:00:00.000Z', runId: 'early' });
    const middle = task({ startedAt: '2026-03-01T02:00:00.000Z', runId: 'middle' });
    for (const [t, token] of [
      [late, 'tok-late'],
      [early, 'tok-early'],
      [middle, 'tok-middle'],
    ] as const) {
      w.open.add(token);
      await w.waits.queue.put(COPY_A, keyOf(t), { token, input: t, queuedAt: STARTED });
    }
    const copies = starter('started', noSlot(), 'started');

    const report = await drainCopyQueue(w.deps, COPY_A, copies.start);

    expect(copies.calls.map((c) => c.run.runId)).toEqual(['early', 'middle']);
    expect(report).toMatchObject({ started: 1 });
    expect((await w.waits.queue.list(COPY_A, 10)).map((r) => r.key)).toEqual([keyOf(middle), keyOf(late)]);
  });

  // Longest-processing-time order (Graham, "Bounds on multiprocessing timing anomalies", 1969):
  // on a fixed number of slots the largest jobs first keep the last one to end short. A copy's
  // time grows with the AMI's size (EC2 User Guide, "How Amazon EC2 AMI copy works": the
  // snapshots' data is copied).
  it("within a run, starts the largest AMIs' copies first, whatever the order they queued in", async () => {
    const w = world();
    const small = task({ sizeGiB: 8 });
    const large = task({ sizeGiB: 2_000 });
    const medium = task({ sizeGiB: 120 });
    const earlier = task({ startedAt: '2026-03-01T00:30:00.000Z', runId: 'earlier', sizeGiB: 1 });
    for (const [t, token] of [
      [small, 'tok-small'],
      [large, 'tok-large'],
      [medium, 'tok-medium'],
      [earlier, 'tok-earlier'],
    ] as const) {
      w.open.add(token);
      expect(await startOrQueueCopy(w.deps, token, t, starter(noSlot()).start)).toMatchObject({
        kind: 'queued',
      });
    }
    const copies = starter();

    await drainCopyQueue(w.deps, COPY_A, copies.start);

    // An earlier run still goes first, however small its AMI.
    expect(copies.calls.map((c) => c.target.id)).toEqual(
      [earlier, large, medium, small].map((t) => t.target.id),
    );
  });

  it('starts at most startsPerDrain copies per drain', async () => {
    const w = world();
    const many = Array.from({ length: COPY_QUEUE.startsPerDrain + 2 }, () => task());
    for (const [n, t] of many.entries()) {
      w.open.add(`tok-${n}`);
      await w.waits.queue.put(COPY_A, keyOf(t), { token: `tok-${n}`, input: t, queuedAt: STARTED });
    }
    const copies = starter();

    const report = await drainCopyQueue(w.deps, COPY_A, copies.start);

    expect(report.started).toBe(COPY_QUEUE.startsPerDrain);
    expect(copies.calls).toHaveLength(COPY_QUEUE.startsPerDrain);
    expect(w.queued.size).toBe(2);
  });

  it('one drain at a time per region: one that finds the lease held asks the holder, who drains again', async () => {
    const w = world();
    const queued = Array.from({ length: 4 }, () => task());
    for (const [n, t] of queued.entries()) {
      w.open.add(`tok-${n}`);
      await w.waits.queue.put(COPY_A, keyOf(t), { token: `tok-${n}`, input: t, queuedAt: STARTED });
    }
    // A copy ends while the holder starts its first: that event's drain runs meanwhile.
    let during: Awaited<ReturnType<typeof drainCopyQueue>> | undefined;
    const holder = starter('started', noSlot(), 'started', noSlot());
    const start: CopyStarter = async (t) => {
      if (during === undefined) during = await drainCopyQueue(w.deps, COPY_A, holder.start);
      return holder.start(t);
    };

    const report = await drainCopyQueue(w.deps, COPY_A, start);

    // The second drain started nothing (no CopyImage request of its own) and asked for a drain...
    expect(during).toMatchObject({ rounds: 0, started: 0 });
    // ...so the holder ran a second round for the slot that copy freed, after the first refusal.
    expect(report).toMatchObject({ rounds: 2, started: 2, refusedBy: 'Ec2LimitExceeded' });
    expect(holder.calls.map((c) => c.target.id)).toEqual(
      [queued[0], queued[1], queued[1], queued[2]].map((t) => t?.target.id),
    );
    expect(w.queued.size).toBe(2);
    expect(w.leases.size).toBe(0);
  });

  it('a lease left by a drain that died holds the region for drainLeaseSeconds, then is taken over', async () => {
    const w = world();
    const t = task();
    w.open.add('tok');
    await w.waits.queue.put(COPY_A, keyOf(t), { token: 'tok', input: t, queuedAt: STARTED });
    expect(
      await w.waits.queue.takeDrainLease(COPY_A, w.deps.now(), COPY_QUEUE.drainLeaseSeconds * 1000),
    ).toBeDefined();
    const copies = starter();

    const held = await drainCopyQueue(w.deps, COPY_A, copies.start);
    w.advance(COPY_QUEUE.drainLeaseSeconds * 1000);
    const after = await drainCopyQueue(w.deps, COPY_A, copies.start);

    expect(held).toMatchObject({ rounds: 0, started: 0 });
    expect(after).toMatchObject({ rounds: 1, started: 1 });
    expect(copies.calls.map((c) => c.target.id)).toEqual([t.target.id]);
  });

  it('a drain slower than the lease staleness renews it: no other drain takes the region meanwhile', async () => {
    const w = world();
    for (const [n, t] of Array.from({ length: 6 }, () => task()).entries()) {
      w.open.add(`tok-${n}`);
      await w.waits.queue.put(COPY_A, keyOf(t), { token: `tok-${n}`, input: t, queuedAt: STARTED });
    }
    const copies = starter();
    // Each start takes 40 % of the staleness: six of them outlast it twice over.
    const others: Awaited<ReturnType<typeof drainCopyQueue>>[] = [];
    const slow: CopyStarter = async (t) => {
      w.advance(COPY_QUEUE.drainLeaseSeconds * 400);
      others.push(await drainCopyQueue(w.deps, COPY_A, copies.start));
      return copies.start(t);
    };

    const report = await drainCopyQueue(w.deps, COPY_A, slow);

    expect(report.started).toBe(6);
    expect(others.map((o) => o.rounds)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(new Set(copies.calls.map((c) => c.target.id)).size).toBe(6);
  });

  it('an empty queue is drained with one listing: no lease taken, no request written', async () => {
    const w = world();
    const copies = starter();

    const report = await drainCopyQueue(w.deps, COPY_A, copies.start);

    expect(report).toMatchObject({ rounds: 0, started: 0 });
    expect(copies.calls).toEqual([]);
    expect(await w.waits.queue.drainRequested(COPY_A)).toBe(false);
    expect(w.leases.size).toBe(0);
  });

  it('a queued copy whose Task no longer waits is dropped before anything is started for it', async () => {
    const w = world();
    const stopped = task();
    const waiting = task();
    w.open.add('tok-live'); // tok-dead's execution stopped: its heartbeat answers gone
    await w.waits.queue.put(COPY_A, keyOf(stopped), { token: 'tok-dead', input: stopped, queuedAt: STARTED });
    await w.waits.queue.put(COPY_A, keyOf(waiting), { token: 'tok-live', input: waiting, queuedAt: STARTED });
    const copies = starter();

    const report = await drainCopyQueue(w.deps, COPY_A, copies.start);

    expect(copies.calls.map((c) => c.target.id)).toEqual([waiting.target.id]);
    expect(report).toMatchObject({ started: 1, dropped: 1 });
    expect(w.queued.size).toBe(0);
  });

  it('a terminal refusal fails that copy through its token, named, and the drain goes on', async () => {
    const w = world();
    const broken = task();
    const fine = task();
    w.open.add('tok-broken').add('tok-fine');
    await w.waits.queue.put(COPY_A, keyOf(broken), { token: 'tok-broken', input: broken, queuedAt: STARTED });
    await w.waits.queue.put(COPY_A, keyOf(fine), { token: 'tok-fine', input: fine, queuedAt: STARTED });

    const report = await drainCopyQueue(
      w.deps,
      COPY_A,
      starter(new ImageCopyFailed('us-east-1: KMS key disabled'), 'started').start,
    );

    expect(report).toMatchObject({ started: 1, failed: 1 });
    expect(w.sent).toEqual([
      {
        token: 'tok-broken',
        kind: 'failure',
        body: { error: 'ImageCopyFailed', cause: 'us-east-1: KMS key disabled' },
      },
    ]);
  });

  it('an entry for a policy that is not deployed is failed (RunPolicyMismatch), nothing started', async () => {
    const w = world([policy()]);
    const forged = task({ policy: policy({ retention: { keepLast: 1 } }) });
    w.open.add('tok-forged');
    await w.waits.queue.put(COPY_A, keyOf(forged), { token: 'tok-forged', input: forged, queuedAt: STARTED });
    const copies = starter();

    await drainCopyQueue(w.deps, COPY_A, copies.start);

    expect(copies.calls).toEqual([]);
    expect(w.sent).toMatchObject([
      { token: 'tok-forged', kind: 'failure', body: { error: 'RunPolicyMismatch' } },
    ]);
    expect(w.queued.size).toBe(0);
  });

  it('throttled with nobody queued: thrown for the Retry; throttled at the head of the queue: stays queued', async () => {
    const w = world();
    const t = task();
    w.open.add('tok-1').add('tok-2');
    const throttled = () => new Ec2Throttled('CopyImage: RequestLimitExceeded');

    await expect(startOrQueueCopy(w.deps, 'tok-1', t, starter(throttled()).start)).rejects.toMatchObject({
      name: 'Ec2Throttled',
    });
    expect(w.queued.size).toBe(0);

    await startOrQueueCopy(w.deps, 'tok-1', t, starter(noSlot()).start);
    // The Task's fallback round ran the step again (a new token): it takes its own place.
    expect(await startOrQueueCopy(w.deps, 'tok-2', t, starter(throttled()).start)).toMatchObject({
      kind: 'queued',
    });
    expect([...w.queued.values()].map((v) => v.entry.token)).toEqual(['tok-2']);
  });

  it('at the head of the queue with a slot free: starts, parks its token and leaves the queue', async () => {
    const w = world();
    const t = task();
    w.open.add('tok-old').add('tok-new');
    await startOrQueueCopy(w.deps, 'tok-old', t, starter(noSlot()).start);

    expect(await startOrQueueCopy(w.deps, 'tok-new', t, starter('started').start)).toEqual({
      kind: 'started',
    });

    expect(w.queued.size).toBe(0);
    expect([...w.stored.values()].map((v) => v.token)).toEqual(['tok-new']);
  });

  it('keeps the queued Tasks alive with heartbeats, and fails those still queued at their deadline', async () => {
    const long = policy({ name: 'long' });
    const short = policy({ name: 'short', targetDeadlineHours: 2 });
    const w = world([long, short]);
    const head = task({ policy: long, runId: 'long-1', startedAt: '2026-03-01T01:00:00.000Z' });
    const behind = task({ policy: short, runId: 'short-1', startedAt: STARTED });
    w.open.add('tok-head').add('tok-behind');
    await w.waits.queue.put(COPY_A, keyOf(head), { token: 'tok-head', input: head, queuedAt: STARTED });
    await w.waits.queue.put(COPY_A, keyOf(behind), { token: 'tok-behind', input: behind, queuedAt: STARTED });
    w.advance(COPY_QUEUE.refreshSeconds * 1000);

    // No slot: the head is refused (after its liveness heartbeat); the entry behind it is
    // stale, so it gets its heartbeat and is rewritten.
    const first = await drainCopyQueue(w.deps, COPY_A, starter(noSlot()).start);

    expect(first).toMatchObject({ started: 0, heartbeats: 1, swept: true });
    expect(w.heartbeats).toEqual(['tok-head', 'tok-behind']);
    expect(w.sent).toEqual([]);
    // The next event, a minute later, reads only the queue's head: no sweep within sweepSeconds.
    w.advance(60_000);
    expect(await drainCopyQueue(w.deps, COPY_A, starter(noSlot()).start)).toMatchObject({ swept: false });
    expect(w.heartbeats).toEqual(['tok-head', 'tok-behind', 'tok-head']);

    // An hour later it is stale again and its run's deadline (01:30 + 2 h) has come: it fails, named.
    w.advance(3600 * 1000);
    const later = await drainCopyQueue(w.deps, COPY_A, starter(noSlot()).start);

    expect(later).toMatchObject({ heartbeats: 0, swept: true });
    expect(w.sent).toMatchObject([
      { token: 'tok-behind', kind: 'failure', body: { error: 'WaitAttemptsExhausted' } },
    ]);
    expect((await w.waits.queue.list(COPY_A, 10)).map((r) => r.key)).toEqual([keyOf(head)]);
  });
});
