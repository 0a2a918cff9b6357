/**
 * The cleanup sweep: terminates every verification instance past its deadline — found by
 * its tags and by the launches Shipyard recorded — whatever happened to the run that
 * launched it (a crash, a timeout of the function, a stopped execution). Runs on a schedule
 * and before every verification.
 */
import { sweepVerificationInstances } from '../backup/verification.ts';
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
    const instances = await ec2.verificationInstances(recorded.map((r) => r.instanceId));
    const nowMs = deps.now().getTime();
    const ids = sweepVerificationInstances(instances, recorded, {
      nowMs,
      maxLifetimeMs: MAX_VERIFY_DEADLINE_SECONDS * 1000,
    });
    if (ids.length > 0) await ec2.terminate(ids);
    // A recorded launch that is gone (or just terminated) needs no more sweeping.
    const alive = new Set(
      instances.filter((i) => !['shutting-down', 'terminated'].includes(i.state)).map((i) => i.instanceId),
    );
    for (const launch of recorded)
      if (!alive.has(launch.instanceId) || ids.includes(launch.instanceId))
        await deps.store.forgetLaunch(region, launch.instanceId);
    swept[region] = ids;
  }
  return swept;
}
