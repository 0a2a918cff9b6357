import { AwsError } from '../../aws-error.ts';
import type { QueryParams } from '../../protocol/query.ts';
import { takeAsyncFault } from './async-faults.ts';
import type { Ec2Action, Ec2Context } from './context.ts';
import { checkId, incorrectState, invalidCombination, invalidValue, notFound } from './errors.ts';
import { watchImage, watchSnapshot } from './events.ts';
import { addImage, bootAttributesOf, checkImageName, checkNameFree } from './images.ts';
import { isKnownKmsKey, reportedKeyId } from './kms.ts';
import {
  COPY_FAILED_REASON,
  copyDurationMs,
  imageView,
  KMS_FAILED_REASON,
  snapshotView,
} from './lifecycle.ts';
import { MAX_CLIENT_TOKEN_LENGTH } from './limits.ts';
import type { BlockDevice, FailurePlan, ImageRecord, SnapshotRecord, Tags } from './records.ts';
import { isRegionName } from './regions.ts';
import { tagSet } from './render.ts';
import { descriptionParam } from './snapshots.ts';
import type { RegionState } from './store.ts';
import { applyTags, initialTags, parseTagSpecifications } from './tags.ts';

/** Copied snapshots report this placeholder volume id, as EC2 does. */
const COPIED_VOLUME_ID = 'vol-ffffffff';

const sourceRegionParam = (params: QueryParams): string => {
  const region = params.required('SourceRegion');
  if (!isRegionName(region)) throw invalidValue(`Value (${region}) for parameter SourceRegion is invalid.`);
  return region;
};

interface Encryption {
  encrypted: boolean;
  kmsKeyId?: string;
  /** Set when the key does not exist in the destination: AWS fails the copy asynchronously. */
  badKey?: string;
}

/**
 * `Encrypted` + `KmsKeyId`: a key needs Encrypted=true; an encrypted source stays encrypted;
 * without a key the destination's AWS-managed EBS key is used.
 */
/** Parameter-combination errors come before any resource lookup, as in EC2. */
const checkKmsCombination = (params: QueryParams): void => {
  if (params.get('KmsKeyId') !== undefined && !(params.bool('Encrypted') ?? false))
    throw invalidCombination('KmsKeyId requires Encrypted to be set to true');
};

const encryptionParams = (ctx: Ec2Context, sourceEncrypted: boolean): Encryption => {
  const requested = ctx.params.bool('Encrypted') ?? false;
  const keyId = ctx.params.get('KmsKeyId');
  const encrypted = requested || sourceEncrypted;
  if (!encrypted) return { encrypted };
  if (keyId !== undefined && !isKnownKmsKey(ctx.cloud, ctx.region, keyId))
    return { encrypted, kmsKeyId: keyId, badKey: keyId };
  return { encrypted, kmsKeyId: reportedKeyId(ctx.cloud, ctx.region, keyId) };
};

const pruneImageCopies = (state: RegionState, now: number): number => {
  state.imageCopies = state.imageCopies.filter(
    (i) => state.images.has(i.id) && imageView(i, state, now).state === 'pending',
  );
  return state.imageCopies.length;
};

const pruneSnapshotCopies = (state: RegionState, now: number): number => {
  state.snapshotCopies = state.snapshotCopies.filter(
    (s) => state.snapshots.has(s.id) && snapshotView(s, now).state === 'pending',
  );
  return state.snapshotCopies.length;
};

/** Same ClientToken + same parameters → the first result; different parameters → mismatch. */
const fingerprint = (params: QueryParams): string =>
  JSON.stringify(
    params
      .keys()
      .filter((k) => k !== 'ClientToken' && k !== 'Version' && k !== 'DryRun')
      .sort()
      .map((k) => [k, params.get(k)]),
  );

export const replayClientToken = (ctx: Ec2Context, operation: string): string | undefined => {
  const token = ctx.params.get('ClientToken');
  if (token === undefined) return undefined;
  if (token.length > MAX_CLIENT_TOKEN_LENGTH)
    throw invalidValue(`ClientToken must be at most ${MAX_CLIENT_TOKEN_LENGTH} characters`);
  const entry = ctx.state.clientTokens.get(`${operation}:${token}`);
  if (!entry) return undefined;
  if (entry.fingerprint !== fingerprint(ctx.params))
    throw new AwsError(
      'IdempotentParameterMismatch',
      `The client token ${token} was already used with different parameters.`,
    );
  return entry.id;
};

