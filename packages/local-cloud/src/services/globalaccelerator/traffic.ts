import { healthAt } from './health.ts';
import type { EndpointGroupRecord, EndpointRecord, HealthState, ListenerRecord } from './store.ts';

/**
 * Where a listener's new connections would go, for tests and the rehearsal (the control API's
 * `GET /_shipyard/globalaccelerator/traffic`): the share of all clients each endpoint receives.
 *
 * The rules, from the Global Accelerator developer guide:
 * - "Use traffic dials to adjust traffic flow to Regions": a group's dial applies only to the
 *   traffic already directed to it (its nearest clients); the rest goes to other groups.
 * - "Endpoint weights": inside a group, traffic is split in proportion to the weights of the
 *   healthy endpoints; weight 0 receives none.
 * - "How failover works for unhealthy endpoints": with no healthy endpoint of weight > 0 in a
 *   group, Global Accelerator fails over to one in another group — ignoring the dial — trying
 *   the three closest groups; if none has one, it **fails open**: it routes to a random
 *   endpoint of the group closest to the client, whatever its health or weight.
 *
 * What the guide leaves open is modelled by named assumptions: which group is "closest" (the
 * listener's order of groups, each the nearest for `clientShare` of the clients, equal shares
 * by default) and what dialled-away traffic does when every other group's dial keeps part of
 * it too (the parts kept are scaled up to the whole) [unconfirmed]. A listener whose every dial
 * is 0 fails open as if it had no healthy endpoint [unconfirmed: the reading of the guide].
 */

/** "after trying the three closest endpoint groups" (failover for unhealthy endpoints). */
const FAILOVER_GROUPS = 3;

interface EndpointTraffic {
  endpointId: string;
  weight: number;
  healthState: HealthState;
  /** Fraction of all the listener's new connections (0–1). */
  share: number;
}

export interface TrafficView {
  listenerArn: string;
  /** Some clients are routed without regard to health or weight (fail-open). */
  failOpen: boolean;
  groups: {
    endpointGroupArn: string;
    region: string;
    trafficDialPercentage: number;
    share: number;
    endpoints: EndpointTraffic[];
  }[];
}

type Shares = Map<EndpointRecord, number>;

const add = (shares: Shares, endpoint: EndpointRecord, amount: number) =>
  shares.set(endpoint, (shares.get(endpoint) ?? 0) + amount);

export const trafficOf = (listener: ListenerRecord, now: number): TrafficView => {
  const groups = listener.endpointGroups;
  const serving = new Map<EndpointGroupRecord, EndpointRecord[]>(
    groups.map((g) => [g, g.endpoints.filter((e) => e.weight > 0 && healthAt(g, e, now) === 'HEALTHY')]),
  );
  const shares: Shares = new Map();
  let failOpen = false;
  /** Split `amount` over a group's serving endpoints by weight. */
  const route = (group: EndpointGroupRecord, amount: number) => {
    const endpoints = serving.get(group) ?? [];
    const total = endpoints.reduce((sum, e) => sum + e.weight, 0);
    for (const e of endpoints) add(shares, e, (amount * e.weight) / total);
  };
  /** A random endpoint of the closest group: evenly over all of them, healthy or not. */
  const openTo = (group: EndpointGroupRecord, amount: number) => {
    failOpen = true;
    const endpoints = group.endpoints.length > 0 ? group.endpoints : groups.flatMap((g) => g.endpoints);
    for (const e of endpoints) add(shares, e, amount / endpoints.length);
  };

  const explicit = groups.reduce((sum, g) => sum + (g.clientShare ?? 0), 0);
  const unset = groups.filter((g) => g.clientShare === undefined).length;
  const clientShare = (g: EndpointGroupRecord) =>
    g.clientShare ?? (explicit < 1 && unset > 0 ? (1 - explicit) / unset : 0);
  const totalShare = groups.reduce((sum, g) => sum + clientShare(g), 0) || 1;

  for (const nearest of groups) {
    const population = clientShare(nearest) / totalShare;
    if (population === 0) continue;
    const byDistance = [nearest, ...groups.filter((g) => g !== nearest)];
    if ((serving.get(nearest) ?? []).length === 0) {
      const failover = byDistance
        .slice(1, 1 + FAILOVER_GROUPS)
        .find((g) => (serving.get(g) ?? []).length > 0);
      if (failover) route(failover, population);
      else openTo(nearest, population);
      continue;
    }
    let remaining = population;
    const kept = new Map<EndpointGroupRecord, number>();
    for (const g of byDistance) {
      if ((serving.get(g) ?? []).length === 0 || g.trafficDialPercentage === 0) continue;
      const take = (remaining * g.trafficDialPercentage) / 100;
      kept.set(g, take);
      remaining -= take;
    }
    const keptTotal = [...kept.values()].reduce((sum, v) => sum + v, 0);
    if (keptTotal === 0) openTo(nearest, population);
    else for (const [g, take] of kept) route(g, (population * take) / keptTotal);
  }

  return {
    listenerArn: listener.arn,
    failOpen,
    groups: groups.map((g) => {
      const endpoints = g.endpoints.map((e) => ({
        endpointId: e.endpointId,
        weight: e.weight,
        healthState: healthAt(g, e, now),
        share: shares.get(e) ?? 0,
      }));
      return {
        endpointGroupArn: g.arn,
        region: g.region,
        trafficDialPercentage: g.trafficDialPercentage,
        share: endpoints.reduce((sum, e) => sum + e.share, 0),
        endpoints,
      };
    }),
  };
};
