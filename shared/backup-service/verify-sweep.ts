/**
 * The cleanup sweep: terminates every verification instance past its deadline — found by
 * its tags and by the launches Shipyard recorded (an intent recorded before RunInstances
 * by the instance's ClientToken) — whatever happened to the run that
 * launched it (a crash, a timeout of the function, a stopped execution). Runs on a schedule
 * and before every verification.
 */
import { launchKey, recordedLaunchOf, sweepVerificationInstances } from '../backup/verification.ts';
import { MAX_VERIFY_DEADLINE_SECONDS } from '../config/verify.ts';
import type { VerificationEc2, VerificationStore } from './ports/verification.ts';

export interface SweepDeps {
  ec2: (region: string) => Pick<VerificationEc2, 'verificationInstances' | 'terminate'>;
  store: Pick<VerificationStore, 'launches' | 'forgetLaunch'>;
  now: () => Date;
}

/** Terminates what is overdue in each region; returns the ids by region. */
export async function sweepVerifications(
  deps: SweepDeps,
  regions: readonly string[],
): Promise<Record<string, string[]>> {
  const swept: Record<string, string[]> = {};
  for (const region of regions) {
    const ec2 = deps.ec2(region);
    const recorded = await deps.store.launches(region);
    // An intent without its instance (a crash between RunInstances and its record) is found
    // by the ClientToken it was launched with.
    const instances = await ec2.verificationInstances(
      recorded.flatMap((r) => (r.instanceId === undefined ? [] : [r.instanceId])),
      recorded.flatMap((r) => (r.instanceId === undefined && r.intentId !== undefined ? [r.intentId] : [])),
    );
    const nowMs = deps.now().getTime();
    const ids = sweepVerificationInstances(instances, recorded, {
      nowMs,
      maxLifetimeMs: MAX_VERIFY_DEADLINE_SECONDS * 1000,
    });
    if (ids.length > 0) await ec2.terminate(ids);
    const alive = instances.filter(
      (i) => !['shutting-down', 'terminated'].includes(i.state) && !ids.includes(i.instanceId),
    );
    for (const launch of recorded) {
      if (alive.some((i) => recordedLaunchOf(i, [launch]) !== undefined)) continue;
      // An intent whose RunInstances may still be under way is kept until its deadline.
      if (launch.instanceId === undefined && nowMs < Date.parse(launch.deadline)) continue;
      await deps.store.forgetLaunch(region, launchKey(launch));
    }
    swept[region] = ids;
  }
  return swept;
}
