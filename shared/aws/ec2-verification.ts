/**
 * The EC2 side of restore verification (the VerificationEc2 port): isolation facts, the
 * AMIs to test, RunInstances / DescribeInstanceStatus / TerminateInstances, the sweep's
 * listing and the result tags. Listings use Filters so a missing id is absent, not an error.
 */
import {
  type _InstanceType,
  CreateTagsCommand,
  DescribeImagesCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  type EC2ClientConfig,
  type Filter,
  type Image,
  type Route,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { InvalidBackupInput } from '../backup/errors.ts';
import type { RouteView } from '../backup/isolation.ts';
import { TAG_KEYS } from '../backup/tags.ts';
import type { InstanceProbe } from '../backup/verification.ts';
import { VERIFICATION_KIND } from '../backup/verification.ts';
import type { VerificationEc2 } from '../backup-service/ports/verification.ts';
import { ec2ErrorCode, toBackupError } from './ec2-errors.ts';
import { tagRecord } from './ec2-mapping.ts';

const iso = (value: Date | string | undefined): string => new Date(value ?? 0).toISOString();

const routeTarget = (r: Route): string =>
  r.GatewayId ??
  r.NatGatewayId ??
  r.EgressOnlyInternetGatewayId ??
  r.TransitGatewayId ??
  r.VpcPeeringConnectionId ??
  r.InstanceId ??
  r.NetworkInterfaceId ??
  r.CarrierGatewayId ??
  r.LocalGatewayId ??
  r.CoreNetworkArn ??
  'unknown';

const ALIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

export interface VerificationEc2Options {
  clientConfig?: Omit<EC2ClientConfig, 'region'>;
  clientFor?: (region: string) => EC2Client;
}

/** One VerificationEc2 port per region. */
export function createVerificationEc2Factory(
  options: VerificationEc2Options = {},
): (region: string) => VerificationEc2 {
  const ports = new Map<string, VerificationEc2>();
  return (region) => {
    let port = ports.get(region);
    if (port === undefined) {
      port = createVerificationEc2(
        options.clientFor?.(region) ?? new EC2Client({ ...options.clientConfig, region }),
        region,
      );
      ports.set(region, port);
    }
    return port;
  };
}

interface Ctx {
  client: EC2Client;
  region: string;
  call<T>(operation: string, run: () => Promise<T>): Promise<T>;
}

type Port = VerificationEc2;

async function describeInstances(ctx: Ctx, Filters: Filter[]) {
  const out: {
    instanceId: string;
    state: string;
    tags: Record<string, string>;
    launchTime: string;
    clientToken?: string;
  }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ctx.call('DescribeInstances', () =>
      ctx.client.send(new DescribeInstancesCommand({ Filters, MaxResults: 500, NextToken })),
    );
    for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? []))
      if (instance.InstanceId !== undefined)
        out.push({
          instanceId: instance.InstanceId,
          state: instance.State?.Name ?? 'unknown',
          tags: tagRecord(instance.Tags),
          launchTime: iso(instance.LaunchTime),
          ...(instance.ClientToken ? { clientToken: instance.ClientToken } : {}),
        });
    NextToken = page.NextToken;
  } while (NextToken !== undefined && NextToken !== '');
  return out;
}

const routeTables = (ctx: Ctx, Filters: Filter[]) =>
  ctx.call('DescribeRouteTables', () => ctx.client.send(new DescribeRouteTablesCommand({ Filters })));

/**
 * The routes of a subnet: its own route table's, else the VPC's main table's (a subnet
 * without an explicit association uses it: VPC User Guide, "Subnet route tables").
 */
async function subnetRoutes(ctx: Ctx, subnetId: string, vpcId: string): Promise<RouteView[]> {
  const own = await routeTables(ctx, [{ Name: 'association.subnet-id', Values: [subnetId] }]);
  const tables =
    (own.RouteTables ?? []).length > 0
      ? own.RouteTables
      : (
          await routeTables(ctx, [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'association.main', Values: ['true'] },
          ])
        ).RouteTables;
  return (tables ?? []).flatMap((t) =>
    (t.Routes ?? []).map((r) => ({
      destination: r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? '?',
      target: routeTarget(r),
    })),
  );
}

