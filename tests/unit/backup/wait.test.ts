import { describe, expect, it } from 'vitest';
import { InvalidBackupInput } from '../../../shared/backup/errors.ts';
import {
  COPY_WAIT,
  elapsedSecondsBetween,
  evaluateImage,
  evaluateSnapshots,
  IMAGE_WAIT,
  nextWait,
  parseProgress,
  SNAPSHOT_WAIT,
  type WaitPolicy,
  waitPolicySchema,
} from '../../../shared/backup/wait.ts';

const policy: WaitPolicy = {
  initialSeconds: 20,
  minSeconds: 10,
  maxSeconds: 300,
  backoffFactor: 2,
  maxAttempts: 10,
  maxElapsedSeconds: 3600,
};

describe('parseProgress', () => {
  it.each([
    ['42%', 42],
    ['0%', 0],
    ['100%', 100],
    [' 7 % ', 7],
    ['99.5%', 99.5],
    ['', undefined],
    [undefined, undefined],
    ['abc', undefined],
    ['150%', undefined],
  ])('%j → %s', (text, expected) => {
    expect(parseProgress(text)).toBe(expected);
  });
});

describe('nextWait', () => {
  it.each([
    {
      name: 'first poll, no progress: initial',
      attempt: 0,
      elapsed: 0,
      progress: undefined,
      expected: { kind: 'wait', seconds: 20 },
    },
    {
      name: 'no progress: exponential backoff',
      attempt: 2,
      elapsed: 60,
      progress: undefined,
      expected: { kind: 'wait', seconds: 80 },
    },
    {
      name: 'backoff clamped to max',
      attempt: 8,
      elapsed: 600,
      progress: undefined,
      expected: { kind: 'wait', seconds: 300 },
    },
    {
      name: '0% is no progress',
      attempt: 1,
      elapsed: 30,
      progress: 0,
      expected: { kind: 'wait', seconds: 40 },
    },
    {
      name: '40% after 120 s: 180 s left',
      attempt: 3,
      elapsed: 120,
      progress: 40,
      expected: { kind: 'wait', seconds: 180, estimatedRemainingSeconds: 180 },
    },
    {
      name: '99% after 99 s: 1 s left, clamped to min',
      attempt: 3,
      elapsed: 99,
      progress: 99,
      expected: { kind: 'wait', seconds: 10, estimatedRemainingSeconds: 1 },
    },
    {
      name: '5% after 100 s: 1900 s left, clamped to max',
      attempt: 3,
      elapsed: 100,
      progress: 5,
      expected: { kind: 'wait', seconds: 300, estimatedRemainingSeconds: 1900 },
    },
    {
      name: '100% but not completed yet: min',
      attempt: 3,
      elapsed: 100,
      progress: 100,
      expected: { kind: 'wait', seconds: 10 },
    },
    {
      name: 'never past the elapsed budget',
      attempt: 5,
      elapsed: 3550,
      progress: undefined,
      expected: { kind: 'wait', seconds: 50 },
    },
    {
      name: 'attempts exhausted',
      attempt: 10,
      elapsed: 100,
      progress: 50,
      expected: { kind: 'exhausted', reason: 'gave up after 10 attempts (max 10)' },
    },
    {
      name: 'elapsed time exhausted',
      attempt: 4,
      elapsed: 3600,
      progress: 50,
      expected: { kind: 'exhausted', reason: 'gave up after 3600s (max 3600s)' },
    },
  ])('$name', ({ attempt, elapsed, progress, expected }) => {
    expect(nextWait({ attempt, elapsedSeconds: elapsed }, policy, progress)).toEqual(expected);
  });

  it.each([
    ['SNAPSHOT_WAIT', SNAPSHOT_WAIT],
    ['IMAGE_WAIT', IMAGE_WAIT],
    ['COPY_WAIT', COPY_WAIT],
  ])('%s is a valid policy and always waits an integer within its bounds', (_, p) => {
    expect(waitPolicySchema.safeParse(p).success).toBe(true);
    for (let attempt = 0; attempt < p.maxAttempts; attempt += 7) {
      for (const progress of [undefined, 0, 1, 33, 99, 100]) {
        const decision = nextWait({ attempt, elapsedSeconds: attempt * 30 }, p, progress);
        if (decision.kind !== 'wait') continue;
        expect(Number.isInteger(decision.seconds)).toBe(true);
        expect(decision.seconds).toBeGreaterThanOrEqual(
          Math.min(p.minSeconds, p.maxElapsedSeconds - attempt * 30),
        );
        expect(decision.seconds).toBeLessThanOrEqual(p.maxSeconds);
      }
    }
  });
});

