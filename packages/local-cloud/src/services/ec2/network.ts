import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { isEc2Id } from '../../ids.ts';
import type { XmlObject } from '../../protocol/xml.ts';
import type { Ec2Action } from './context.ts';
import { invalidCombination } from './errors.ts';
import { compileFilters, parseFilters } from './filters.ts';
import type { IdIndex } from './id-index.ts';
import type {
  InternetGatewayRecord,
  RouteTableRecord,
  SecurityGroupRecord,
  SecurityGroupRule,
  SubnetRecord,
  Tags,
  VpcRecord,
} from './records.ts';
import { isRegionName, zonesOf } from './regions.ts';
import { tagSet } from './render.ts';
import type { Ec2Store, NetworkState } from './store.ts';

/**
 * The network a launch lands in: VPCs, subnets, route tables, internet gateways and security
 * groups, seeded (the local cloud creates none of them through the API) and described.
 */

const networkOf = (store: Ec2Store, region: string): NetworkState => store.region(region).network;

const NETWORK_KINDS = {
  vpc: { prefix: 'vpc', notFound: 'InvalidVpcID.NotFound', label: 'vpc ID' },
  subnet: { prefix: 'subnet', notFound: 'InvalidSubnetID.NotFound', label: 'subnet ID' },
  routeTable: { prefix: 'rtb', notFound: 'InvalidRouteTableID.NotFound', label: 'route table ID' },
  securityGroup: { prefix: 'sg', notFound: 'InvalidGroup.NotFound', label: 'security group' },
} as const;

/** The "all traffic to anywhere" egress rule every new security group starts with. */
const ALLOW_ALL_EGRESS: SecurityGroupRule = {
  ipProtocol: '-1',
  cidrIps: ['0.0.0.0/0'],
  groupIds: [],
};

// ---- seed -------------------------------------------------------------------------------

const region = z.string().refine(isRegionName, { message: 'not a region name (like eu-west-1)' });
const idOf = (prefix: string) =>
  z.string().refine((v) => isEc2Id(prefix, v), { message: `not a ${prefix}- id (8 or 17 hex digits)` });
const tags = z.record(z.string().min(1), z.string());
const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'an IPv4 CIDR block like 10.0.0.0/16');

const RuleSchema = z
  .object({
    ipProtocol: z.string().min(1).describe("tcp, udp, icmp or '-1' (all)"),
    fromPort: z.number().int().min(-1).max(65_535).optional(),
    toPort: z.number().int().min(-1).max(65_535).optional(),
    cidrIps: z.array(cidr).optional(),
    groupIds: z.array(idOf('sg')).optional(),
  })
  .strict();

