import { AwsError } from '../../aws-error.ts';
import type { QueryParams } from '../../protocol/query.ts';
import { takeAsyncFault } from './async-faults.ts';
import type { Ec2Action, Ec2Context } from './context.ts';
import { checkId, invalidCombination, invalidValue, notFound } from './errors.ts';
import { watchSnapshot, watchSnapshotSet } from './events.ts';
import { compileFilters, parseFilters } from './filters.ts';
import { snapshotDurationMs, snapshotView } from './lifecycle.ts';
import { MAX_DESCRIPTION_LENGTH, PAGE_RANGES } from './limits.ts';
import { maxResultsParam, paginate } from './pagination.ts';
import type { SnapshotGroup, SnapshotRecord, Tags, VolumeRecord } from './records.ts';
import { snapshotInfoXml, snapshotXml } from './render.ts';
import type { RegionState } from './store.ts';
import { initialTags, parseTagSpecifications } from './tags.ts';

export const descriptionParam = (params: QueryParams): string => {
  const description = params.get('Description') ?? '';
  if (description.length > MAX_DESCRIPTION_LENGTH)
    throw invalidValue(
      `Value for parameter description is invalid. Length exceeds maximum of ${MAX_DESCRIPTION_LENGTH}.`,
    );
  return description;
};

export const findVolume = (state: RegionState, id: string): VolumeRecord => {
  checkId('volume', id);
  const volume = state.volumes.get(id);
  if (!volume) throw notFound('volume', [id]);
  return volume;
};

export const findSnapshot = (state: RegionState, id: string): SnapshotRecord => {
  checkId('snapshot', id);
  const snapshot = state.snapshots.get(id);
  if (!snapshot) throw notFound('snapshot', [id]);
  return snapshot;
};

/** Throws ConcurrentSnapshotLimitExceeded when the volume already has the maximum in progress. */
export const checkPendingLimit = (ctx: Ec2Context, volumeId: string): void => {
  const stats = ctx.state.volumeStats(volumeId);
  stats.inFlight = stats.inFlight.filter(
    (s) => ctx.state.snapshots.has(s.id) && snapshotView(s, ctx.now).state === 'pending',
  );
  if (stats.inFlight.length >= ctx.store.limits.pendingSnapshotsPerVolume)
    throw new AwsError(
      'ConcurrentSnapshotLimitExceeded',
      `Maximum number of in-progress snapshots (${ctx.store.limits.pendingSnapshotsPerVolume}) for volume ${volumeId} reached.`,
    );
};

/**
 * Starts a snapshot of `volume`: pending now, completed after its size-based duration.
 * Marketplace product codes of the volume follow the snapshot; its billing metadata only
 * when the store says snapshots carry it (see `snapshotsCarryBillingMetadata`).
 */
export const startSnapshot = (
  ctx: Ec2Context,
  volume: VolumeRecord,
  description: string,
  tags: Tags,
  group?: SnapshotGroup,
): SnapshotRecord => {
  const stats = ctx.state.volumeStats(volume.id);
  const durationMs = snapshotDurationMs(ctx.cloud.durations, volume.size, stats.started > 0);
  const snapshot: SnapshotRecord = {
    id: ctx.cloud.ids.next('snap'),
    region: ctx.region,
    volumeId: volume.id,
    volumeSize: volume.size,
    description,
    startTime: ctx.now,
    durationMs,
    encrypted: volume.encrypted,
    ...(volume.kmsKeyId ? { kmsKeyId: volume.kmsKeyId } : {}),
    tags,
    ...(group ? { group } : {}),
    ...(volume.productCodes?.length ? { productCodes: volume.productCodes } : {}),
    ...(volume.billing && ctx.store.snapshotsCarryBillingMetadata ? { billing: volume.billing } : {}),
  };
  const fault = takeAsyncFault(ctx.store, 'snapshot-error', { region: ctx.region, volumeId: volume.id });
  if (fault) {
    const failure = { at: ctx.now + Math.floor(durationMs / 2), message: fault };
    if (group) {
      // A crash-consistent set fails as a whole, at the earliest member failure.
      if (!group.failure || group.failure.at > failure.at) group.failure = failure;
    } else snapshot.failure = failure;
  }
  stats.started += 1;
  stats.inFlight.push(snapshot);
  ctx.state.snapshots.add(snapshot);
  ctx.cloud.counters.add('ec2.snapshotsCreated');
  return snapshot;
};

export const createSnapshot: Ec2Action = (ctx) => {
  const { params, state } = ctx;
  const volume = findVolume(state, params.required('VolumeId'));
  const description = descriptionParam(params);
  const specs = parseTagSpecifications(params, ['snapshot']);
  checkPendingLimit(ctx, volume.id);
  const snapshot = startSnapshot(ctx, volume, description, initialTags(specs, 'snapshot'));
  watchSnapshot(ctx, snapshot, { event: 'createSnapshot' });
  return snapshotXml(snapshot, ctx.cloud.accountId, ctx.now);
};

/**
 * CreateSnapshots: one crash-consistent set of an instance's volumes. Every member is
 * checked before any starts, and the members share one fate (a failure fails them all).
 */
