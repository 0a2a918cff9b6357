/**
 * The fail-open guard and the dial plan. Source: AWS Global Accelerator Developer Guide,
 * "How failover works for unhealthy endpoints"
 * (https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoints-endpoint-weights.unhealthy-endpoints.html):
 * with no healthy endpoint of weight above zero, Global Accelerator ignores the traffic dials
 * and, after the three closest groups, routes to a random endpoint of the closest group
 * ("it fails open"); and "Endpoint groups" (the dial applies to the traffic already directed
 * to a group).
 */
import { describe, expect, it } from 'vitest';
import {
  drillSteps,
  failOpenProblem,
  firstUnsafeWrite,
  type GroupState,
  revertWrites,
} from '../../../shared/backup/drill.ts';

const g = (arn: string, dial: number, weights: number[] = [128]): GroupState => ({
  endpointGroupArn: arn,
  region: arn,
  dial,
  endpoints: weights.map((weight, i) => ({ endpointId: `${arn}-${i}`, weight })),
});

describe('failOpenProblem', () => {
  it.each([
    ['every group at dial 0', [g('a', 0), g('b', 0)], 'every endpoint group at traffic dial 0'],
    ['every endpoint at weight 0', [g('a', 100, [0, 0]), g('b', 0, [0])], 'every endpoint at weight 0'],
    [
      'the only dialled group has no weighted endpoint',
      [g('a', 100, [0]), g('b', 0, [128])],
      'no endpoint group with a traffic dial above 0 holds an endpoint of weight above 0',
    ],
    ['no group at all', [], 'no endpoint group'],
  ])('refuses %s', (_name, groups, expected) => {
    expect(failOpenProblem(groups)).toMatch(new RegExp(`^${expected}: Global Accelerator would fail open`));
  });

  it.each([
    ['one group dialled with a weighted endpoint', [g('a', 100), g('b', 0)]],
    ['both dialled, one endpoint weighted', [g('a', 10, [0, 5]), g('b', 100, [0])]],
  ])('accepts %s', (_name, groups) => {
    expect(failOpenProblem(groups)).toBeUndefined();
  });
});

describe('drillSteps / firstUnsafeWrite / revertWrites', () => {
  it('raises the standby before lowering the primary, so no intermediate state fails open', () => {
    const primary = g('p', 100);
    const standby = g('s', 0);
    const steps = drillSteps({ primary, standby, steps: [10, 50, 100] });
    expect(steps.map((s) => s.writes.map((w) => `${w.endpointGroupArn}=${w.dial}`))).toEqual([
      ['s=100', 'p=90'],
      ['p=50'],
      ['p=0'],
    ]);
    expect(
      firstUnsafeWrite(
        [primary, standby],
        steps.flatMap((s) => s.writes),
      ),
    ).toBeUndefined();
    // The reverse order would pass through "every group at 0".
    expect(
      firstUnsafeWrite(
        [g('p', 100), g('s', 0)],
        [
          { endpointGroupArn: 'p', region: 'p', dial: 0 },
          { endpointGroupArn: 's', region: 's', dial: 100 },
        ],
      )?.problem,
    ).toMatch(/^every endpoint group at traffic dial 0/);
  });

  it('restores raises first, then lowers, skipping unchanged groups', () => {
    expect(
      revertWrites([g('p', 100), g('s', 0), g('x', 30)], [g('p', 0), g('s', 100), g('x', 30)]).map(
        (w) => `${w.endpointGroupArn}=${w.dial}`,
      ),
    ).toEqual(['p=100', 's=0']);
  });
});
