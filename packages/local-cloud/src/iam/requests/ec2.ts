import type { QueryParams } from '../../protocol/query.ts';
import { ec2Store } from '../../services/ec2/store.ts';
import { findKey, type KmsKey } from '../../services/kms/store.ts';
import { RequestContext } from '../context.ts';
import type { AuthorizationRequest } from '../evaluate.ts';
import {
  accountArn,
  created,
  existing,
  imageArn,
  paramsOf,
  region,
  snapshotArn,
  type Tags,
  tagSpecifications,
} from './ec2-common.ts';
import { createLaunchTemplateVersion, runInstances } from './ec2-run-instances.ts';
import { ALL_RESOURCES, type MappingInput, type OperationMapping } from './types.ts';

/** The EC2 operations' authorisations; the shared rules are in ec2-common.ts. */
const image = (input: MappingInput, id: string | undefined, regionName = input.req.region) =>
  id === undefined ? undefined : ec2Store(input.cloud).region(regionName).images.get(id);

const describe: OperationMapping = (input) => [
  { action: `ec2:${paramsOf(input).get('Action')}`, resource: ALL_RESOURCES, context: new RequestContext() },
];

const createSnapshot: OperationMapping = (input) => {
  const params = paramsOf(input);
  const volumeId = params.get('VolumeId') ?? '';
  const tags = tagSpecifications(params).get('snapshot');
  return [
    existing(
      'ec2:CreateSnapshot',
      accountArn(input, 'volume', volumeId),
      region(input).volumes.get(volumeId)?.tags,
    ),
    ...created('ec2:CreateSnapshot', snapshotArn(input.req.region, '*'), tags, 'CreateSnapshot'),
  ];
};

/**
 * Optional resource types whose authorisation could not be confirmed in the Service
 * Authorization Reference [unconfirmed]: RegisterImage on the snapshots it maps (with their
 * tags), CreateSnapshots on each volume of the instance. Both are evaluated, as the packaged
 * policies grant them.
 */
const EC2_OPTIONAL_RESOURCES_UNCONFIRMED = { registerImageSnapshots: true, createSnapshotsVolumes: true };

const createSnapshots: OperationMapping = (input) => {
  const params = paramsOf(input);
  const instanceId = params.get('InstanceSpecification.InstanceId') ?? '';
  const instance = region(input).instances.get(instanceId);
  const tags = tagSpecifications(params).get('snapshot');
  const devices = EC2_OPTIONAL_RESOURCES_UNCONFIRMED.createSnapshotsVolumes ? (instance?.devices ?? []) : [];
  const volumes = devices.map((d) => ({
    id: d.volumeId,
    tags: region(input).volumes.get(d.volumeId)?.tags,
  }));
  return [
    existing('ec2:CreateSnapshots', accountArn(input, 'instance', instanceId), instance?.tags),
    ...volumes.map((v) => existing('ec2:CreateSnapshots', accountArn(input, 'volume', v.id), v.tags)),
    ...created('ec2:CreateSnapshots', snapshotArn(input.req.region, '*'), tags, 'CreateSnapshots'),
  ];
};

const blockDeviceSnapshots = (params: QueryParams): string[] =>
  params
    .members('BlockDeviceMapping')
    .map((m) => m.get('Ebs.SnapshotId'))
    .filter((id): id is string => id !== undefined);

const registerImage: OperationMapping = (input) => {
  const params = paramsOf(input);
  const snapshots = region(input).snapshots;
  return [
    ...created(
      'ec2:RegisterImage',
      imageArn(input.req.region, '*'),
      tagSpecifications(params).get('image'),
      'RegisterImage',
    ),
    ...(EC2_OPTIONAL_RESOURCES_UNCONFIRMED.registerImageSnapshots ? blockDeviceSnapshots(params) : []).map(
      (id) => existing('ec2:RegisterImage', snapshotArn(input.req.region, id), snapshots.get(id)?.tags),
    ),
  ];
};