export const NetworkSeedSchema = z
  .object({
    vpcs: z
      .array(
        z
          .object({
            region,
            vpcId: idOf('vpc'),
            cidrBlock: cidr,
            isDefault: z.boolean().optional(),
            tags: tags.optional(),
          })
          .strict(),
      )
      .optional(),
    subnets: z
      .array(
        z
          .object({
            region,
            subnetId: idOf('subnet'),
            vpcId: idOf('vpc'),
            cidrBlock: cidr,
            availabilityZone: z.string().optional(),
            mapPublicIpOnLaunch: z.boolean().optional(),
            defaultForAz: z.boolean().optional(),
            tags: tags.optional(),
          })
          .strict(),
      )
      .optional(),
    internetGateways: z
      .array(
        z
          .object({
            region,
            internetGatewayId: idOf('igw'),
            vpcId: idOf('vpc').optional().describe('the VPC it is attached to'),
            tags: tags.optional(),
          })
          .strict(),
      )
      .optional(),
    routeTables: z
      .array(
        z
          .object({
            region,
            routeTableId: idOf('rtb'),
            vpcId: idOf('vpc'),
            main: z.boolean().optional(),
            subnetIds: z.array(idOf('subnet')).optional(),
            routes: z
              .array(
                z
                  .object({
                    destinationCidrBlock: cidr,
                    gatewayId: z
                      .string()
                      .regex(/^(igw|vgw)-[0-9a-f]{8,17}$/, 'an igw- or vgw- id')
                      .optional(),
                    natGatewayId: idOf('nat').optional(),
                  })
                  .strict()
                  .refine((r) => (r.gatewayId === undefined) !== (r.natGatewayId === undefined), {
                    message: 'give exactly one of gatewayId or natGatewayId',
                  }),
              )
              .optional(),
            tags: tags.optional(),
          })
          .strict(),
      )
      .optional(),
    securityGroups: z
      .array(
        z
          .object({
            region,
            groupId: idOf('sg'),
            groupName: z.string().min(1).max(255),
            description: z.string().max(255).optional(),
            vpcId: idOf('vpc'),
            ingress: z.array(RuleSchema).optional(),
            egress: z.array(RuleSchema).optional().describe('allow-all egress when absent, as AWS creates'),
            tags: tags.optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();
export type NetworkSeed = z.infer<typeof NetworkSeedSchema>;

const tagMap = (record: Record<string, string> | undefined): Tags => new Map(Object.entries(record ?? {}));

const claim = <T extends { id: string }>(what: string, index: IdIndex<T>, item: T): void => {
  if (index.has(item.id)) throw new RangeError(`seed: ${what} ${item.id} already exists`);
  index.add(item);
};

const requireVpc = (net: NetworkState, what: string, vpcId: string, regionName: string): void => {
  if (!net.vpcs.has(vpcId))
    throw new RangeError(`seed: ${what} names vpc ${vpcId}, which is not seeded in ${regionName}`);
};

const rule = (r: z.infer<typeof RuleSchema>): SecurityGroupRule => ({
  ipProtocol: r.ipProtocol,
  ...(r.fromPort !== undefined ? { fromPort: r.fromPort } : {}),
  ...(r.toPort !== undefined ? { toPort: r.toPort } : {}),
  cidrIps: r.cidrIps ?? [],
  groupIds: r.groupIds ?? [],
});

/**
 * Seeds the network in dependency order (VPCs, subnets, gateways, route tables, groups);
 * every VPC without a seeded main route table gets one with its local route, as AWS creates.
 */
export const seedNetwork = (cloud: LocalCloud, store: Ec2Store, input: NetworkSeed | undefined) => {
  const seed = NetworkSeedSchema.parse(input ?? {});
  const created: Record<string, string[]> = { vpcs: [], subnets: [], routeTables: [], securityGroups: [] };
  for (const v of seed.vpcs ?? []) {
    const net = networkOf(store, v.region);
    claim('vpc', net.vpcs, {
      id: v.vpcId,
      cidrBlock: v.cidrBlock,
      isDefault: v.isDefault ?? false,
      tags: tagMap(v.tags),
    });
    created.vpcs?.push(v.vpcId);
  }
  for (const s of seed.subnets ?? []) {
    const net = networkOf(store, s.region);
    requireVpc(net, `subnet ${s.subnetId}`, s.vpcId, s.region);
    const zones = zonesOf(s.region);
    const zone = s.availabilityZone ?? zones[0] ?? `${s.region}a`;
    if (!zones.includes(zone))
      throw new RangeError(`seed: ${zone} is not a zone of ${s.region} (${zones.join(', ')})`);
    claim('subnet', net.subnets, {
      id: s.subnetId,
      vpcId: s.vpcId,
      cidrBlock: s.cidrBlock,
      availabilityZone: zone,
      mapPublicIpOnLaunch: s.mapPublicIpOnLaunch ?? false,
      defaultForAz: s.defaultForAz ?? false,
      tags: tagMap(s.tags),
    });
    created.subnets?.push(s.subnetId);
  }
  for (const g of seed.internetGateways ?? []) {
    const net = networkOf(store, g.region);
    if (g.vpcId) requireVpc(net, `internet gateway ${g.internetGatewayId}`, g.vpcId, g.region);
    claim('internet gateway', net.internetGateways, {
      id: g.internetGatewayId,
      vpcIds: g.vpcId ? [g.vpcId] : [],
      tags: tagMap(g.tags),
    });
  }
  for (const t of seed.routeTables ?? []) {
    const net = networkOf(store, t.region);
    requireVpc(net, `route table ${t.routeTableId}`, t.vpcId, t.region);
    const vpc = net.vpcs.get(t.vpcId);
    if (t.main && [...net.routeTables.values()].some((r) => r.vpcId === t.vpcId && r.main))
      throw new RangeError(`seed: vpc ${t.vpcId} already has a main route table`);
    for (const subnetId of t.subnetIds ?? []) {
      const subnet = net.subnets.get(subnetId);
      if (subnet?.vpcId !== t.vpcId)
        throw new RangeError(
          `seed: route table ${t.routeTableId}: subnet ${subnetId} is not seeded in ${t.vpcId}`,
        );
      if ([...net.routeTables.values()].some((r) => r.subnetIds.includes(subnetId)))
        throw new RangeError(`seed: subnet ${subnetId} is already associated with a route table`);
    }
    claim('route table', net.routeTables, {
      id: t.routeTableId,
      vpcId: t.vpcId,
      main: t.main ?? false,
      subnetIds: t.subnetIds ?? [],
      routes: [
        { destinationCidrBlock: vpc?.cidrBlock ?? '', gatewayId: 'local' },
        ...(t.routes ?? []).map((r) => ({
          destinationCidrBlock: r.destinationCidrBlock,
          ...(r.gatewayId ? { gatewayId: r.gatewayId } : {}),
          ...(r.natGatewayId ? { natGatewayId: r.natGatewayId } : {}),
        })),
      ],
      tags: tagMap(t.tags),
    });
    created.routeTables?.push(t.routeTableId);
  }
  for (const v of seed.vpcs ?? []) {
    const net = networkOf(store, v.region);
    if ([...net.routeTables.values()].some((t) => t.vpcId === v.vpcId && t.main)) continue;
    const id = cloud.ids.next('rtb');
    net.routeTables.add({
      id,
      vpcId: v.vpcId,
      main: true,
      subnetIds: [],
      routes: [{ destinationCidrBlock: v.cidrBlock, gatewayId: 'local' }],
      tags: new Map(),
    });
    created.routeTables?.push(id);
  }
  for (const g of seed.securityGroups ?? []) {
    const net = networkOf(store, g.region);
    requireVpc(net, `security group ${g.groupId}`, g.vpcId, g.region);
    if ([...net.securityGroups.values()].some((s) => s.vpcId === g.vpcId && s.name === g.groupName))
      throw new RangeError(`seed: security group name ${g.groupName} is already used in ${g.vpcId}`);
    claim('security group', net.securityGroups, {
      id: g.groupId,
      name: g.groupName,
      description: g.description ?? g.groupName,
      vpcId: g.vpcId,
      ingress: (g.ingress ?? []).map(rule),
      egress: g.egress ? g.egress.map(rule) : [ALLOW_ALL_EGRESS],
      tags: tagMap(g.tags),
    });
    created.securityGroups?.push(g.groupId);
  }
  return created;
};

const tagsJson = (t: Tags) => Object.fromEntries(t);

export const dumpNetwork = (store: Ec2Store) => {
  const regions: Record<string, unknown> = {};
  for (const [name, { network: net }] of store.regions) {
    if (net.vpcs.size === 0 && net.securityGroups.size === 0) continue;
    regions[name] = {
      vpcs: [...net.vpcs.values()].map((v) => ({ ...v, tags: tagsJson(v.tags) })),
      subnets: [...net.subnets.values()].map((s) => ({ ...s, tags: tagsJson(s.tags) })),
      routeTables: [...net.routeTables.values()].map((t) => ({ ...t, tags: tagsJson(t.tags) })),
      internetGateways: [...net.internetGateways.values()].map((g) => ({ ...g, tags: tagsJson(g.tags) })),
      securityGroups: [...net.securityGroups.values()].map((g) => ({ ...g, tags: tagsJson(g.tags) })),
    };
  }
  return regions;
};

// ---- lookups for RunInstances -----------------------------------------------------------

const networkNotFound = (kind: keyof typeof NETWORK_KINDS, ids: string[]): AwsError => {
  const spec = NETWORK_KINDS[kind];
  return new AwsError(spec.notFound, `The ${spec.label} '${ids.join(', ')}' does not exist`);
};

const MALFORMED = {
  vpc: 'InvalidVpcID.Malformed',
  subnet: 'InvalidSubnetID.Malformed',
  routeTable: 'InvalidRouteTableID.Malformed',
  securityGroup: 'InvalidGroupId.Malformed',
} as const;

const checkNetworkId = (kind: keyof typeof NETWORK_KINDS, id: string): void => {
  const spec = NETWORK_KINDS[kind];
  if (!isEc2Id(spec.prefix, id))
    throw new AwsError(MALFORMED[kind], `Invalid id: "${id}" (expecting "${spec.prefix}-...")`);
};

export const findSubnet = (net: NetworkState, id: string): SubnetRecord => {
  checkNetworkId('subnet', id);
  const subnet = net.subnets.get(id);
  if (!subnet) throw networkNotFound('subnet', [id]);
  return subnet;
};

export const findSecurityGroup = (net: NetworkState, id: string): SecurityGroupRecord => {
  checkNetworkId('securityGroup', id);
  const group = net.securityGroups.get(id);
  if (!group) throw networkNotFound('securityGroup', [id]);
  return group;
};

/** The default subnet of a zone of the default VPC (RunInstances without SubnetId). */
export const defaultSubnet = (net: NetworkState): SubnetRecord | undefined => {
  const vpc = [...net.vpcs.values()].find((v) => v.isDefault);
  if (!vpc) return undefined;
  return [...net.subnets.values()].find((s) => s.vpcId === vpc.id && s.defaultForAz);
};

/** The VPC's `default` security group, if seeded (RunInstances without SecurityGroupIds). */
export const defaultSecurityGroup = (net: NetworkState, vpcId: string): SecurityGroupRecord | undefined =>
  [...net.securityGroups.values()].find((g) => g.vpcId === vpcId && g.name === 'default');

// ---- Describe* ---------------------------------------------------------------------------

/** Explicit ids first (each must exist), then the filters; results in id order. */
const describeFrom = <T extends { id: string; tags: Tags }>(
  kind: keyof typeof NETWORK_KINDS,
  index: IdIndex<T>,
  ids: string[],
  filter: (item: T) => boolean,
): T[] => {
  for (const id of ids) checkNetworkId(kind, id);
  const missing = ids.filter((id) => !index.has(id));
  if (missing.length > 0) throw networkNotFound(kind, missing);
  const wanted = new Set(ids);
  return [...index.values()].filter((item) => (wanted.size === 0 || wanted.has(item.id)) && filter(item));
};

const subnetXml = (s: SubnetRecord, ownerId: string, region: string): XmlObject => ({
  subnetId: s.id,
  subnetArn: `arn:aws:ec2:${region}:${ownerId}:subnet/${s.id}`,
  state: 'available',
  vpcId: s.vpcId,
  cidrBlock: s.cidrBlock,
  availabilityZone: s.availabilityZone,
  availableIpAddressCount: availableAddresses(s.cidrBlock),
  defaultForAz: s.defaultForAz,
  mapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
  ownerId,
  tagSet: tagSet(s.tags),
});

/** Addresses of the block minus the five AWS reserves in every subnet. */
const availableAddresses = (block: string): number => {
  const bits = Number(block.split('/')[1] ?? 32);
  return Math.max(0, 2 ** (32 - bits) - 5);
};

export const describeSubnets: Ec2Action = (ctx) => {
  const net = networkOf(ctx.store, ctx.region);
  const filter = compileFilters<SubnetRecord>(parseFilters(ctx.params), {
    'subnet-id': (s) => s.id,
    'vpc-id': (s) => s.vpcId,
    'availability-zone': (s) => s.availabilityZone,
    'cidr-block': (s) => s.cidrBlock,
    'default-for-az': (s) => s.defaultForAz,
    'map-public-ip-on-launch': (s) => s.mapPublicIpOnLaunch,
    state: () => 'available',
  });
  const found = describeFrom('subnet', net.subnets, ctx.params.list('SubnetId'), filter);
  return { subnetSet: found.map((s) => subnetXml(s, ctx.cloud.accountId, ctx.region)) };
};

const routeTableXml = (t: RouteTableRecord, ownerId: string): XmlObject => ({
  routeTableId: t.id,
  vpcId: t.vpcId,
  ownerId,
  routeSet: t.routes.map((r) => ({
    destinationCidrBlock: r.destinationCidrBlock,
    gatewayId: r.gatewayId,
    natGatewayId: r.natGatewayId,
    state: 'active',
    origin: r.gatewayId === 'local' ? 'CreateRouteTable' : 'CreateRoute',
  })),
  associationSet: [
    ...(t.main
      ? [{ routeTableAssociationId: `rtbassoc-${t.id.slice(4)}`, routeTableId: t.id, main: true }]
      : []),
    ...t.subnetIds.map((subnetId, n) => ({
      routeTableAssociationId: `rtbassoc-${t.id.slice(4, -1)}${n + 1}`,
      routeTableId: t.id,
      subnetId,
      main: false,
    })),
  ].map((a) => ({ ...a, associationState: { state: 'associated' } })),
  tagSet: tagSet(t.tags),
});

/**
 * DescribeRouteTables: `association.subnet-id` matches explicit associations only; a subnet
 * without one is served by the main table, found with `association.main` + `vpc-id`.
 */
export const describeRouteTables: Ec2Action = (ctx) => {
  const net = networkOf(ctx.store, ctx.region);
  const filter = compileFilters<RouteTableRecord>(parseFilters(ctx.params), {
    'route-table-id': (t) => t.id,
    'vpc-id': (t) => t.vpcId,
    'association.subnet-id': (t) => t.subnetIds,
    'association.main': (t) => t.main,
    'route.gateway-id': (t) => t.routes.map((r) => r.gatewayId),
    'route.nat-gateway-id': (t) => t.routes.map((r) => r.natGatewayId),
    'route.destination-cidr-block': (t) => t.routes.map((r) => r.destinationCidrBlock),
  });
  const found = describeFrom('routeTable', net.routeTables, ctx.params.list('RouteTableId'), filter);
  return { routeTableSet: found.map((t) => routeTableXml(t, ctx.cloud.accountId)) };
};

const ruleXml = (r: SecurityGroupRule, ownerId: string): XmlObject => ({
  ipProtocol: r.ipProtocol,
  fromPort: r.fromPort,
  toPort: r.toPort,
  groups: r.groupIds.map((groupId) => ({ groupId, userId: ownerId })),
  ipRanges: r.cidrIps.map((cidrIp) => ({ cidrIp })),
  ipv6Ranges: [],
  prefixListIds: [],
});

export const describeSecurityGroups: Ec2Action = (ctx) => {
  const net = networkOf(ctx.store, ctx.region);
  if (ctx.params.list('GroupName').length > 0)
    throw invalidCombination('The local cloud describes security groups by GroupId or filter group-name');
  const filter = compileFilters<SecurityGroupRecord>(parseFilters(ctx.params), {
    'group-id': (g) => g.id,
    'group-name': (g) => g.name,
    'vpc-id': (g) => g.vpcId,
    description: (g) => g.description,
  });
  const found = describeFrom('securityGroup', net.securityGroups, ctx.params.list('GroupId'), filter);
  const ownerId = ctx.cloud.accountId;
  return {
    securityGroupInfo: found.map((g) => ({
      ownerId,
      groupId: g.id,
      groupName: g.name,
      groupDescription: g.description,
      vpcId: g.vpcId,
      ipPermissions: g.ingress.map((r) => ruleXml(r, ownerId)),
      ipPermissionsEgress: g.egress.map((r) => ruleXml(r, ownerId)),
      tagSet: tagSet(g.tags),
    })),
  };
};

export const describeVpcs: Ec2Action = (ctx) => {
  const net = networkOf(ctx.store, ctx.region);
  const filter = compileFilters<VpcRecord>(parseFilters(ctx.params), {
    'vpc-id': (v) => v.id,
    'is-default': (v) => v.isDefault,
    'cidr-block': (v) => v.cidrBlock,
  });
  const found = describeFrom('vpc', net.vpcs, ctx.params.list('VpcId'), filter);
  return {
    vpcSet: found.map((v) => ({
      vpcId: v.id,
      state: 'available',
      cidrBlock: v.cidrBlock,
      isDefault: v.isDefault,
      instanceTenancy: 'default',
      ownerId: ctx.cloud.accountId,
      tagSet: tagSet(v.tags),
    })),
  };
};

export const describeInternetGateways: Ec2Action = (ctx) => {
  const net = networkOf(ctx.store, ctx.region);
  const filter = compileFilters<InternetGatewayRecord>(parseFilters(ctx.params), {
    'internet-gateway-id': (g) => g.id,
    'attachment.vpc-id': (g) => g.vpcIds,
  });
  const ids = ctx.params.list('InternetGatewayId');
  for (const id of ids)
    if (!net.internetGateways.has(id))
      throw new AwsError(
        'InvalidInternetGatewayID.NotFound',
        `The internetGateway ID '${id}' does not exist`,
      );
  const wanted = new Set(ids);
  return {
    internetGatewaySet: [...net.internetGateways.values()]
      .filter((g) => (wanted.size === 0 || wanted.has(g.id)) && filter(g))
      .map((g) => ({
        internetGatewayId: g.id,
        ownerId: ctx.cloud.accountId,
        attachmentSet: g.vpcIds.map((vpcId) => ({ vpcId, state: 'available' })),
        tagSet: tagSet(g.tags),
      })),
  };
};
