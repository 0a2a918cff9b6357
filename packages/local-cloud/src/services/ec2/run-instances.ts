import { AwsError } from '../../aws-error.ts';
import type { XmlObject } from '../../protocol/xml.ts';
import { takeAsyncFault } from './async-faults.ts';
import type { Ec2Action, Ec2Context } from './context.ts';
import { rememberClientToken, replayClientToken } from './copy.ts';
import { checkId, invalidCombination, invalidValue, missingParameter, notFound } from './errors.ts';
import type { GuestService } from './guest.ts';
import { findImage } from './images.ts';
import { instanceStateAt } from './instance-lifecycle.ts';
import { checkArchitecture, DEFAULT_INSTANCE_TYPE } from './instance-types.ts';
import { findLaunchTemplate, resolveVersion } from './launch-templates.ts';
import { imageView } from './lifecycle.ts';
import { defaultSecurityGroup, defaultSubnet, findSecurityGroup, findSubnet } from './network.ts';
import type {
  ImageRecord,
  InstanceRecord,
  LaunchDetails,
  LaunchTemplateData,
  SubnetRecord,
  Tags,
  VolumeRecord,
} from './records.ts';
import { instanceStateXml, instanceXml } from './render.ts';
import type { RegionState } from './store.ts';
import { applyTags, parseTagSpecifications } from './tags.ts';

/**
 * RunInstances and TerminateInstances (EC2 API reference). An instance starts `pending`, is
 * `running` after instanceBootMs; its volumes are created from the AMI's snapshots, attached,
 * tagged from the `volume` TagSpecifications, and deleted on termination when the mapping says so.
 */

const SHUTDOWN_BEHAVIORS = ['stop', 'terminate'] as const;
/** Image states RunInstances launches from; others answer InvalidAMIID.Unavailable [unconfirmed code]. */
const LAUNCHABLE_IMAGE_STATE = 'available';
const IMAGE_DOES_NOT_BOOT = 'The instance status check failed: the image does not boot';

const templateData = (
  ctx: Ec2Context,
): { data: LaunchTemplateData; ref?: { id: string; version: number } } => {
  const spec = ctx.params.scope('LaunchTemplate');
  if (spec.isEmpty()) return { data: {} };
  const template = findLaunchTemplate(ctx.state, spec);
  const version = resolveVersion(template, spec.get('Version'));
  return { data: version.data, ref: { id: template.id, version: version.number } };
};

const placement = (ctx: Ec2Context, subnetId: string | undefined): SubnetRecord => {
  const net = ctx.state.network;
  if (subnetId !== undefined) return findSubnet(net, subnetId);
  const fallback = defaultSubnet(net);
  // [unconfirmed wording] AWS: "If you don't have a default VPC, you must specify a subnet ID".
  if (!fallback) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user. Specify a SubnetId.');
  return fallback;
};

interface NetworkRequest {
  subnetId?: string;
  groupIds: string[];
  /** AssociatePublicIpAddress of the primary interface; the subnet's setting when absent. */
  publicIp?: boolean;
}

/**
 * Subnet, security groups and public IP, from the top-level SubnetId / SecurityGroupId or from
 * one `NetworkInterface` (RunInstances API reference: "If you specify a network interface, you
 * must specify any subnets [and security groups] as part of the network interface"; a public
 * IPv4 address "can only be assigned to a network interface for eth0 … You cannot specify more
 * than one network interface in the request").
 */