const createImage: OperationMapping = (input) => {
  const params = paramsOf(input);
  const instanceId = params.get('InstanceId') ?? '';
  const specs = tagSpecifications(params);
  return [
    existing(
      'ec2:CreateImage',
      accountArn(input, 'instance', instanceId),
      region(input).instances.get(instanceId)?.tags,
    ),
    ...created('ec2:CreateImage', imageArn(input.req.region, '*'), specs.get('image'), 'CreateImage'),
    ...created('ec2:CreateImage', snapshotArn(input.req.region, '*'), specs.get('snapshot'), 'CreateImage'),
  ];
};

/**
 * CopyImage is called in the destination region. The source AMI is authorised too since
 * 2024-10-28 (EC2 User Guide, "Grant permissions to copy Amazon EC2 AMIs"); the backing
 * snapshots are covered by ec2:CopyImage and ec2:CreateTags on the image ("it also grants
 * permission to copy the AMI's backing snapshots"), so they are not authorised separately.
 */
const copyImage: OperationMapping = (input) => {
  const params = paramsOf(input);
  const sourceRegion = params.get('SourceRegion') ?? input.req.region;
  const sourceId = params.get('SourceImageId');
  const source = image(input, sourceId, sourceRegion);
  return [
    existing('ec2:CopyImage', imageArn(sourceRegion, sourceId ?? ''), source?.tags),
    ...created(
      'ec2:CopyImage',
      imageArn(input.req.region, '*'),
      tagSpecifications(params).get('image'),
      'CopyImage',
    ),
    ...copyKeyUse(input, params, sourceRegion, source?.blockDevices ?? []),
  ];
};

/**
 * EC2 uses customer managed keys with the caller's permissions when it copies encrypted
 * snapshots (Amazon EBS User Guide, "Requirements for Amazon EBS encryption"; AWS-FACTS): on
 * each source key kms:Decrypt, kms:DescribeKey, kms:CreateGrant (for an AWS resource) and
 * kms:ReEncryptFrom when the copy gets another key; on the destination key
 * kms:GenerateDataKeyWithoutPlaintext, kms:CreateGrant, kms:DescribeKey and kms:ReEncryptTo.
 * Each call is EC2's on the caller's behalf (kms:ViaService). Which actions EC2 calls for a
 * copy, and which region's EC2 it names, is not documented per call [unconfirmed: here the
 * destination region's]. AWS managed keys (aws/ebs) are authorised by their key policy: not
 * evaluated.
 */
const KMS_CALLS_OF_COPY_UNCONFIRMED = {
  source: ['kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant'],
  sourceWhenReEncrypting: ['kms:ReEncryptFrom'],
  destination: ['kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey', 'kms:CreateGrant'],
  destinationWhenReEncrypting: ['kms:ReEncryptTo'],
};

const keyUse = (input: MappingInput, key: KmsKey, actions: string[]): AuthorizationRequest[] =>
  actions.map((action) => {
    const context = new RequestContext({
      'kms:ViaService': `ec2.${input.req.region}.amazonaws.com`,
      'kms:CallerAccount': input.cloud.accountId,
      'kms:ResourceAliases': key.aliases,
    });
    if (action === 'kms:CreateGrant') context.set('kms:GrantIsForAWSResource', 'true');
    return { action, resource: key.arn, context };
  });

const copyKeyUse = (
  input: MappingInput,
  params: QueryParams,
  sourceRegion: string,
  devices: { snapshotId?: string }[],
): AuthorizationRequest[] => {
  const snapshots = ec2Store(input.cloud).region(sourceRegion).snapshots;
  const customer = (region: string, id: string | undefined) => {
    const key = id === undefined ? undefined : findKey(input.cloud, region, id);
    return key?.keyManager === 'CUSTOMER' ? key : undefined;
  };
  const sourceKeys = new Map<string, KmsKey>();
  for (const device of devices) {
    const key = customer(sourceRegion, snapshots.get(device.snapshotId ?? '')?.kmsKeyId);
    if (key) sourceKeys.set(key.arn, key);
  }
  const requested = params.get('KmsKeyId');
  const destination = customer(input.req.region, requested);
  const reEncrypting = requested !== undefined;
  const calls = KMS_CALLS_OF_COPY_UNCONFIRMED;
  return [
    ...[...sourceKeys.values()].flatMap((key) =>
      keyUse(input, key, [...calls.source, ...(reEncrypting ? calls.sourceWhenReEncrypting : [])]),
    ),
    ...(destination
      ? keyUse(input, destination, [
          ...calls.destination,
          ...(reEncrypting ? calls.destinationWhenReEncrypting : []),
        ])
      : []),
  ];
};

