import type { Ec2Action } from './context.ts';
import { checkId, invalidCombination, notFound } from './errors.ts';
import { compileFilters, parseFilters } from './filters.ts';
import { instanceStateAt } from './instance-lifecycle.ts';
import { PAGE_RANGES } from './limits.ts';
import { maxResultsParam, paginate } from './pagination.ts';
import type { InstanceRecord } from './records.ts';
import { reservationXml } from './render.ts';

/** DescribeInstances over the seeded instances; each instance is its own reservation. */
export const describeInstances: Ec2Action = (ctx) => {
  const { params } = ctx;
  const ids = params.list('InstanceId');
  const maxResults = maxResultsParam(params, PAGE_RANGES.instances);
  if (ids.length > 0 && maxResults !== undefined)
    throw invalidCombination('The parameter instancesSet cannot be used with the parameter maxResults');
  const filter = compileFilters<InstanceRecord>(parseFilters(params), {
    'instance-id': (i) => i.id,
    'instance-state-name': (i) => instanceStateAt(i, ctx.now),
    'instance-type': (i) => i.instanceType,
    'availability-zone': (i) => i.availabilityZone,
    architecture: (i) => i.architecture,
    'image-id': (i) => i.imageId,
    'reservation-id': (i) => i.reservationId,
    'subnet-id': (i) => i.launch?.subnetId,
    'client-token': (i) => i.launch?.clientToken,
    'vpc-id': (i) => i.launch?.vpcId,
    'root-device-name': (i) => i.rootDeviceName,
    'block-device-mapping.volume-id': (i) => i.devices.map((d) => d.volumeId),
    'block-device-mapping.device-name': (i) => i.devices.map((d) => d.deviceName),
  });
  const render = (i: InstanceRecord) => reservationXml(i, ctx.cloud.accountId, ctx.now);
  const { items, nextToken } = selectInstances(ctx, ids, filter, maxResults, 'instances');
  return { reservationSet: items.map(render), nextToken };
};

/**
 * The instances a Describe call names (every id must exist, unpaged) or, without ids, one
 * page of those matching: the selection DescribeInstances and DescribeInstanceStatus share.
 */
export const selectInstances = (
  ctx: Parameters<Ec2Action>[0],
  ids: string[],
  matches: (i: InstanceRecord) => boolean,
  maxResults: number | undefined,
  tokenKind: string,
): { items: InstanceRecord[]; nextToken?: string | undefined } => {
  const { state, params } = ctx;
  if (ids.length === 0)
    return paginate(state.instances, tokenKind, matches, maxResults, params.get('NextToken'));
  for (const id of ids) checkId('instance', id);
  const missing = ids.filter((id) => !state.instances.has(id));
  if (missing.length > 0) throw notFound('instance', missing);
  const items = [...new Set(ids)]
    .sort()
    .map((id) => state.instances.get(id))
    .filter((i): i is InstanceRecord => i !== undefined && matches(i));
  return { items };
};

/**
 * GetInstanceUefiData: the base64 non-volatile UEFI variable store of the instance
 * (GetInstanceUefiData API reference). An instance that does not boot UEFI has none: the
 * element is left out [unconfirmed: AWS's answer for a legacy-BIOS instance].
 */
export const getInstanceUefiData: Ec2Action = ({ params, state }) => {
  const id = checkId('instance', params.required('InstanceId'));
  const instance = state.instances.get(id);
  if (!instance) throw notFound('instance', [id]);
  return { instanceId: id, uefiData: instance.bootMode === 'uefi' ? instance.uefiData : undefined };
};
