/**
 * Whether a verification subnet and security group isolate what is launched there: a
 * restored machine may run old, unpatched software and must neither reach nor be reached
 * from the internet. Refused: a route to an internet gateway (`igw-`), an egress-only
 * internet gateway (`eigw-`) or a NAT gateway (`nat-`) in the subnet's route table; any other
 * route leaving the VPC too (a NAT instance or its network interface, a transit, carrier,
 * local or virtual private gateway, a peering connection, a Cloud WAN core network: each can
 * carry the traffic on to the internet), so only the VPC's `local` route and gateway VPC
 * endpoints (`vpce-`) are accepted; and any inbound rule in the security group. SSM then needs the interface VPC endpoints `ssm`,
 * `ssmmessages` and `ec2messages` (Systems Manager User Guide, "Improve the security of EC2
 * instances by using VPC endpoints for Systems Manager").
 */

/** A route of the subnet's route table (DescribeRouteTables `Routes[]`). */
export interface RouteView {
  destination: string;
  /** The route's target id (GatewayId, NatGatewayId, InstanceId, …), whichever is set. */
  target: string;
}

/** What EC2 says about one configured region (undefined: the id does not exist). */
export interface IsolationFacts {
  subnet?: { vpcId: string; routes: RouteView[] };
  securityGroup?: { vpcId: string; inboundRuleCount: number };
}

const INTERNET_TARGET = /^(?:igw|eigw|nat)-/;
/** The targets that keep traffic inside the VPC: its own CIDR and gateway endpoints (S3, DynamoDB). */
const IN_VPC_TARGET = /^(?:local$|vpce-)/;

const listed = (routes: RouteView[]) => routes.map((r) => `${r.destination} → ${r.target}`).join(', ');

/** The subnet's problems: routes to the internet, and routes that leave the VPC otherwise. */
function routeProblems(routes: RouteView[], subnetId: string, path: string): string[] {
  const internet = routes.filter((r) => INTERNET_TARGET.test(r.target));
  const outward = routes.filter((r) => !INTERNET_TARGET.test(r.target) && !IN_VPC_TARGET.test(r.target));
  return [
    ...(internet.length > 0
      ? [
          `${path}.subnetId: subnet ${subnetId} has a route to the internet (${listed(internet)}): expected an isolated subnet (use VPC endpoints for SSM)`,
        ]
      : []),
    ...(outward.length > 0
      ? [
          `${path}.subnetId: subnet ${subnetId} has a route out of the VPC (${listed(outward)}): expected only the local route and gateway VPC endpoints`,
        ]
      : []),
  ];
}

/**
 * Every problem of one region's verification network, each prefixed with the config field.
 *
 * @example
 * isolationProblems({ subnet: { vpcId: 'vpc-1', routes: [{ destination: '0.0.0.0/0', target: 'igw-1' }] },
 *   securityGroup: { vpcId: 'vpc-1', inboundRuleCount: 0 } }, { subnetId: 'subnet-1', securityGroupId: 'sg-1', path: 'verify.regions[0]' });
 * // ['verify.regions[0].subnetId: subnet subnet-1 has a route to the internet (0.0.0.0/0 → igw-1): …']
 */
export function isolationProblems(
  facts: IsolationFacts,
  config: { subnetId: string; securityGroupId: string; path: string },
): string[] {
  const problems: string[] = [];
  const { subnet, securityGroup } = facts;
  if (subnet === undefined)
    problems.push(`${config.path}.subnetId: subnet ${config.subnetId} does not exist in this region`);
  else problems.push(...routeProblems(subnet.routes, config.subnetId, config.path));
  if (securityGroup === undefined)
    problems.push(
      `${config.path}.securityGroupId: security group ${config.securityGroupId} does not exist in this region`,
    );
  else {
    if (securityGroup.inboundRuleCount > 0)
      problems.push(
        `${config.path}.securityGroupId: security group ${config.securityGroupId} has ${securityGroup.inboundRuleCount} inbound rule(s): expected none`,
      );
    if (subnet !== undefined && subnet.vpcId !== securityGroup.vpcId)
      problems.push(
        `${config.path}.securityGroupId: security group ${config.securityGroupId} is in ${securityGroup.vpcId}, the subnet in ${subnet.vpcId}`,
      );
  }
  return problems;
}
