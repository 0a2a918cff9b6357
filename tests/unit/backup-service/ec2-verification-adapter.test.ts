/**
 * The verification EC2 adapter over a stub SDK client (what DescribeRouteTables & co. answer,
 * shaped as the EC2 API Reference's data types): every kind of route target is named, so the
 * isolation check sees a NAT or egress-only gateway; an instance that vanished has no status
 * and needs no terminating; an empty selection makes no call.
 * Sources: EC2 API Reference, `Route` (GatewayId, NatGatewayId, EgressOnlyInternetGatewayId,
 * TransitGatewayId, VpcPeeringConnectionId, NetworkInterfaceId; DestinationCidrBlock,
 * DestinationIpv6CidrBlock, DestinationPrefixListId); "Error codes for the Amazon EC2 API"
 * (`InvalidInstanceID.NotFound`: the specified instance does not exist).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { createVerificationEc2Factory } from '../../../shared/aws/ec2-verification.ts';
import { isolationProblems } from '../../../shared/backup/isolation.ts';

type Handler = (input: Record<string, unknown>) => unknown;

/** A client answering each command by its name; records what was sent. */
function stubClient(handlers: Record<string, Handler>) {
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      sent.push({ command: name, input: command.input });
      const handler = handlers[name];
      if (handler === undefined) throw new Error(`unexpected ${name}`);
      return handler(command.input);
    },
  };
  const ec2 = createVerificationEc2Factory({ clientFor: () => client as unknown as EC2Client })('eu-west-1');
  return { ec2, sent };
}

const notFound = () =>
  Object.assign(new Error('The instance ID does not exist'), {
    name: 'InvalidInstanceID.NotFound',
    $metadata: { httpStatusCode: 400 },
  });