const isolationFacts = async (ctx: Ctx, subnetId: string, securityGroupId: string) => {
  const { client, call } = ctx;
  const subnets = await call('DescribeSubnets', () =>
    client.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: [subnetId] }] })),
  );
  const subnet = subnets.Subnets?.[0];
  const groups = await call('DescribeSecurityGroups', () =>
    client.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: [securityGroupId] }] }),
    ),
  );
  const group = groups.SecurityGroups?.[0];
  const routes = subnet?.VpcId === undefined ? [] : await subnetRoutes(ctx, subnetId, subnet.VpcId);
  return {
    ...(subnet?.VpcId === undefined ? {} : { subnet: { vpcId: subnet.VpcId, routes } }),
    ...(group?.VpcId === undefined
      ? {}
      : { securityGroup: { vpcId: group.VpcId, inboundRuleCount: (group.IpPermissions ?? []).length } }),
  };
};

const toVerificationImage = (i: Image & { ImageId: string }) => ({
  imageId: i.ImageId,
  ...(i.Name === undefined ? {} : { name: i.Name }),
  state: i.State ?? 'unknown',
  creationDate: iso(i.CreationDate),
  architecture: i.Architecture ?? 'x86_64',
  tags: tagRecord(i.Tags),
  snapshotIds: (i.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [])),
});

async function describeImages(ctx: Ctx, query: Parameters<Port['describeImages']>[0]) {
  const Filters: Filter[] = [];
  if (query.imageIds !== undefined) {
    if (query.imageIds.length === 0) return [];
    Filters.push({ Name: 'image-id', Values: [...query.imageIds] });
  }
  for (const [key, value] of Object.entries(query.tags ?? {}))
    Filters.push({ Name: `tag:${key}`, Values: [value] });
  const images = [];
  let NextToken: string | undefined;
  do {
    const page = await ctx.call('DescribeImages', () =>
      ctx.client.send(new DescribeImagesCommand({ Owners: ['self'], Filters, MaxResults: 500, NextToken })),
    );
    for (const i of page.Images ?? [])
      if (i.ImageId !== undefined) images.push(toVerificationImage({ ...i, ImageId: i.ImageId }));
    NextToken = page.NextToken;
  } while (NextToken !== undefined && NextToken !== '');
  return images;
}

const runInstancesCommand = (launch: Parameters<Port['runInstance']>[0]) =>
  new RunInstancesCommand({
    ImageId: launch.imageId,
    InstanceType: launch.instanceType as _InstanceType,
    MinCount: 1,
    MaxCount: 1,
    ClientToken: launch.clientToken,
    InstanceInitiatedShutdownBehavior: launch.instanceInitiatedShutdownBehavior,
    NetworkInterfaces: [
      {
        DeviceIndex: 0,
        SubnetId: launch.subnetId,
        Groups: launch.securityGroupIds,
        AssociatePublicIpAddress: launch.associatePublicIpAddress,
        DeleteOnTermination: true,
      },
    ],
    TagSpecifications: launch.tagSpecifications.map((t) => ({ ResourceType: t.ResourceType, Tags: t.Tags })),
  });

async function runInstance(ctx: Ctx, launch: Parameters<Port['runInstance']>[0]) {
  const out = await ctx.call('RunInstances', () => ctx.client.send(runInstancesCommand(launch)));
  const instance = out.Instances?.[0];
  if (instance?.InstanceId === undefined)
    throw new InvalidBackupInput(`RunInstances (${ctx.region}): no instance returned`);
  return { instanceId: instance.InstanceId, launchTime: iso(instance.LaunchTime) };
}