export const createSnapshots: Ec2Action = (ctx) => {
  const { params, state } = ctx;
  const spec = params.scope('InstanceSpecification');
  const instanceId = checkId('instance', spec.required('InstanceId'));
  const instance = state.instances.get(instanceId);
  if (!instance) throw notFound('instance', [instanceId]);
  const excludeBoot = spec.bool('ExcludeBootVolume') ?? false;
  const excluded = spec.list('ExcludeDataVolumeId');
  for (const id of excluded) {
    checkId('volume', id);
    const device = instance.devices.find((d) => d.volumeId === id);
    if (!device) throw invalidValue(`The volume ${id} is not attached to instance ${instanceId}`);
    if (device.deviceName === instance.rootDeviceName)
      throw invalidValue(`ExcludeDataVolumeIds cannot contain the root volume ${id}; use ExcludeBootVolume`);
  }
  const copyFrom = params.get('CopyTagsFromSource');
  if (copyFrom !== undefined && copyFrom !== 'volume')
    throw invalidValue(`Value (${copyFrom}) for parameter CopyTagsFromSource is invalid. Expected: volume.`);
  const description = descriptionParam(params);
  const specs = parseTagSpecifications(params, ['snapshot']);
  const devices = instance.devices.filter(
    (d) => !(excludeBoot && d.deviceName === instance.rootDeviceName) && !excluded.includes(d.volumeId),
  );
  if (devices.length > ctx.store.limits.createSnapshotsMaxVolumes)
    throw invalidValue(
      `A multi-volume snapshot set can hold at most ${ctx.store.limits.createSnapshotsMaxVolumes} volumes; instance ${instanceId} selects ${devices.length}.`,
    );
  const volumes = devices.map((d) => findVolume(state, d.volumeId));
  for (const volume of volumes) checkPendingLimit(ctx, volume.id);
  const group: SnapshotGroup = {};
  const snapshots = volumes.map((volume) =>
    startSnapshot(
      ctx,
      volume,
      description,
      initialTags(specs, 'snapshot', copyFrom === 'volume' ? volume.tags : undefined),
      group,
    ),
  );
  watchSnapshotSet(ctx, snapshots);
  return { snapshotSet: snapshots.map((s) => snapshotInfoXml(s, ctx.cloud.accountId, ctx.now)) };
};

/** True when `owners` (Owner.N) selects this account's resources; no owners selects all. */
export const ownsAll = (owners: string[], accountId: string): boolean =>
  owners.length === 0 || owners.some((o) => o === 'self' || o === accountId);

export const describeSnapshots: Ec2Action = (ctx) => {
  const { params, state, now } = ctx;
  const ids = params.list('SnapshotId');
  const maxResults = maxResultsParam(params, PAGE_RANGES.snapshots);
  if (ids.length > 0 && maxResults !== undefined)
    throw invalidCombination('The parameter snapshotIdsSet cannot be used with the parameter maxResults');
  const accountId = ctx.cloud.accountId;
  const filter = compileFilters<SnapshotRecord>(parseFilters(params), {
    'snapshot-id': (s) => s.id,
    'volume-id': (s) => s.volumeId,
    status: (s) => snapshotView(s, now).state,
    progress: (s) => snapshotView(s, now).progress,
    description: (s) => s.description,
    encrypted: (s) => s.encrypted,
    'owner-id': () => accountId,
    'volume-size': (s) => s.volumeSize,
    'storage-tier': () => 'standard',
    'kms-key-id': (s) => s.kmsKeyId,
  });
  const owned = ownsAll(params.list('Owner'), accountId);
  const render = (s: SnapshotRecord) => snapshotXml(s, accountId, now);
  if (ids.length > 0) {
    for (const id of ids) checkId('snapshot', id);
    const missing = ids.filter((id) => !state.snapshots.has(id));
    if (missing.length > 0) throw notFound('snapshot', missing);
    const found = [...new Set(ids)]
      .sort()
      .map((id) => state.snapshots.get(id))
      .filter((s): s is SnapshotRecord => s !== undefined && owned && filter(s));
    return { snapshotSet: found.map(render) };
  }
  if (!owned) return { snapshotSet: [] };
  const page = paginate(state.snapshots, 'snapshots', filter, maxResults, params.get('NextToken'));
  return { snapshotSet: page.items.map(render), nextToken: page.nextToken };
};

export const deleteSnapshot: Ec2Action = (ctx) => {
  const { params, state } = ctx;
  const snapshot = findSnapshot(state, params.required('SnapshotId'));
  const users = state.snapshotUsers.get(snapshot.id);
  const user = users ? [...users][0] : undefined;
  if (user)
    throw new AwsError('InvalidSnapshot.InUse', `The snapshot ${snapshot.id} is currently in use by ${user}`);
  state.snapshots.delete(snapshot.id);
  ctx.cloud.counters.add('ec2.snapshotsDeleted');
  return { return: true };
};

/** Deletes a snapshot that no image uses (DeregisterImage's DeleteAssociatedSnapshots). */
export const removeSnapshot = (ctx: Ec2Context, id: string): void => {
  ctx.state.snapshots.delete(id);
  ctx.cloud.counters.add('ec2.snapshotsDeleted');
};