describe('verification EC2 adapter', () => {
  it('names every route target, so a NAT or egress-only gateway route refuses the subnet', async () => {
    // Prepare: the subnet has no table of its own; the VPC's main table routes out every way.
    const { ec2, sent } = stubClient({
      DescribeSubnets: () => ({ Subnets: [{ SubnetId: 'subnet-1', VpcId: 'vpc-1' }] }),
      DescribeSecurityGroups: () => ({ SecurityGroups: [{ GroupId: 'sg-1', VpcId: 'vpc-1' }] }),
      DescribeRouteTables: (input) =>
        JSON.stringify(input).includes('association.main')
          ? {
              RouteTables: [
                {
                  Routes: [
                    { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' },
                    { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0a1' },
                    { DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: 'eigw-0b2' },
                    { DestinationCidrBlock: '172.16.0.0/12', TransitGatewayId: 'tgw-0c3' },
                    { DestinationCidrBlock: '192.168.0.0/16', VpcPeeringConnectionId: 'pcx-0d4' },
                    { DestinationPrefixListId: 'pl-0e5', NetworkInterfaceId: 'eni-0f6' },
                    { DestinationCidrBlock: '100.64.0.0/10' },
                  ],
                },
              ],
            }
          : { RouteTables: [] },
    });
    // Act
    const facts = await ec2.isolationFacts('subnet-1', 'sg-1');
    // Assess
    expect(facts).toEqual({
      subnet: {
        vpcId: 'vpc-1',
        routes: [
          { destination: '10.0.0.0/16', target: 'local' },
          { destination: '0.0.0.0/0', target: 'nat-0a1' },
          { destination: '::/0', target: 'eigw-0b2' },
          { destination: '172.16.0.0/12', target: 'tgw-0c3' },
          { destination: '192.168.0.0/16', target: 'pcx-0d4' },
          { destination: 'pl-0e5', target: 'eni-0f6' },
          { destination: '100.64.0.0/10', target: 'unknown' },
        ],
      },
      securityGroup: { vpcId: 'vpc-1', inboundRuleCount: 0 },
    });
    expect(sent.filter((s) => s.command === 'DescribeRouteTables')).toHaveLength(2);
    expect(isolationProblems(facts, { subnetId: 'subnet-1', securityGroupId: 'sg-1', path: 'p' })).toEqual([
      'p.subnetId: subnet subnet-1 has a route to the internet (0.0.0.0/0 → nat-0a1, ::/0 → eigw-0b2): expected an isolated subnet (use VPC endpoints for SSM)',
      'p.subnetId: subnet subnet-1 has a route out of the VPC (172.16.0.0/12 → tgw-0c3, 192.168.0.0/16 → pcx-0d4, pl-0e5 → eni-0f6, 100.64.0.0/10 → unknown): expected only the local route and gateway VPC endpoints',
    ]);
  });

  it('refuses a NAT instance or carrier gateway route, accepts the local route and gateway endpoints', async () => {
    // EC2 API Reference, `Route`: a route's target is one of GatewayId (igw-, vgw-, vpce- for a
    // gateway endpoint, or "local"), InstanceId (a NAT instance), NetworkInterfaceId,
    // NatGatewayId, TransitGatewayId, CarrierGatewayId, LocalGatewayId, VpcPeeringConnectionId,
    // EgressOnlyInternetGatewayId or CoreNetworkArn. VPC User Guide, "Gateway endpoints": an S3
    // or DynamoDB gateway endpoint is a route to `vpce-…` for the service's prefix list.
    const tables = (routes: object[]) => ({ RouteTables: [{ Routes: routes }] });
    const { ec2 } = stubClient({
      DescribeSubnets: () => ({ Subnets: [{ SubnetId: 'subnet-1', VpcId: 'vpc-1' }] }),
      DescribeSecurityGroups: () => ({ SecurityGroups: [{ GroupId: 'sg-1', VpcId: 'vpc-1' }] }),
      DescribeRouteTables: () =>
        tables([
          { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' },
          { DestinationPrefixListId: 'pl-63a5400a', GatewayId: 'vpce-0aa1' },
          { DestinationCidrBlock: '0.0.0.0/0', InstanceId: 'i-0nat', NetworkInterfaceId: 'eni-0nat' },
          { DestinationCidrBlock: '198.51.100.0/24', CarrierGatewayId: 'cagw-0bb2' },
        ]),
    });
    const facts = await ec2.isolationFacts('subnet-1', 'sg-1');
    expect(isolationProblems(facts, { subnetId: 'subnet-1', securityGroupId: 'sg-1', path: 'p' })).toEqual([
      'p.subnetId: subnet subnet-1 has a route out of the VPC (0.0.0.0/0 → i-0nat, 198.51.100.0/24 → cagw-0bb2): expected only the local route and gateway VPC endpoints',
    ]);
  });

  it('probes an instance that vanished after DescribeInstances as state only, and terminates a gone one quietly', async () => {
    const { ec2, sent } = stubClient({
      DescribeInstances: () => ({
        Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'running' } }] }],
      }),
      DescribeInstanceStatus: () => {
        throw notFound();
      },
      TerminateInstances: () => {
        throw notFound();
      },
    });
    expect(await ec2.probe(['i-1', 'i-2'])).toEqual(new Map([['i-1', { state: 'running' }]]));
    await expect(ec2.terminate(['i-1'])).resolves.toBeUndefined();
    expect(sent.map((s) => s.command)).toEqual([
      'DescribeInstances',
      'DescribeInstanceStatus',
      'TerminateInstances',
    ]);
  });

  it('maps any other TerminateInstances failure to a named error with the operation and region', async () => {
    const { ec2 } = stubClient({
      TerminateInstances: () => {
        throw Object.assign(new Error('not allowed'), {
          name: 'UnauthorizedOperation',
          $metadata: { httpStatusCode: 403 },
        });
      },
    });
    const error = await ec2.terminate(['i-1']).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'Ec2AccessDenied' });
    expect((error as Error).message).toContain('TerminateInstances (eu-west-1)');
  });

  it('makes no call for an empty selection of images, instances to probe or to terminate', async () => {
    const { ec2, sent } = stubClient({});
    expect(await ec2.describeImages({ imageIds: [] })).toEqual([]);
    expect(await ec2.probe([])).toEqual(new Map());
    await ec2.terminate([]);
    expect(sent).toEqual([]);
  });

  it('reads an AMI without state, architecture, tags or EBS snapshot with the adapter defaults, skipping one without an id', async () => {
    const { ec2 } = stubClient({
      DescribeImages: () => ({
        Images: [
          {
            ImageId: 'ami-1',
            CreationDate: '2026-12-01T00:00:00.000Z',
            BlockDeviceMappings: [{ DeviceName: '/dev/sdb' }],
          },
          { Name: 'no id' },
        ],
      }),
    });
    expect(await ec2.describeImages({ tags: { Golden: 'yes' } })).toEqual([
      {
        imageId: 'ami-1',
        state: 'unknown',
        creationDate: '2026-12-01T00:00:00.000Z',
        architecture: 'x86_64',
        tags: {},
        snapshotIds: [],
      },
    ]);
  });
});