export const rememberClientToken = (ctx: Ec2Context, operation: string, id: string): void => {
  const token = ctx.params.get('ClientToken');
  if (token !== undefined)
    ctx.state.clientTokens.set(`${operation}:${token}`, { fingerprint: fingerprint(ctx.params), id });
};

/** A pending copy of `source` in the caller's (destination) region. */
const newSnapshotCopy = (
  ctx: Ec2Context,
  source: SnapshotRecord,
  description: string,
  durationMs: number,
  encryption: Encryption,
  tags: Tags,
  failure: FailurePlan | undefined,
): SnapshotRecord => {
  const copy: SnapshotRecord = {
    id: ctx.cloud.ids.next('snap'),
    region: ctx.region,
    volumeId: COPIED_VOLUME_ID,
    volumeSize: source.volumeSize,
    description,
    startTime: ctx.now,
    durationMs,
    encrypted: encryption.encrypted,
    ...(encryption.kmsKeyId ? { kmsKeyId: encryption.kmsKeyId } : {}),
    tags,
    ...(failure ? { failure } : {}),
    copiedFrom: { region: source.region, snapshotId: source.id },
    ...(source.productCodes ? { productCodes: source.productCodes } : {}),
    ...(source.billing ? { billing: source.billing } : {}),
  };
  ctx.state.snapshots.add(copy);
  ctx.cloud.counters.add('ec2.snapshotsCopied');
  return copy;
};

const copyFailure = (ctx: Ec2Context, sourceRegion: string, encryption: Encryption, durationMs: number) => {
  const at = ctx.now + Math.floor(durationMs / 2);
  if (encryption.badKey)
    return {
      at,
      code: KMS_FAILED_REASON,
      message: `The KMS key ${encryption.badKey} does not exist in ${ctx.region}`,
    };
  const injected = takeAsyncFault(ctx.store, 'copy-failed', {
    region: sourceRegion,
    destinationRegion: ctx.region,
  });
  return injected ? { at, code: COPY_FAILED_REASON, message: injected } : undefined;
};

/** CopySnapshot, called in the destination region. The source must be completed. */
export const copySnapshot: Ec2Action = (ctx) => {
  const { params, now } = ctx;
  const sourceRegion = sourceRegionParam(params);
  const sourceId = checkId('snapshot', params.required('SourceSnapshotId'));
  checkKmsCombination(params);
  const source = ctx.store.region(sourceRegion).snapshots.get(sourceId);
  if (!source) throw notFound('snapshot', [sourceId]);
  const encryption = encryptionParams(ctx, source.encrypted);
  const specs = parseTagSpecifications(params, ['snapshot']);
  const description = params.has('Description')
    ? descriptionParam(params)
    : `[Copied ${source.id} from ${sourceRegion}]`;
  const sourceView = snapshotView(source, now);
  if (sourceView.state !== 'completed')
    throw incorrectState(`Snapshot ${source.id} is in invalid state - ${sourceView.state}`);
  const limit = ctx.store.limits.concurrentSnapshotCopies;
  if (pruneSnapshotCopies(ctx.state, now) >= limit)
    throw new AwsError(
      'ResourceLimitExceeded',
      `You have reached the maximum of ${limit} concurrent snapshot copies to ${ctx.region}.`,
    );
  const durationMs = copyDurationMs(ctx.cloud.durations, source.volumeSize, sourceRegion, ctx.region);
  const failure = copyFailure(ctx, sourceRegion, encryption, durationMs);
  const copy = newSnapshotCopy(
    ctx,
    source,
    description,
    durationMs,
    encryption,
    initialTags(specs, 'snapshot'),
    failure && { at: failure.at, message: failure.message },
  );
  ctx.state.snapshotCopies.push(copy);
  // Incremental when an earlier copy of the same volume's snapshots reached this region [unconfirmed rule].
  watchSnapshot(ctx, copy, { event: 'copySnapshot', source, incremental: false });
  return { snapshotId: copy.id, tagSet: tagSet(copy.tags) };
};

/**
 * CopyImage, called in the destination region: every backing snapshot is copied to a new
 * snapshot there; the image is available when they all complete. Launch permissions are not
 * copied; user tags only with CopyImageTags.
 */