const networkRequest = (ctx: Ec2Context, data: LaunchTemplateData): NetworkRequest => {
  const { params } = ctx;
  const interfaces = params.members('NetworkInterface');
  const topGroups = params.list('SecurityGroupId');
  if (interfaces.length === 0)
    return {
      ...(params.get('SubnetId') !== undefined ? { subnetId: params.get('SubnetId') } : {}),
      groupIds: topGroups.length > 0 ? topGroups : (data.securityGroupIds ?? []),
    };
  // [unconfirmed wording] of both InvalidParameterCombination messages.
  if (params.get('SubnetId') !== undefined)
    throw invalidCombination(
      'Network interfaces and an instance-level subnet ID may not be specified on the same request',
    );
  if (topGroups.length > 0)
    throw invalidCombination(
      'Network interfaces and an instance-level security groups may not be specified on the same request',
    );
  const [primary] = interfaces;
  if (interfaces.length > 1 || !primary)
    throw new AwsError('InvalidParameterCombination', 'The local cloud launches with one network interface.');
  if (primary.int('DeviceIndex') === undefined) throw missingParameter('NetworkInterface.1.DeviceIndex');
  if (primary.int('DeviceIndex') !== 0)
    throw invalidValue('The primary network interface must have device index 0.');
  const publicIp = primary.bool('AssociatePublicIpAddress');
  const groups = primary.list('SecurityGroupId');
  return {
    ...(primary.get('SubnetId') !== undefined ? { subnetId: primary.get('SubnetId') } : {}),
    groupIds: groups.length > 0 ? groups : (data.securityGroupIds ?? []),
    ...(publicIp !== undefined ? { publicIp } : {}),
  };
};

/** What the image's guest does on this launch: its own `guest` settings, else a consumed async fault. */
const guestAtLaunch = (ctx: Ec2Context, image: ImageRecord) => {
  const match = { region: ctx.region, imageId: image.id };
  const statusChecks = image.guest?.statusChecks;
  const impaired =
    statusChecks === 'impaired'
      ? IMAGE_DOES_NOT_BOOT
      : takeAsyncFault(ctx.store, 'status-check-failed', match);
  const stuck =
    statusChecks === 'never-ready' || takeAsyncFault(ctx.store, 'status-check-stuck', match) !== undefined;
  const agentMissing =
    image.guest?.ssmAgent === false || takeAsyncFault(ctx.store, 'ssm-agent-missing', match) !== undefined;
  const service: GuestService =
    takeAsyncFault(ctx.store, 'service-error', match) !== undefined
      ? 'error'
      : takeAsyncFault(ctx.store, 'service-not-listening', match) !== undefined
        ? 'not-listening'
        : (image.guest?.service ?? 'ok');
  return {
    ...(impaired ? { impaired } : {}),
    ...(stuck && !impaired ? { checksStuck: true as const } : {}),
    ssmAgent: !agentMissing,
    service,
  };
};

/** 10.0.1.0/24 → 10.0.1.4, .5, …: the first four addresses of a subnet are reserved by AWS. */
const privateIp = (subnet: SubnetRecord, n: number): string => {
  const [base = '10.0.0.0'] = subnet.cidrBlock.split('/');
  const octets = base.split('.').map(Number);
  const value =
    ((octets[0] ?? 0) << 24) + ((octets[1] ?? 0) << 16) + ((octets[2] ?? 0) << 8) + (octets[3] ?? 0) + 4 + n;
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
};

const count = (ctx: Ec2Context, name: 'MinCount' | 'MaxCount'): number => {
  const value = ctx.params.int(name);
  if (value === undefined) throw missingParameter(name);
  if (value < 1)
    throw invalidValue(`Value (${value}) for parameter ${name} is invalid. Expected a positive integer.`);
  return value;
};

const reservationOf = (state: RegionState, reservationId: string): InstanceRecord[] =>
  [...state.instances.values()].filter((i) => i.reservationId === reservationId);

const reservationXml = (ctx: Ec2Context, instances: InstanceRecord[]): XmlObject => ({
  reservationId: instances[0]?.reservationId,
  ownerId: ctx.cloud.accountId,
  groupSet: [],
  instancesSet: instances.map((i) => instanceXml(i, ctx.now)),
});