const onImage =
  (action: string): OperationMapping =>
  (input) => {
    const id = paramsOf(input).get('ImageId') ?? '';
    return [existing(action, imageArn(input.req.region, id), image(input, id)?.tags)];
  };

/**
 * DeregisterImage with DeleteAssociatedSnapshots deletes the snapshots as well: authorised as
 * ec2:DeleteSnapshot on each of them [unconfirmed: DEREGISTER_DELETES_SNAPSHOTS_AS_DELETE_SNAPSHOT].
 */
const DEREGISTER_DELETES_SNAPSHOTS_AS_DELETE_SNAPSHOT = true;

const deregisterImage: OperationMapping = (input) => {
  const params = paramsOf(input);
  const id = params.get('ImageId') ?? '';
  const found = image(input, id);
  const own = existing('ec2:DeregisterImage', imageArn(input.req.region, id), found?.tags);
  if (!DEREGISTER_DELETES_SNAPSHOTS_AS_DELETE_SNAPSHOT || params.get('DeleteAssociatedSnapshots') !== 'true')
    return [own];
  const snapshots = region(input).snapshots;
  const ids = (found?.blockDevices ?? []).flatMap((d) => (d.snapshotId ? [d.snapshotId] : []));
  return [
    own,
    ...ids.map((s) =>
      existing('ec2:DeleteSnapshot', snapshotArn(input.req.region, s), snapshots.get(s)?.tags),
    ),
  ];
};

const deleteSnapshot: OperationMapping = (input) => {
  const id = paramsOf(input).get('SnapshotId') ?? '';
  return [
    existing('ec2:DeleteSnapshot', snapshotArn(input.req.region, id), region(input).snapshots.get(id)?.tags),
  ];
};

const getInstanceUefiData: OperationMapping = (input) => {
  const id = paramsOf(input).get('InstanceId') ?? '';
  return [
    existing(
      'ec2:GetInstanceUefiData',
      accountArn(input, 'instance', id),
      region(input).instances.get(id)?.tags,
    ),
  ];
};

/** The ARN and tags of a resource named by its id (CreateTags' ResourceId.N). */
const resourceById = (input: MappingInput, id: string): { arn: string; tags?: Tags } => {
  const state = region(input);
  if (id.startsWith('ami-')) return { arn: imageArn(input.req.region, id), tags: state.images.get(id)?.tags };
  if (id.startsWith('snap-'))
    return { arn: snapshotArn(input.req.region, id), tags: state.snapshots.get(id)?.tags };
  if (id.startsWith('vol-'))
    return { arn: accountArn(input, 'volume', id), tags: state.volumes.get(id)?.tags };
  if (id.startsWith('i-'))
    return { arn: accountArn(input, 'instance', id), tags: state.instances.get(id)?.tags };
  if (id.startsWith('lt-')) return { arn: accountArn(input, 'launch-template', id) };
  return { arn: accountArn(input, 'resource', id) };
};

const createTags: OperationMapping = (input) => {
  const params = paramsOf(input);
  const tags = new Map(params.tags().map((t) => [t.Key, t.Value]));
  return params.list('ResourceId').map((id) => {
    const { arn, tags: current } = resourceById(input, id);
    return {
      action: 'ec2:CreateTags',
      resource: arn,
      context: new RequestContext().withResourceTags(current ?? new Map(), 'ec2').withRequestTags(tags),
    };
  });
};

