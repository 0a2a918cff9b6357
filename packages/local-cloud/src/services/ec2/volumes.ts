import { AwsError } from '../../aws-error.ts';
import type { Ec2Action } from './context.ts';
import { rememberClientToken, replayClientToken } from './copy.ts';
import { checkId, invalidCombination, invalidValue, missingParameter, notFound } from './errors.ts';
import { compileFilters, parseFilters } from './filters.ts';
import { isKnownKmsKey, reportedKeyId } from './kms.ts';
import { volumeState } from './lifecycle.ts';
import { PAGE_RANGES } from './limits.ts';
import { maxResultsParam, paginate } from './pagination.ts';
import type { VolumeRecord } from './records.ts';
import { zonesOf } from './regions.ts';
import { volumeXml } from './render.ts';
import { findSnapshot } from './snapshots.ts';
import { initialTags, parseTagSpecifications } from './tags.ts';

const VOLUME_TYPES = ['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3'];
/** The zones DescribeAvailabilityZones lists: a, b and c of each region. */
/** CreateVolume: `creating` until volumeCreateMs has passed, then `available`. */
export const createVolume: Ec2Action = (ctx) => {
  const { params, state, now } = ctx;
  const replayed = replayClientToken(ctx, 'CreateVolume');
  if (replayed) {
    const volume = state.volumes.get(replayed);
    if (volume) return volumeXml(volume, now);
  }
  const zone = params.get('AvailabilityZone');
  if (!zone) throw missingParameter('AvailabilityZone');
  if (!zonesOf(ctx.region).includes(zone))
    throw new AwsError('InvalidZone.NotFound', `The zone '${zone}' does not exist.`);
  const volumeType = params.get('VolumeType') ?? 'gp2';
  if (!VOLUME_TYPES.includes(volumeType))
    throw invalidValue(`Value (${volumeType}) for parameter volumeType is invalid.`);
  const snapshotId = params.get('SnapshotId');
  const snapshot = snapshotId ? findSnapshot(state, snapshotId) : undefined;
  const requested = params.int('Size');
  if (requested === undefined && !snapshot) throw missingParameter('Size');
  if (requested !== undefined && (requested < 1 || requested > 65_536))
    throw invalidValue(`Value (${requested}) for parameter size is invalid.`);
  if (snapshot && requested !== undefined && requested < snapshot.volumeSize)
    throw invalidValue(
      `Volume of size ${requested}GB is smaller than snapshot '${snapshot.id}', expect size >= ${snapshot.volumeSize}GB`,
    );
  const kmsKeyId = params.get('KmsKeyId');
  const encrypted = (params.bool('Encrypted') ?? false) || (snapshot?.encrypted ?? false);
  if (kmsKeyId !== undefined && !params.bool('Encrypted'))
    throw invalidCombination('KmsKeyId requires Encrypted to be set to true');
  if (kmsKeyId !== undefined && !isKnownKmsKey(ctx.cloud, ctx.region, kmsKeyId))
    throw new AwsError('InvalidKMSKey.NotFound', `The KMS key ${kmsKeyId} does not exist in ${ctx.region}`);
  const specs = parseTagSpecifications(params, ['volume']);
  const iops = params.int('Iops');
  const throughput = params.int('Throughput');
  const volume: VolumeRecord = {
    id: ctx.cloud.ids.next('vol'),
    region: ctx.region,
    availabilityZone: zone,
    size: requested ?? snapshot?.volumeSize ?? 1,
    volumeType,
    ...(iops !== undefined ? { iops } : {}),
    ...(throughput !== undefined ? { throughput } : {}),
    encrypted,
    ...(encrypted ? { kmsKeyId: snapshot?.kmsKeyId ?? reportedKeyId(ctx.cloud, ctx.region, kmsKeyId) } : {}),
    ...(snapshot ? { snapshotId: snapshot.id } : {}),
    createTime: now,
    readyAt: now + ctx.cloud.durations.volumeCreateMs,
    tags: initialTags(specs, 'volume'),
  };
  state.volumes.add(volume);
  rememberClientToken(ctx, 'CreateVolume', volume.id);
  ctx.cloud.counters.add('ec2.volumesCreated');
  return volumeXml(volume, now);
};

export const describeVolumes: Ec2Action = (ctx) => {
  const { params, state, now } = ctx;
  const ids = params.list('VolumeId');
  const maxResults = maxResultsParam(params, PAGE_RANGES.volumes);
  if (ids.length > 0 && maxResults !== undefined)
    throw invalidCombination('The parameter volumeIdsSet cannot be used with the parameter maxResults');
  const filter = compileFilters<VolumeRecord>(parseFilters(params), {
    'volume-id': (v) => v.id,
    status: (v) => volumeState(v, now),
    'availability-zone': (v) => v.availabilityZone,
    size: (v) => v.size,
    'volume-type': (v) => v.volumeType,
    'snapshot-id': (v) => v.snapshotId,
    encrypted: (v) => v.encrypted,
    'attachment.instance-id': (v) => v.attachment?.instanceId,
    'attachment.device': (v) => v.attachment?.device,
    'attachment.status': (v) => (v.attachment ? 'attached' : undefined),
    'attachment.delete-on-termination': (v) => v.attachment?.deleteOnTermination,
  });
  const render = (v: VolumeRecord) => volumeXml(v, now);
  if (ids.length > 0) {
    for (const id of ids) checkId('volume', id);
    const missing = ids.filter((id) => !state.volumes.has(id));
    if (missing.length > 0) throw notFound('volume', missing);
    const found = [...new Set(ids)]
      .sort()
      .map((id) => state.volumes.get(id))
      .filter((v): v is VolumeRecord => v !== undefined && filter(v));
    return { volumeSet: found.map(render) };
  }
  const page = paginate(state.volumes, 'volumes', filter, maxResults, params.get('NextToken'));
  return { volumeSet: page.items.map(render), nextToken: page.nextToken };
};