export const runInstances: Ec2Action = (ctx) => {
  const { params, state, now, cloud } = ctx;
  const replayed = replayClientToken(ctx, 'RunInstances');
  if (replayed) {
    const instances = reservationOf(state, replayed);
    if (instances.length > 0) return reservationXml(ctx, instances);
  }
  const minCount = count(ctx, 'MinCount');
  const maxCount = count(ctx, 'MaxCount');
  if (maxCount < minCount)
    throw invalidValue(`MaxCount (${maxCount}) must be greater than or equal to MinCount (${minCount}).`);
  const { data, ref } = templateData(ctx);
  const imageId = params.get('ImageId') ?? data.imageId;
  if (imageId === undefined) throw missingParameter('ImageId');
  const image = findImage(state, imageId);
  if (now < image.visibleAt) throw notFound('image', [imageId]);
  const imageState = imageView(image, state, now).state;
  if (imageState !== LAUNCHABLE_IMAGE_STATE)
    throw new AwsError(
      'InvalidAMIID.Unavailable',
      `The image id '[${imageId}]' is not available (state: ${imageState})`,
    );
  const instanceType = params.get('InstanceType') ?? data.instanceType ?? DEFAULT_INSTANCE_TYPE;
  checkArchitecture(instanceType, image.architecture);
  const shutdownBehavior =
    params.get('InstanceInitiatedShutdownBehavior') ?? data.instanceInitiatedShutdownBehavior ?? 'stop';
  if (!(SHUTDOWN_BEHAVIORS as readonly string[]).includes(shutdownBehavior))
    throw invalidValue(
      `Value (${shutdownBehavior}) for parameter InstanceInitiatedShutdownBehavior is invalid. Expected one of: stop, terminate.`,
    );
  const network = networkRequest(ctx, data);
  const subnet = placement(ctx, network.subnetId);
  const groups = network.groupIds.map((id) => findSecurityGroup(state.network, id));
  for (const group of groups)
    if (group.vpcId !== subnet.vpcId)
      throw new AwsError(
        'InvalidParameter',
        `Security group ${group.id} and subnet ${subnet.id} belong to different networks.`,
      );
  const fallbackGroup = groups.length === 0 ? defaultSecurityGroup(state.network, subnet.vpcId) : undefined;
  const securityGroups = (fallbackGroup ? [fallbackGroup] : groups).map((g) => ({
    groupId: g.id,
    groupName: g.name,
  }));
  const publicIp = network.publicIp ?? subnet.mapPublicIpOnLaunch;
  // Template tags first, the request's own TagSpecifications override them per key.
  const specs = parseTagSpecifications(params, ['instance', 'volume']);
  const tagsFor = (type: string): Tags => {
    const tags: Tags = new Map();
    for (const spec of data.tagSpecifications ?? [])
      if (spec.resourceType === type) applyTags(tags, spec.tags);
    applyTags(tags, specs.get(type) ?? new Map());
    return tags;
  };

  const reservationId = cloud.ids.next('r');
  const instances: InstanceRecord[] = [];
  for (let n = 0; n < maxCount; n++) {
    const id = cloud.ids.next('i');
    const devices = image.blockDevices
      .filter((d) => !d.noDevice && !d.virtualName && (d.snapshotId || d.volumeSize))
      .map((d) => {
        const volume: VolumeRecord = {
          id: cloud.ids.next('vol'),
          region: ctx.region,
          availabilityZone: subnet.availabilityZone,
          size: d.volumeSize ?? 8,
          volumeType: d.volumeType ?? 'gp2',
          ...(d.iops !== undefined ? { iops: d.iops } : {}),
          ...(d.throughput !== undefined ? { throughput: d.throughput } : {}),
          encrypted: d.encrypted ?? false,
          ...(d.kmsKeyId ? { kmsKeyId: d.kmsKeyId } : {}),
          ...(d.snapshotId ? { snapshotId: d.snapshotId } : {}),
          createTime: now,
          readyAt: now,
          tags: tagsFor('volume'),
          attachment: {
            instanceId: id,
            device: d.deviceName,
            deleteOnTermination: d.deleteOnTermination ?? true,
            attachTime: now,
          },
        };
        state.volumes.add(volume);
        return {
          deviceName: d.deviceName,
          volumeId: volume.id,
          deleteOnTermination: d.deleteOnTermination ?? true,
        };
      });
    const guest = guestAtLaunch(ctx, image);
    const runningAt = now + cloud.durations.instanceBootMs;
    const launch: LaunchDetails = {
      runningAt,
      statusReadyAt: runningAt + cloud.durations.instanceStatusCheckMs,
      ...guest,
      subnetId: subnet.id,
      vpcId: subnet.vpcId,
      securityGroups,
      privateIpAddress: privateIp(subnet, state.instances.size + n),
      ...(publicIp ? { publicIpAddress: `203.0.113.${(state.instances.size % 250) + 1}` } : {}),
      shutdownBehavior: shutdownBehavior as LaunchDetails['shutdownBehavior'],
      ...(ref ? { launchTemplate: ref } : {}),
      ...(params.get('ClientToken') === undefined ? {} : { clientToken: params.get('ClientToken') }),
    };
    const tags = tagsFor('instance');
    // EC2 adds these system tags to instances launched from a template.
    if (ref) {
      tags.set('aws:ec2launchtemplate:id', ref.id);
      tags.set('aws:ec2launchtemplate:version', String(ref.version));
    }
    const instance: InstanceRecord = {
      id,
      reservationId,
      region: ctx.region,
      availabilityZone: subnet.availabilityZone,
      architecture: image.architecture,
      rootDeviceName: image.rootDeviceName,
      ...(image.bootMode ? { bootMode: image.bootMode } : {}),
      enaSupport: image.enaSupport ?? false,
      state: 'pending',
      instanceType,
      imageId: image.id,
      launchTime: now,
      tags,
      devices,
      launch,
      // An instance takes its AMI's billing information, product codes and IMDS requirement.
      billing: image.billing,
      productCodes: [...image.productCodes],
      httpTokens: image.imdsSupport === 'v2.0' ? 'required' : 'optional',
      ...(image.tpmSupport ? { tpmSupport: image.tpmSupport } : {}),
      instanceStore: [],
    };
    state.instances.add(instance);
    instances.push(instance);
  }
  rememberClientToken(ctx, 'RunInstances', reservationId);
  cloud.counters.add('ec2.instancesLaunched', instances.length);
  return reservationXml(ctx, instances);
};