/** An instance that vanished meanwhile has no status (not an error). */
const instanceStatuses = (ctx: Ctx, instanceIds: string[]) =>
  ctx.call('DescribeInstanceStatus', async () => {
    try {
      return await ctx.client.send(
        new DescribeInstanceStatusCommand({ InstanceIds: instanceIds, IncludeAllInstances: true }),
      );
    } catch (error) {
      if (ec2ErrorCode(error) === 'InvalidInstanceID.NotFound') return { InstanceStatuses: [] };
      throw error;
    }
  });

async function probe(ctx: Ctx, instanceIds: readonly string[]): Promise<Map<string, InstanceProbe>> {
  const out = new Map<string, InstanceProbe>();
  if (instanceIds.length === 0) return out;
  for (const i of await describeInstances(ctx, [{ Name: 'instance-id', Values: [...instanceIds] }]))
    out.set(i.instanceId, { state: i.state });
  const statuses = await instanceStatuses(ctx, [...out.keys()]);
  for (const s of statuses.InstanceStatuses ?? []) {
    const id = s.InstanceId;
    const known = id === undefined ? undefined : out.get(id);
    if (id === undefined || known === undefined) continue;
    out.set(id, {
      ...known,
      ...(s.SystemStatus?.Status === undefined ? {} : { systemStatus: s.SystemStatus.Status }),
      ...(s.InstanceStatus?.Status === undefined ? {} : { instanceStatus: s.InstanceStatus.Status }),
    });
  }
  return out;
}

async function terminate(ctx: Ctx, instanceIds: readonly string[]): Promise<void> {
  if (instanceIds.length === 0) return;
  await ctx.call('TerminateInstances', async () => {
    try {
      await ctx.client.send(new TerminateInstancesCommand({ InstanceIds: [...instanceIds] }));
    } catch (error) {
      if (ec2ErrorCode(error) !== 'InvalidInstanceID.NotFound') throw error;
    }
  });
}

/**
 * Tagged verification instances, the given ids, and the instances launched with the given
 * ClientTokens (DescribeInstances filter `client-token`: "the idempotency token you provided
 * when you launched the instance", EC2 API Reference, DescribeInstances).
 */
async function verificationInstances(ctx: Ctx, extraIds: readonly string[], clientTokens: readonly string[]) {
  const state = { Name: 'instance-state-name', Values: ALIVE_STATES };
  const tagged = await describeInstances(ctx, [
    { Name: `tag:${TAG_KEYS.kind}`, Values: [VERIFICATION_KIND] },
    state,
  ]);
  const extra =
    extraIds.length === 0
      ? []
      : await describeInstances(ctx, [{ Name: 'instance-id', Values: [...extraIds] }, state]);
  const byToken =
    clientTokens.length === 0
      ? []
      : await describeInstances(ctx, [{ Name: 'client-token', Values: [...clientTokens] }, state]);
  const byId = new Map([...tagged, ...extra, ...byToken].map((i) => [i.instanceId, i]));
  return [...byId.values()];
}

function createVerificationEc2(client: EC2Client, region: string): VerificationEc2 {
  const call = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toBackupError(error, `${operation} (${region})`, InvalidBackupInput);
    }
  };
  const ctx: Ctx = { client, region, call };
  return {
    region,
    isolationFacts: (subnetId, securityGroupId) => isolationFacts(ctx, subnetId, securityGroupId),
    describeImages: (query) => describeImages(ctx, query),
    runInstance: (launch) => runInstance(ctx, launch),
    probe: (instanceIds) => probe(ctx, instanceIds),
    terminate: (instanceIds) => terminate(ctx, instanceIds),
    verificationInstances: (extraIds, clientTokens = []) =>
      verificationInstances(ctx, extraIds, clientTokens),
    async tagImage(imageId, tags) {
      await call('CreateTags', () =>
        client.send(new CreateTagsCommand({ Resources: [imageId], Tags: [...tags] })),
      );
    },
  };
}