const terminateInstances: OperationMapping = (input) =>
  paramsOf(input)
    .list('InstanceId')
    .map((id) =>
      existing(
        'ec2:TerminateInstances',
        accountArn(input, 'instance', id),
        region(input).instances.get(id)?.tags,
      ),
    );

const createVolume: OperationMapping = (input) => {
  const params = paramsOf(input);
  const snapshotId = params.get('SnapshotId');
  const fromSnapshot =
    snapshotId === undefined
      ? []
      : [
          existing(
            'ec2:CreateVolume',
            snapshotArn(input.req.region, snapshotId),
            region(input).snapshots.get(snapshotId)?.tags,
          ),
        ];
  return [
    ...created(
      'ec2:CreateVolume',
      accountArn(input, 'volume', '*'),
      tagSpecifications(params).get('volume'),
      'CreateVolume',
    ),
    ...fromSnapshot,
  ];
};

/**
 * CopySnapshot is authorised on the new snapshot (request tags) and on the source snapshot in
 * its region (its tags) [unconfirmed: COPY_SNAPSHOT_AUTHORISES_SOURCE, by analogy with CopyImage].
 */
const COPY_SNAPSHOT_AUTHORISES_SOURCE = true;

const copySnapshot: OperationMapping = (input) => {
  const params = paramsOf(input);
  const sourceRegion = params.get('SourceRegion') ?? input.req.region;
  const sourceId = params.get('SourceSnapshotId') ?? '';
  const source = ec2Store(input.cloud).region(sourceRegion).snapshots.get(sourceId);
  return [
    ...(COPY_SNAPSHOT_AUTHORISES_SOURCE
      ? [existing('ec2:CopySnapshot', snapshotArn(sourceRegion, sourceId), source?.tags)]
      : []),
    ...created(
      'ec2:CopySnapshot',
      snapshotArn(input.req.region, '*'),
      tagSpecifications(params).get('snapshot'),
      'CopySnapshot',
    ),
  ];
};

const deleteTags: OperationMapping = (input) => {
  const params = paramsOf(input);
  const keys = params.members('Tag').map((t) => t.get('Key') ?? '');
  return params.list('ResourceId').map((id) => {
    const { arn, tags } = resourceById(input, id);
    return {
      action: 'ec2:DeleteTags',
      resource: arn,
      context: new RequestContext().withResourceTags(tags ?? new Map(), 'ec2').set('aws:TagKeys', keys),
    };
  });
};

/** The EC2 operations of the local cloud that IAM mode can authorise. */
export const EC2_MAPPINGS: Record<string, OperationMapping> = {
  DescribeRegions: describe,
  DescribeAvailabilityZones: describe,
  DescribeInstances: describe,
  DescribeVolumes: describe,
  DescribeSnapshots: describe,
  DescribeImages: describe,
  DescribeImageAttribute: onImage('ec2:DescribeImageAttribute'),
  DescribeInstanceStatus: describe,
  DescribeLaunchTemplates: describe,
  DescribeLaunchTemplateVersions: describe,
  DescribeVpcs: describe,
  DescribeSubnets: describe,
  DescribeRouteTables: describe,
  DescribeInternetGateways: describe,
  DescribeSecurityGroups: describe,
  CreateSnapshot: createSnapshot,
  CreateSnapshots: createSnapshots,
  DeleteSnapshot: deleteSnapshot,
  RegisterImage: registerImage,
  CreateImage: createImage,
  CopyImage: copyImage,
  ModifyImageAttribute: onImage('ec2:ModifyImageAttribute'),
  DeregisterImage: deregisterImage,
  GetInstanceUefiData: getInstanceUefiData,
  CreateTags: createTags,
  DeleteTags: deleteTags,
  TerminateInstances: terminateInstances,
  RunInstances: runInstances,
  CreateLaunchTemplateVersion: createLaunchTemplateVersion,
  CreateVolume: createVolume,
  CopySnapshot: copySnapshot,
};