describe('evaluateSnapshots', () => {
  const clock = { attempt: 1, elapsedSeconds: 60 };
  it.each([
    {
      name: 'all completed',
      snaps: [
        { snapshotId: 'a', state: 'completed', progress: '100%' },
        { snapshotId: 'b', state: 'completed' },
      ],
      expected: { status: 'ready' },
    },
    {
      name: 'paced by the slowest pending snapshot',
      snaps: [
        { snapshotId: 'a', state: 'completed', progress: '100%' },
        { snapshotId: 'b', state: 'pending', progress: '80%' },
        { snapshotId: 'c', state: 'pending', progress: '20%' },
      ],
      expected: { status: 'wait', waitSeconds: 240, progressPercent: 20 },
    },
    {
      name: 'a pending snapshot without progress: backoff',
      snaps: [{ snapshotId: 'a', state: 'pending', progress: '' }],
      expected: { status: 'wait', waitSeconds: 60 },
    },
    {
      name: 'any error fails the set with its message',
      snaps: [
        { snapshotId: 'a', state: 'pending', progress: '50%' },
        { snapshotId: 'b', state: 'error', stateMessage: 'volume unavailable' },
      ],
      expected: { status: 'failed', reason: 'b: volume unavailable' },
    },
    {
      name: 'an unexpected state fails',
      snaps: [{ snapshotId: 'a', state: 'recoverable' }],
      expected: { status: 'failed', reason: 'a: unexpected state recoverable' },
    },
  ])('$name', ({ snaps, expected }) => {
    expect(evaluateSnapshots(snaps, clock)).toEqual(expected);
  });

  it('exhausts after the attempts of the policy', () => {
    expect(
      evaluateSnapshots([{ snapshotId: 'a', state: 'pending', progress: '1%' }], {
        attempt: 200,
        elapsedSeconds: 10,
      }),
    ).toEqual({
      status: 'exhausted',
      reason: 'gave up after 200 attempts (max 200)',
    });
  });

  it('rejects an empty set', () => {
    expect(() => evaluateSnapshots([], clock)).toThrow(InvalidBackupInput);
  });
});

describe('evaluateImage', () => {
  const clock = { attempt: 0, elapsedSeconds: 0 };
  it.each([
    { name: 'available', image: { imageId: 'ami-1', state: 'available' }, expected: { status: 'ready' } },
    {
      name: 'pending',
      image: { imageId: 'ami-1', state: 'pending' },
      expected: { status: 'wait', waitSeconds: 15 },
    },
    {
      name: 'not visible yet (eventual consistency)',
      image: undefined,
      expected: { status: 'wait', waitSeconds: 15 },
    },
    {
      name: 'failed with reason',
      image: {
        imageId: 'ami-1',
        state: 'failed',
        stateReason: { code: 'Client.InvalidKMSKey.InvalidState', message: 'key disabled' },
      },
      expected: { status: 'failed', reason: 'ami-1: Client.InvalidKMSKey.InvalidState: key disabled' },
    },
    {
      name: 'deregistered under our feet',
      image: { imageId: 'ami-1', state: 'deregistered' },
      expected: { status: 'failed', reason: 'ami-1: state deregistered' },
    },
  ])('$name', ({ image, expected }) => {
    expect(evaluateImage(image, clock)).toEqual(expected);
  });

  it('paces a copy by the progress of its snapshots', () => {
    expect(
      evaluateImage(
        { imageId: 'ami-2', state: 'pending' },
        { attempt: 2, elapsedSeconds: 300 },
        COPY_WAIT,
        50,
      ),
    ).toEqual({
      status: 'wait',
      waitSeconds: 300,
      progressPercent: 50,
    });
  });
});

describe('elapsedSecondsBetween', () => {
  it('measures whole seconds, never negative', () => {
    expect(elapsedSecondsBetween('2026-01-01T00:00:00Z', '2026-01-01T00:01:30.900Z')).toBe(90);
    expect(elapsedSecondsBetween('2026-01-01T00:01:00Z', '2026-01-01T00:00:00Z')).toBe(0);
  });

  it('rejects invalid instants', () => {
    expect(() => elapsedSecondsBetween('yesterday', '2026-01-01T00:00:00Z')).toThrow(InvalidBackupInput);
  });
});