export const copyImage: Ec2Action = (ctx) => {
  const { params, now } = ctx;
  const sourceRegion = sourceRegionParam(params);
  const sourceId = checkId('image', params.required('SourceImageId'));
  const name = params.required('Name');
  checkImageName(name);
  checkKmsCombination(params);
  const replayed = replayClientToken(ctx, 'CopyImage');
  if (replayed) return { imageId: replayed };
  const sourceState = ctx.store.region(sourceRegion);
  const source = sourceState.images.get(sourceId);
  if (!source) throw notFound('image', [sourceId]);
  const sourceView = imageView(source, sourceState, now);
  if (sourceView.state !== 'available')
    throw new AwsError(
      'InvalidAMIID.Unavailable',
      `The image ${source.id} is not available for copying (state: ${sourceView.state})`,
    );
  const sourceSnapshots = source.blockDevices
    .map((d) => (d.snapshotId ? sourceState.snapshots.get(d.snapshotId) : undefined))
    .filter((s): s is SnapshotRecord => s !== undefined);
  const encryption = encryptionParams(
    ctx,
    sourceSnapshots.some((s) => s.encrypted),
  );
  // CopyImage API reference: "You can tag the AMI, the snapshots, or both" (ResourceType image | snapshot).
  const specs = parseTagSpecifications(params, ['image', 'snapshot']);
  checkNameFree(ctx.state, name);
  const limit = ctx.store.limits.concurrentImageCopies;
  if (pruneImageCopies(ctx.state, now) >= limit)
    throw new AwsError(
      'ResourceLimitExceeded',
      `You have reached the maximum of ${limit} concurrent AMI copies to ${ctx.region}.`,
    );
  const totalGiB = sourceSnapshots.reduce((sum, s) => sum + s.volumeSize, 0);
  const durationMs = copyDurationMs(ctx.cloud.durations, totalGiB, sourceRegion, ctx.region);
  const failure = copyFailure(ctx, sourceRegion, encryption, durationMs);
  const imageId = ctx.cloud.ids.next('ami');
  const copies = new Map<string, SnapshotRecord>();
  const blockDevices: BlockDevice[] = source.blockDevices.map((device) => {
    const original = device.snapshotId ? sourceState.snapshots.get(device.snapshotId) : undefined;
    if (!original) return { ...device };
    let copy = copies.get(original.id);
    if (!copy) {
      copy = newSnapshotCopy(
        ctx,
        original,
        `Copied for DestinationAmi ${imageId} from SourceAmi ${source.id} for SourceSnapshot ${original.id}`,
        durationMs,
        { encrypted: encryption.encrypted || original.encrypted, ...pickKey(encryption, original) },
        initialTags(specs, 'snapshot'),
        failure && { at: failure.at, message: failure.message },
      );
      copies.set(original.id, copy);
    }
    const { kmsKeyId: _ignored, ...rest } = device;
    return {
      ...rest,
      snapshotId: copy.id,
      encrypted: copy.encrypted,
      ...(copy.kmsKeyId ? { kmsKeyId: copy.kmsKeyId } : {}),
    };
  });
  const tags: Tags = new Map();
  if (params.bool('CopyImageTags')) applyTags(tags, source.tags);
  applyTags(tags, initialTags(specs, 'image'));
  const description = params.get('Description') ?? source.description;
  const image: ImageRecord = {
    id: imageId,
    region: ctx.region,
    name,
    ...(description !== undefined ? { description } : {}),
    architecture: source.architecture,
    virtualizationType: source.virtualizationType,
    rootDeviceName: source.rootDeviceName,
    ...(source.enaSupport !== undefined ? { enaSupport: source.enaSupport } : {}),
    ...(source.bootMode !== undefined ? { bootMode: source.bootMode } : {}),
    ...bootAttributesOf(source),
    ...(source.guest ? { guest: source.guest } : {}),
    // CopyImage keeps the source's billing information and product codes [the copy is the same machine].
    billing: source.billing,
    productCodes: source.productCodes,
    blockDevices,
    createdAt: now,
    settleMs: 0,
    visibleAt: now + ctx.store.imageVisibilityDelayMs,
    tags,
    launchPermissions: [],
    ...(failure ? { failure } : {}),
    copiedFrom: { region: sourceRegion, imageId: source.id },
  };
  addImage(ctx, image);
  watchImage(ctx, image);
  ctx.state.imageCopies.push(image);
  rememberClientToken(ctx, 'CopyImage', imageId);
  ctx.cloud.counters.add('ec2.imagesCopied');
  return { imageId };
};

/** The destination key: the requested one, else an encrypted source re-encrypted under the default key. */
const pickKey = (encryption: Encryption, original: SnapshotRecord): { kmsKeyId?: string } => {
  if (encryption.kmsKeyId) return { kmsKeyId: encryption.kmsKeyId };
  return original.encrypted && original.kmsKeyId ? { kmsKeyId: original.kmsKeyId } : {};
};
