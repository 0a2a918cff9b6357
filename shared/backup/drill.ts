/**
 * Failover drill, the pure part: the dial writes that move traffic from the primary
 * endpoint group to the standby step by step, the writes that restore the recorded dials,
 * and the fail-open guard every write passes first.
 *
 * Fail-open (Global Accelerator Developer Guide, "How failover works for unhealthy
 * endpoints"): with no healthy endpoint of weight above zero in the nearest endpoint groups,
 * Global Accelerator ignores the traffic dials and finally routes to a random endpoint of
 * the closest group. A state with every group at dial 0, or every endpoint at weight 0, or no
 * group with a dial above 0 holding an endpoint of weight above 0, hands routing to that rule,
 * so Shipyard never writes one.
 */

interface EndpointState {
  endpointId: string;
  weight: number;
  /** `INITIAL` | `HEALTHY` | `UNHEALTHY` (EndpointDescription.HealthState). */
  healthState?: string;
}

export interface GroupState {
  endpointGroupArn: string;
  region: string;
  /** TrafficDialPercentage, 0–100. */
  dial: number;
  endpoints: EndpointState[];
}

export interface DialWrite {
  endpointGroupArn: string;
  region: string;
  dial: number;
}

/**
 * Why a set of endpoint groups would fail open, undefined when it would not.
 *
 * @example
 * failOpenProblem([{ endpointGroupArn: 'a', region: 'ap-south-1', dial: 0, endpoints: [{ endpointId: 'e', weight: 128 }] }]);
 * // 'every endpoint group at traffic dial 0: …'
 */
export function failOpenProblem(groups: readonly GroupState[]): string | undefined {
  const why = 'Global Accelerator would fail open to a random endpoint';
  if (groups.length === 0) return `no endpoint group: ${why}`;
  if (groups.every((g) => g.dial === 0)) return `every endpoint group at traffic dial 0: ${why}`;
  const endpoints = groups.flatMap((g) => g.endpoints);
  if (endpoints.every((e) => e.weight === 0)) return `every endpoint at weight 0: ${why}`;
  if (!groups.some((g) => g.dial > 0 && g.endpoints.some((e) => e.weight > 0)))
    return `no endpoint group with a traffic dial above 0 holds an endpoint of weight above 0: ${why}`;
  return undefined;
}

/** The groups after a write. */
const applyWrite = (groups: readonly GroupState[], write: DialWrite): GroupState[] =>
  groups.map((g) => (g.endpointGroupArn === write.endpointGroupArn ? { ...g, dial: write.dial } : g));

/**
 * The first write of `writes` that would leave the groups failing open, with why.
 *
 * @example
 * firstUnsafeWrite(groups, [{ endpointGroupArn: primary, region: 'ap-south-1', dial: 0 }]);
 * // { write: …, problem: 'every endpoint group at traffic dial 0: …' } when the standby is at 0
 */
export function firstUnsafeWrite(
  groups: readonly GroupState[],
  writes: readonly DialWrite[],
): { write: DialWrite; problem: string } | undefined {
  let state = [...groups];
  for (const write of writes) {
    state = applyWrite(state, write);
    const problem = failOpenProblem(state);
    if (problem !== undefined) return { write, problem };
  }
  return undefined;
}

export interface DrillStepPlan {
  /** Percent of the primary's traffic moved to the standby. */
  percent: number;
  /** In order: the standby is raised before the primary is lowered, so no write fails open. */
  writes: DialWrite[];
}

/**
 * The dial writes of every step: the standby group at 100 (from the first step), the
 * primary at 100 − percent. The dial applies to the traffic already directed to a group
 * (Developer Guide, "Endpoint groups"), so lowering the primary's dial sends that share to
 * the next group, the standby.
 *
 * @example
 * drillSteps({ primary, standby, steps: [10, 50, 100] }).map((s) => s.writes.map((w) => w.dial));
 * // [[100, 90], [50], [0]]
 */
export function drillSteps(input: {
  primary: GroupState;
  standby: GroupState;
  steps: readonly number[];
}): DrillStepPlan[] {
  const write = (g: GroupState, dial: number): DialWrite => ({
    endpointGroupArn: g.endpointGroupArn,
    region: g.region,
    dial,
  });
  return input.steps.map((percent, index) => ({
    percent,
    writes: [
      ...(index === 0 && input.standby.dial !== 100 ? [write(input.standby, 100)] : []),
      write(input.primary, 100 - percent),
    ],
  }));
}

/**
 * The writes that restore the recorded dials: raises first, then lowers (so traffic always
 * has somewhere to go), skipping groups already at their recorded dial.
 *
 * @example
 * revertWrites(recorded, current); // [{ primary → 100 }, { standby → 0 }]
 */
export function revertWrites(recorded: readonly GroupState[], current: readonly GroupState[]): DialWrite[] {
  const now = new Map(current.map((g) => [g.endpointGroupArn, g.dial]));
  const changes = recorded
    .filter((g) => now.get(g.endpointGroupArn) !== g.dial)
    .map((g) => ({
      write: { endpointGroupArn: g.endpointGroupArn, region: g.region, dial: g.dial },
      raise: g.dial > (now.get(g.endpointGroupArn) ?? 0),
    }));
  return [...changes.filter((c) => c.raise), ...changes.filter((c) => !c.raise)].map((c) => c.write);
}
