import { valueAt } from '../../timeline.ts';
import type { EndpointGroupRecord, EndpointRecord, HealthState } from './store.ts';

/**
 * An endpoint's HealthState at a simulated instant: what the control API or the seed set for
 * that instant, else `INITIAL` while its first health checks run — ThresholdCount consecutive
 * checks HealthCheckIntervalSeconds apart (developer guide, "Health check options") — then
 * `HEALTHY`. The local cloud does not probe anything itself.
 */
export const healthAt = (group: EndpointGroupRecord, endpoint: EndpointRecord, now: number): HealthState => {
  const set = valueAt(endpoint.health, now);
  if (set) return set.value;
  const checksPassAt = endpoint.addedAt + group.thresholdCount * group.healthCheckIntervalSeconds * 1000;
  return now < checksPassAt ? 'INITIAL' : 'HEALTHY';
};
