/**
 * Restore verification cut into state-machine steps, over fakes on a simulated clock: the
 * progress survives a round trip through its schema between rounds, the rounds end where
 * runVerification ends, and the abandon step terminates only launches Shipyard recorded.
 */
import { describe, expect, it } from 'vitest';
import { launchKey } from '../../../../shared/backup/verification.ts';
import { VerificationRefused } from '../../../../shared/backup/verification-errors.ts';
import {
  abandonVerification,
  startVerification,
  type VerificationProgress,
  type VerificationRoundDeps,
  verificationProgressSchema,
  verificationRound,
} from '../../../../shared/backup-service/verify-rounds.ts';
import { NEW, ourImage, policyOf, REGION, T0, world } from './verify-world.ts';

const SECOND = ourImage(
  'i-0bbbbbbbbbbbbbbb2',
  'nightly-2026-12-01',
  '2026-12-01T20:31:00.000Z',
  'ami-0000000000000bbb2',
);

function roundWorld() {
  const w = world([NEW, SECOND], { [NEW.imageId]: { passAfterSeconds: 60 }, [SECOND.imageId]: 'never' });
  const deps: VerificationRoundDeps = {
    ...w.deps,
    sweep: { ec2: w.deps.ec2, store: w.store, now: w.clock.now },
  };
  return { ...w, deps };
}

/** As the state machine carries it: JSON between steps, checked by the schema. */
const carried = (progress: VerificationProgress): VerificationProgress =>
  verificationProgressSchema.parse(JSON.parse(JSON.stringify(progress)));

describe('verification rounds', () => {
  it('runs a verification round by round to its end, each round from the carried progress', async () => {
    // Prepare
    const { clock, ec2, store, deps } = roundWorld();
    const policy = policyOf({ deadlineSeconds: 300 });
    // Act
    let progress = carried(await startVerification(deps, { policy, verificationId: 'verify-r1' }));
    expect(progress).toMatchObject({ done: false, active: [], results: [], pollSeconds: 15 });
    expect(progress.queue.map((q) => q.candidate.imageId)).toEqual([NEW.imageId, SECOND.imageId]);
    expect(ec2.launches).toEqual([]);
    let rounds = 0;
    while (!progress.done) {
      progress = carried(await verificationRound(deps, policy, progress));
      rounds += 1;
      await clock.sleep(progress.pollSeconds * 1000);
    }
    // Assess: one passed, one timed out at its deadline; both terminated and forgotten.
    expect(progress.results.map((r) => [r.imageId, r.status])).toEqual([
      [NEW.imageId, 'passed'],
      [SECOND.imageId, 'failed'],
    ]);
    expect(progress.results[1]?.reason).toMatch(/^timeout: not passed within 300 s/);
    expect(rounds).toBe(1 + 300 / 15);
    expect(clock.ms - T0).toBe(rounds * 15_000);
    expect(ec2.alive()).toEqual([]);
    expect(store.launched.size).toBe(0);
  });

  it('refuses to start a policy that does not verify, and to run a round of one', async () => {
    const { ec2, deps } = roundWorld();
    const { verify: _unset, ...policy } = policyOf();
    await expect(startVerification(deps, { policy, verificationId: 'v' })).rejects.toBeInstanceOf(
      VerificationRefused,
    );
    const started = await startVerification(deps, { policy: policyOf(), verificationId: 'v' });
    await expect(verificationRound(deps, policy, started)).rejects.toThrow(
      'policy nightly no longer verifies',
    );
    expect(ec2.launches).toEqual([]);
  });

  it('abandon terminates and forgets only the launches Shipyard recorded', async () => {
    // Prepare: one round launches both; one launch record is then lost (as after a crash).
    const { ec2, store, deps } = roundWorld();
    const policy = policyOf();
    const progress = await verificationRound(
      deps,
      policy,
      await startVerification(deps, { policy, verificationId: 'v' }),
    );
    const [kept, lost] = progress.active.map((a) => a.instanceId);
    const lostRecord = (await store.launches(REGION)).find((l) => l.instanceId === lost);
    await store.forgetLaunch(REGION, launchKey(lostRecord ?? { instanceId: lost ?? '' }));
    // Act
    const terminated = await abandonVerification(deps, progress);
    // Assess: the unrecorded one is left to the sweep (by its tags, past its deadline).
    expect(terminated).toEqual([kept]);
    expect(ec2.alive().map((i) => i.instanceId)).toEqual([lost]);
    expect(store.launched.size).toBe(0);
    // With nothing recorded in the region, abandon touches nothing.
    expect(await abandonVerification(deps, progress)).toEqual([]);
    expect(ec2.alive().map((i) => i.instanceId)).toEqual([lost]);
  });
});
