import type { QueryParams } from '../../protocol/query.ts';
import type { ImageRecord, SubnetRecord } from '../../services/ec2/records.ts';
import { RequestContext } from '../context.ts';
import type { AuthorizationRequest } from '../evaluate.ts';
import {
  accountArn,
  existing,
  imageArn,
  paramsOf,
  region,
  snapshotArn,
  type Tags,
  tagSpecifications,
} from './ec2-common.ts';
import type { MappingInput, OperationMapping } from './types.ts';

/**
 * RunInstances authorises every resource the launch uses or creates (Service Authorization
 * Reference, "Actions, resources, and condition keys for Amazon EC2", RunInstances: image*,
 * instance*, network-interface*, security-group*, subnet*, volume*, and key-pair /
 * launch-template when used; EC2 User Guide, "Example policies to control access the Amazon
 * EC2 API", "Launch instances (RunInstances)"). Existing resources are authorised by ARN with
 * their tags; created ones as `…/<type>/*` with the request's tags of their type, and each
 * tagged type as ec2:CreateTags with ec2:CreateAction=RunInstances ("Grant permission to tag
 * resources during creation").
 */

/**
 * What could not be confirmed in the reference [unconfirmed]: the optional `snapshot` resource
 * is not authorised (the guide's least-privilege launch policies grant none); aws:RequestTag of
 * one resource type is in the context of that type's resource only; a created resource is
 * authorised once per resource (each volume of the image on its own); the network interface's
 * ec2:AssociatePublicIpAddress is absent unless the request sets it.
 */
const RUN_INSTANCES_UNCONFIRMED = {
  authorisesSnapshots: false,
  requestTagsPerResourceType: true,
  oneVolumeAuthorisationPerDevice: true,
  publicIpKeyOnlyWhenRequested: true,
} as const;

interface Launch {
  input: MappingInput;
  params: QueryParams;
  /** The request's `NetworkInterface.1`, or the request itself (top-level SubnetId / SecurityGroupId). */
  network: QueryParams;
  specs: Map<string, Tags>;
}

const vpcArn = (input: MappingInput, vpcId: string) => accountArn(input, 'vpc', vpcId);

/** A resource the launch creates, with its type's request tags and the resource's own keys. */
const createdBy = (launch: Launch, type: string, keys: Record<string, string | undefined>) => {
  const tags = launch.specs.get(type) ?? new Map<string, string>();
  const context = new RequestContext(keys);
  if (RUN_INSTANCES_UNCONFIRMED.requestTagsPerResourceType) context.withRequestTags(tags);
  return { action: 'ec2:RunInstances', resource: accountArn(launch.input, type, '*'), context };
};

const subnetOf = (launch: Launch): SubnetRecord | undefined => {
  const net = region(launch.input).network;
  const id = launch.network.get('SubnetId');
  if (id !== undefined) return net.subnets.get(id);
  const vpc = [...net.vpcs.values()].find((v) => v.isDefault);
  return [...net.subnets.values()].find((s) => s.vpcId === vpc?.id && s.defaultForAz);
};

const imageRequest = (launch: Launch, image: ImageRecord | undefined, id: string): AuthorizationRequest => {
  const request = existing('ec2:RunInstances', imageArn(launch.input.req.region, id), image?.tags);
  request.context
    .set('ec2:Owner', launch.input.cloud.accountId)
    .set('ec2:ImageType', 'machine')
    .set('ec2:RootDeviceType', 'ebs')
    .set('ec2:Public', String(image?.launchPermissions.some((p) => p.group === 'all') ?? false));
  return request;
};

const networkRequests = (launch: Launch, subnet: SubnetRecord | undefined): AuthorizationRequest[] => {
  const { input } = launch;
  const net = region(input).network;
  const subnetId = subnet?.id ?? launch.network.get('SubnetId') ?? '';
  const subnetArn = accountArn(input, 'subnet', subnetId);
  const vpc = subnet ? vpcArn(input, subnet.vpcId) : undefined;
  const named = launch.network.list('SecurityGroupId');
  const fallback = [...net.securityGroups.values()].find(
    (g) => g.vpcId === subnet?.vpcId && g.name === 'default',
  );
  const groupIds = named.length > 0 ? named : fallback ? [fallback.id] : [];
  const publicIp = launch.network.get('AssociatePublicIpAddress');
  const inZone = { 'ec2:AvailabilityZone': subnet?.availabilityZone, 'ec2:Vpc': vpc };
  const onSubnet = existing('ec2:RunInstances', subnetArn, subnet?.tags);
  for (const [k, v] of Object.entries(inZone)) if (v !== undefined) onSubnet.context.set(k, v);
  return [
    onSubnet,
    ...groupIds.map((id) => {
      const group = existing(
        'ec2:RunInstances',
        accountArn(input, 'security-group', id),
        net.securityGroups.get(id)?.tags,
      );
      if (vpc) group.context.set('ec2:Vpc', vpc);
      return group;
    }),
    createdBy(launch, 'network-interface', {
      ...inZone,
      'ec2:Subnet': subnetArn,
      'ec2:AssociatePublicIpAddress':
        publicIp !== undefined
          ? String(publicIp === 'true')
          : RUN_INSTANCES_UNCONFIRMED.publicIpKeyOnlyWhenRequested
            ? undefined
            : String(subnet?.mapPublicIpOnLaunch ?? false),
    }),
  ];
};

