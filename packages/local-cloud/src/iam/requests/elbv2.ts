import { RequestContext } from '../context.ts';
import { ALL_RESOURCES, type OperationMapping } from './types.ts';

/**
 * The Elastic Load Balancing V2 reads the drill's parity gate makes support no resource-level
 * permissions (Service Authorization Reference, "Actions, resources, and condition keys for
 * Elastic Load Balancing V2": DescribeTargetGroups and DescribeTargetHealth list no resource type).
 */
const onAll =
  (action: string): OperationMapping =>
  () => [{ action, resource: ALL_RESOURCES, context: new RequestContext() }];

export const ELBV2_MAPPINGS: Record<string, OperationMapping> = {
  DescribeTargetGroups: onAll('elasticloadbalancing:DescribeTargetGroups'),
  DescribeTargetHealth: onAll('elasticloadbalancing:DescribeTargetHealth'),
};
