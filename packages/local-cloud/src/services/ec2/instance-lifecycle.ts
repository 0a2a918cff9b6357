import type { InstanceRecord, InstanceStateName } from './records.ts';
import type { RegionState } from './store.ts';

/**
 * Launched instances move on the simulated clock: pending → running after instanceBootMs,
 * status checks initializing → ok after instanceStatusCheckMs more; TerminateInstances makes
 * them shutting-down → terminated after instanceShutdownMs. States are derived on every read.
 */

/**
 * How long a terminated instance stays visible to Describe* (TerminateInstances API reference:
 * "Terminated instances remain visible after termination (for approximately one hour)").
 */
const TERMINATED_VISIBLE_MS = 60 * 60_000;

export const instanceStateAt = (i: InstanceRecord, now: number): InstanceStateName => {
  const launch = i.launch;
  if (!launch) return i.state;
  if (launch.terminatedAt !== undefined && now >= launch.terminatedAt) return 'terminated';
  if (launch.shutdownAt !== undefined && now >= launch.shutdownAt) return 'shutting-down';
  return now >= launch.runningAt ? 'running' : 'pending';
};

/**
 * Applies what happens when an instance reaches terminated (its delete-on-termination volumes
 * go, the others are detached) and forgets instances whose visibility has ended. Runs before
 * each EC2 action; only instances being terminated are looked at.
 */
export const settleInstances = (state: RegionState, now: number): void => {
  for (const id of state.terminating) {
    const instance = state.instances.get(id);
    const terminatedAt = instance?.launch?.terminatedAt;
    if (!instance?.launch || terminatedAt === undefined) {
      state.terminating.delete(id);
      continue;
    }
    if (now < terminatedAt) continue;
    if (!instance.launch.released) {
      for (const device of instance.devices) {
        const volume = state.volumes.get(device.volumeId);
        if (!volume) continue;
        if (device.deleteOnTermination) state.volumes.delete(volume.id);
        else delete volume.attachment;
      }
      instance.launch.released = true;
    }
    if (now >= terminatedAt + TERMINATED_VISIBLE_MS) {
      state.instances.delete(id);
      state.terminating.delete(id);
    }
  }
};
