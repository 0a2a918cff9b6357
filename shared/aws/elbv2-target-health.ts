/**
 * ELBv2 target health (the TargetHealth port): DescribeTargetGroups by LoadBalancerArn (paged
 * with Marker → NextMarker) and DescribeTargetHealth of each group. LoadBalancerNotFound means
 * the load balancer does not exist (undefined); a group deleted between the two calls
 * (TargetGroupNotFound) has no target left (an empty list of states).
 */
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type ElasticLoadBalancingV2ClientConfig,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetGroupHealth } from '../backup/target-health.ts';
import type { TargetHealth } from '../backup-service/ports/drill.ts';
import { sdkErrorCode, toAwsCallError } from './errors.ts';

/** The most DescribeTargetGroups returns per page (botocore model elbv2/2015-12-01, PageSize 1–400). */
const TARGET_GROUPS_PAGE = 400;

/** The SDK names query-protocol errors by their shape (`…Exception`); the wire code has no suffix. */
const isCode = (error: unknown, code: string): boolean => {
  const name = sdkErrorCode(error);
  return name === code || name === `${code}Exception`;
};

export function createTargetHealth(
  options: { config?: Omit<ElasticLoadBalancingV2ClientConfig, 'region'>; pageSize?: number } = {},
): TargetHealth {
  const byRegion = new Map<string, ElasticLoadBalancingV2Client>();
  const clientFor = (region: string) => {
    let client = byRegion.get(region);
    if (client === undefined) {
      client = new ElasticLoadBalancingV2Client({ ...options.config, region });
      byRegion.set(region, client);
    }
    return client;
  };
  return {
    async ofLoadBalancer(region, loadBalancerArn) {
      const client = clientFor(region);
      const groupArns: string[] = [];
      let Marker: string | undefined;
      try {
        do {
          const page = await client.send(
            new DescribeTargetGroupsCommand({
              LoadBalancerArn: loadBalancerArn,
              PageSize: options.pageSize ?? TARGET_GROUPS_PAGE,
              Marker,
            }),
          );
          for (const g of page.TargetGroups ?? [])
            if (g.TargetGroupArn !== undefined) groupArns.push(g.TargetGroupArn);
          Marker = page.NextMarker;
        } while (Marker !== undefined && Marker !== '');
      } catch (error) {
        if (isCode(error, 'LoadBalancerNotFound')) return undefined;
        throw toAwsCallError('ELBv2', 'DescribeTargetGroups', error);
      }
      const out: TargetGroupHealth[] = [];
      for (const targetGroupArn of groupArns) {
        try {
          const health = await client.send(
            new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
          );
          out.push({
            targetGroupArn,
            states: (health.TargetHealthDescriptions ?? []).map(
              (d) => d.TargetHealth?.State ?? 'unavailable',
            ),
          });
        } catch (error) {
          if (isCode(error, 'TargetGroupNotFound')) out.push({ targetGroupArn, states: [] });
          else throw toAwsCallError('ELBv2', 'DescribeTargetHealth', error);
        }
      }
      return out;
    },
  };
}
