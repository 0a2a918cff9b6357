/**
 * ALB/NLB target health in the drill's parity gate. Sources: Elastic Load Balancing API
 * reference (LoadBalancerArn format `…:loadbalancer/app|net/<name>/<id>`; DescribeTargetHealth
 * TargetHealth.State values initial | healthy | unhealthy | unhealthy.draining | unused |
 * draining | unavailable) and the Global Accelerator Developer Guide ("Endpoints for standard
 * accelerators": ALB, NLB, EC2 instance or Elastic IP endpoints).
 */
import { describe, expect, it } from 'vitest';
import { loadBalancerRegion, targetHealthProblems } from '../../../shared/backup/target-health.ts';

const ALB = 'arn:aws:elasticloadbalancing:us-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const TG = 'arn:aws:elasticloadbalancing:us-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067';

describe('loadBalancerRegion', () => {
  it.each([
    [ALB, 'us-west-1'],
    ['arn:aws:elasticloadbalancing:ap-south-1:123456789012:loadbalancer/net/api/0123abcd', 'ap-south-1'],
    ['arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/w/01', 'cn-north-1'],
    ['i-0123456789abcdef0', undefined],
    ['eipalloc-0123456789abcdef0', undefined],
    // A Classic Load Balancer is not an ELBv2 load balancer.
    ['arn:aws:elasticloadbalancing:us-west-1:123456789012:loadbalancer/web', undefined],
  ])('%s → %s', (id, region) => {
    expect(loadBalancerRegion(id)).toBe(region);
  });
});

describe('targetHealthProblems', () => {
  it.each([
    ['a healthy target in every group', [{ targetGroupArn: TG, states: ['unhealthy', 'healthy'] }], []],
    ['the load balancer does not exist', undefined, [`load balancer ${ALB} does not exist`]],
    ['no target group', [], [`load balancer ${ALB} has no target group`]],
    [
      'a group with no healthy target',
      [
        { targetGroupArn: TG, states: ['healthy'] },
        { targetGroupArn: `${TG}2`, states: ['unhealthy', 'initial', 'unhealthy'] },
      ],
      [`target group ${TG}2 of ${ALB} has no healthy target (2 unhealthy, 1 initial)`],
    ],
    [
      'a group with no registered target',
      [{ targetGroupArn: TG, states: [] }],
      [`target group ${TG} of ${ALB} has no healthy target (no registered target)`],
    ],
    [
      'draining is not healthy',
      [{ targetGroupArn: TG, states: ['draining'] }],
      [`target group ${TG} of ${ALB} has no healthy target (1 draining)`],
    ],
  ])('%s', (_name, groups, expected) => {
    expect(targetHealthProblems(ALB, groups)).toEqual(expected);
  });
});
