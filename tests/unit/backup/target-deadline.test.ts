/**
 * Limits as waits (issue 14 §1). AWS documents these as limits to wait out, not failures:
 * - EC2 User Guide, "How AMI copy works": 300 concurrent AMI copies per destination region,
 *   over it CopyImage answers ResourceLimitExceeded;
 * - EC2 API Reference, "Error codes": ConcurrentSnapshotLimitExceeded (too many concurrent
 *   snapshots), RequestLimitExceeded (request throttling, "use exponential backoff");
 * - Step Functions Developer Guide, "Handling errors in Step Functions workflows": Retry with
 *   IntervalSeconds, BackoffRate, MaxDelaySeconds, MaxAttempts and JitterStrategy FULL.
 */
import { describe, expect, it } from 'vitest';
import {
  Ec2LimitExceeded,
  Ec2Throttled,
  ImageCopyFailed,
  WaitAttemptsExhausted,
} from '../../../shared/backup/errors.ts';
import { pastTargetDeadline, targetDeadline } from '../../../shared/backup/target-deadline.ts';
import { waitingOutLimits } from '../../../shared/backup-service/limit-waits.ts';
import type { Ec2Port } from '../../../shared/backup-service/ports/ec2.ts';
import { backupPolicySchema, MAX_TARGET_DEADLINE_HOURS } from '../../../shared/config/policies.ts';
import { allStates, loadBackupDefinition } from '../../helpers/backup-asl.ts';
import { runOf } from '../../helpers/backup-deps.ts';
import { policy } from '../../workflow/backup/scenario.ts';

const START = '2026-02-01T00:30:00.000Z';

describe('the target deadline', () => {
  it('is the run start plus targetDeadlineHours', () => {
    expect(targetDeadline(START, 20)).toBe('2026-02-01T20:30:00.000Z');
    expect(pastTargetDeadline(START, 1, new Date('2026-02-01T01:29:59.999Z'))).toBe(false);
    expect(pastTargetDeadline(START, 1, new Date('2026-02-01T01:30:00.000Z'))).toBe(true);
    expect(() => targetDeadline('yesterday', 1)).toThrow('invalid run start instant: yesterday');
  });

  it('is a policy field: 20 hours by default, whole hours from 1 to 48, each refusal named', () => {
    const raw = { ...policy(), targetDeadlineHours: undefined };
    expect(backupPolicySchema.parse(raw).targetDeadlineHours).toBe(20);
    for (const [value, message] of [
      [0, 'at least 1 hour'],
      [2.5, 'expected whole hours'],
      [49, 'at most 48 hours'],
    ] as const) {
      const parsed = backupPolicySchema.safeParse({ ...raw, targetDeadlineHours: value });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]).toMatchObject({ path: ['targetDeadlineHours'] });
      expect(parsed.error?.issues[0]?.message).toContain(message);
    }
  });
});

describe('a run-bearing step waits out limits until the deadline', () => {
  const failing = (error: Error) =>
    (() =>
      ({
        region: 'eu-west-1',
        copyImage: async () => {
          throw error;
        },
      }) as unknown as Ec2Port) as (region: string) => Ec2Port;
  const run = runOf(policy({ targetDeadlineHours: 2 }), 'nightly-2026-02-01', START);
  const at = (iso: string) => () => new Date(iso);

  it('before the deadline a limit or a throttle passes through, for the Retry to wait it out', async () => {
    for (const error of [
      new Ec2LimitExceeded('ResourceLimitExceeded'),
      new Ec2Throttled('RequestLimitExceeded'),
    ]) {
      const ec2 = waitingOutLimits(failing(error), run, at('2026-02-01T02:29:00.000Z'))('eu-west-2');
      await expect(ec2.copyImage({} as never)).rejects.toBe(error);
    }
  });

  it('at the deadline it fails the target, named, with the limit and the deadline in the reason', async () => {
    const limit = new Ec2LimitExceeded('copy-image: ResourceLimitExceeded: too many copies in progress');
    const ec2 = waitingOutLimits(failing(limit), run, at('2026-02-01T02:30:00.000Z'))('eu-west-2');
    const error = await ec2.copyImage({} as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitAttemptsExhausted);
    expect((error as Error).message).toBe(
      "copy-image: ResourceLimitExceeded: too many copies in progress: still limited at the target's deadline 2026-02-01T02:30:00.000Z (targetDeadlineHours 2 after the run started)",
    );
  });

  it('any other error passes through unchanged, deadline or not', async () => {
    const failed = new ImageCopyFailed('bad key');
    const ec2 = waitingOutLimits(failing(failed), run, at('2026-02-03T00:00:00.000Z'))('eu-west-2');
    await expect(ec2.copyImage({} as never)).rejects.toBe(failed);
  });
});

describe('the ASL retries limits long enough for the deadline to end the wait', () => {
  type Rule = {
    ErrorEquals: string[];
    IntervalSeconds: number;
    BackoffRate: number;
    MaxDelaySeconds: number;
    MaxAttempts: number;
    JitterStrategy?: string;
  };
  /** Expected total pause of a Retry with full jitter: each pause is uniform in [0, delay]. */
  const expectedSeconds = (r: Rule) => {
    let total = 0;
    for (let k = 0; k < r.MaxAttempts; k += 1)
      total += Math.min(r.IntervalSeconds * r.BackoffRate ** k, r.MaxDelaySeconds) / 2;
    return total;
  };
  const tasks = [...allStates(loadBackupDefinition())].filter(([, s]) => s.Type === 'Task');

  it.each(tasks)('Task %s', (_name, state) => {
    for (const name of ['Ec2LimitExceeded', 'Ec2Throttled']) {
      const rule = (state.Retry as Rule[]).find((r) => r.ErrorEquals.includes(name));
      expect(rule?.JitterStrategy).toBe('FULL');
      // MaxAttempts is a backstop well beyond the longest deadline …
      expect(expectedSeconds(rule as Rule)).toBeGreaterThan(1.5 * MAX_TARGET_DEADLINE_HOURS * 3600);
      // … and the longest deadline's retries (≈3 history events each) stay far below the
      // 25,000-event quota of one execution (Step Functions Developer Guide, "Service quotas").
      const meanPause = (rule as Rule).MaxDelaySeconds / 2;
      expect(((MAX_TARGET_DEADLINE_HOURS * 3600) / meanPause) * 3).toBeLessThan(5_000);
    }
  });
});