const createdRequests = (
  launch: Launch,
  image: ImageRecord | undefined,
  subnet: SubnetRecord | undefined,
) => {
  const zone = subnet?.availabilityZone;
  const devices = (image?.blockDevices ?? []).filter((d) => !d.noDevice && !d.virtualName);
  const each = RUN_INSTANCES_UNCONFIRMED.oneVolumeAuthorisationPerDevice ? devices : devices.slice(0, 1);
  const volumes = (each.length > 0 ? each : [undefined]).map((d) =>
    createdBy(launch, 'volume', {
      'ec2:AvailabilityZone': zone,
      'ec2:VolumeType': d?.volumeType ?? (d ? 'gp2' : undefined),
      'ec2:VolumeSize': d?.volumeSize === undefined ? undefined : String(d.volumeSize),
      'ec2:Encrypted': d ? String(d.encrypted ?? false) : undefined,
    }),
  );
  return [
    createdBy(launch, 'instance', {
      'ec2:AvailabilityZone': zone,
      'ec2:InstanceType': launch.params.get('InstanceType'),
      'ec2:RootDeviceType': 'ebs',
      'ec2:Tenancy': launch.params.get('Placement.Tenancy') ?? 'default',
    }),
    ...volumes,
    ...(RUN_INSTANCES_UNCONFIRMED.authorisesSnapshots ? devices : []).flatMap((d) =>
      d.snapshotId === undefined
        ? []
        : [
            existing(
              'ec2:RunInstances',
              snapshotArn(launch.input.req.region, d.snapshotId),
              region(launch.input).snapshots.get(d.snapshotId)?.tags,
            ),
          ],
    ),
  ];
};

/** The launch template the request names (by id or name), if any. */
const optionalTemplateId = ({ input, params }: Launch): string | undefined =>
  params.get('LaunchTemplate.LaunchTemplateId') ??
  [...region(input).launchTemplates.values()].find(
    (t) => t.name === params.get('LaunchTemplate.LaunchTemplateName'),
  )?.id;

/** The optional resources the request names: its launch template and key pair. */
const optionalRequests = (launch: Launch): AuthorizationRequest[] => {
  const { input, params } = launch;
  const state = region(input);
  const templateId =
    params.get('LaunchTemplate.LaunchTemplateId') ??
    [...state.launchTemplates.values()].find(
      (t) => t.name === params.get('LaunchTemplate.LaunchTemplateName'),
    )?.id;
  const keyName = params.get('KeyName');
  return [
    ...(templateId === undefined
      ? []
      : [
          existing(
            'ec2:RunInstances',
            accountArn(input, 'launch-template', templateId),
            state.launchTemplates.get(templateId)?.tags,
          ),
        ]),
    ...(keyName === undefined
      ? []
      : [existing('ec2:RunInstances', accountArn(input, 'key-pair', keyName), undefined)]),
  ];
};

/** Tags given on create are authorised as ec2:CreateTags on each tagged type's new resources. */
const tagOnCreate = (launch: Launch): AuthorizationRequest[] =>
  [...launch.specs]
    .filter(([type, tags]) => ['instance', 'volume', 'network-interface'].includes(type) && tags.size > 0)
    .map(([type, tags]) => ({
      action: 'ec2:CreateTags',
      resource: accountArn(launch.input, type, '*'),
      context: new RequestContext().withRequestTags(tags).set('ec2:CreateAction', 'RunInstances'),
    }));

export const runInstances: OperationMapping = (input) => {
  const params = paramsOf(input);
  const [primary] = params.members('NetworkInterface');
  const launch: Launch = { input, params, network: primary ?? params, specs: tagSpecifications(params) };
  const templateId = optionalTemplateId(launch);
  const template = templateId === undefined ? undefined : region(input).launchTemplates.get(templateId);
  const fromTemplate = template?.versions.find((v) => v.number === template.defaultVersion)?.data.imageId;
  const imageId = params.get('ImageId') ?? fromTemplate ?? '';
  const image = region(input).images.get(imageId);
  const subnet = subnetOf(launch);
  return [
    imageRequest(launch, image, imageId),
    ...networkRequests(launch, subnet),
    ...createdRequests(launch, image, subnet),
    ...optionalRequests(launch),
    ...tagOnCreate(launch),
  ];
};

/** CreateLaunchTemplateVersion is authorised on its template (launch-template*), by id or name. */
export const createLaunchTemplateVersion: OperationMapping = (input) => {
  const params = paramsOf(input);
  const templates = region(input).launchTemplates;
  const id =
    params.get('LaunchTemplateId') ??
    [...templates.values()].find((t) => t.name === params.get('LaunchTemplateName'))?.id ??
    '';
  return [
    existing(
      'ec2:CreateLaunchTemplateVersion',
      accountArn(input, 'launch-template', id),
      templates.get(id)?.tags,
    ),
  ];
};
