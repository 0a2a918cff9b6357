/**
 * Load balancer target health in a drill's parity gate, the pure part. A Global Accelerator
 * endpoint that is an Application or Network Load Balancer is named by its ARN
 * (`arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/app|net/<name>/<id>`,
 * Elastic Load Balancing API reference, LoadBalancerArn); the accelerator's own health says
 * the load balancer answers, not that its targets do, so the gate also wants a `healthy`
 * target (DescribeTargetHealth `TargetHealth.State`: initial | healthy | unhealthy |
 * unhealthy.draining | unused | draining | unavailable) in each of its target groups.
 */

const LOAD_BALANCER_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:([a-z0-9-]+):\d{12}:loadbalancer\/(?:app|net)\/[A-Za-z0-9-]+\/[0-9a-f]+$/;

/** One target group of a load balancer and the State of each of its targets. */
export interface TargetGroupHealth {
  targetGroupArn: string;
  states: string[];
}

/**
 * The region of an ALB/NLB endpoint id, undefined for any other endpoint (an instance, an
 * Elastic IP, a Classic Load Balancer).
 *
 * @example
 * loadBalancerRegion('arn:aws:elasticloadbalancing:us-west-1:123456789012:loadbalancer/app/web/0123abcd'); // 'us-west-1'
 * loadBalancerRegion('i-0123456789abcdef0'); // undefined
 */
export function loadBalancerRegion(endpointId: string): string | undefined {
  return LOAD_BALANCER_ARN.exec(endpointId)?.[1];
}

const counts = (states: readonly string[]): string => {
  if (states.length === 0) return 'no registered target';
  const by = new Map<string, number>();
  for (const s of states) by.set(s, (by.get(s) ?? 0) + 1);
  return [...by].map(([state, n]) => `${n} ${state}`).join(', ');
};

/**
 * Why a load balancer endpoint is not ready to take traffic (empty when it is): it does not
 * exist, has no target group, or a target group has no `healthy` target.
 *
 * @example
 * targetHealthProblems(lb, [{ targetGroupArn: tg, states: ['unhealthy', 'initial'] }]);
 * // ['target group tg of lb has no healthy target (1 unhealthy, 1 initial)']
 */
export function targetHealthProblems(
  loadBalancerArn: string,
  groups: readonly TargetGroupHealth[] | undefined,
): string[] {
  if (groups === undefined) return [`load balancer ${loadBalancerArn} does not exist`];
  if (groups.length === 0) return [`load balancer ${loadBalancerArn} has no target group`];
  return groups
    .filter((g) => !g.states.includes('healthy'))
    .map(
      (g) =>
        `target group ${g.targetGroupArn} of ${loadBalancerArn} has no healthy target (${counts(g.states)})`,
    );
}