/**
 * TerminateInstances is idempotent and all or nothing: every id must exist before any
 * instance changes. Seeded instances get a timeline from the moment they are terminated.
 */
export const terminateInstances: Ec2Action = (ctx) => {
  const { params, state, now, cloud } = ctx;
  const ids = params.list('InstanceId');
  if (ids.length === 0) throw missingParameter('InstanceId');
  for (const id of ids) checkId('instance', id);
  const missing = ids.filter((id) => !state.instances.has(id));
  if (missing.length > 0) throw notFound('instance', missing);
  const changes = [...new Set(ids)].map((id) => {
    const instance = state.instances.get(id) as InstanceRecord;
    const previous = instanceStateAt(instance, now);
    if (!instance.launch)
      instance.launch = {
        runningAt: instance.launchTime,
        statusReadyAt: instance.launchTime,
        securityGroups: [],
        shutdownBehavior: 'stop',
      };
    if (instance.launch.shutdownAt === undefined) {
      instance.launch.shutdownAt = now;
      instance.launch.terminatedAt = now + cloud.durations.instanceShutdownMs;
      state.terminating.add(id);
      cloud.counters.add('ec2.instancesTerminated');
    }
    return {
      instanceId: id,
      currentState: instanceStateXml(instanceStateAt(instance, now)),
      previousState: instanceStateXml(previous),
    };
  });
  return { instancesSet: changes };
};
