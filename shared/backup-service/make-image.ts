/**
 * The AMI of an instance backup: RegisterImage from the run's snapshots, or CreateImage from
 * the instance for the licensed platforms RegisterImage may strip (see
 * `shared/backup/image-method.ts` for the rule and why). A registered AMI that CheckImage
 * rejected (its billing differs from the instance's) is deregistered here and replaced by
 * CreateImage.
 *
 * CreateImage takes its own snapshots of the instance's volumes, so the run's CreateSnapshots
 * set is then superseded: it is deleted right away (only snapshots tagged as this run's
 * backup of this target, never one an AMI uses) rather than left for rotation — rotation
 * groups by run, would see it as part of this backup and keep it, billed, for the whole
 * retention period. Re-runs reuse this run's image by name; whether it came from CreateImage
 * is read off the AMI (`SourceInstanceId`).
 */

import { buildRegisterImageRequest, type SourceInstance } from '../backup/block-devices.ts';
import {
  type AttributeReport,
  bootsUefi,
  createImageAttributeReport,
  registerBootAttributes,
} from '../backup/boot-attributes.ts';
import { ImageNotReady } from '../backup/errors.ts';
import {
  billingMismatch,
  chooseImageMethod,
  hasMarketplaceCode,
  type ImageMethod,
  type MethodChoice,
} from '../backup/image-method.ts';
import { imageName, snapshotDescription } from '../backup/naming.ts';
import {
  createImageTagSpecifications,
  isManagedBy,
  registerImageTagSpecifications,
  runIdOf,
} from '../backup/tags.ts';
import { IMAGE_WAIT } from '../backup/wait.ts';
import { tagContext } from './context.ts';
import { findOwnImage } from './own-image.ts';
import type { Ec2Image, Ec2Port } from './ports/ec2.ts';
import { describeSourceInstance } from './source-instance.ts';
import type { ImageState, Run, SnapshotSet, Target } from './state.ts';

export interface MakeImageInput {
  ec2: Ec2Port;
  run: Run;
  target: Target;
  set: SnapshotSet;
  /** The step's previous record: set when CheckImage rejected the registered AMI. */
  previous?: ImageState | undefined;
  now: Date;
  log: (message: string, fields: Record<string, unknown>) => void;
}

/** One makeImage call: its input and what it works out before touching EC2. */
interface Job extends MakeImageInput {
  owner: { policy: string; target: string; runId: string };
  name: string;
  choice: MethodChoice;
  instance: SourceInstance;
}

type RegisterBoot = Awaited<ReturnType<typeof attributesFor>>['boot'];

/** Deletes the run's CreateSnapshots set once CreateImage has its own snapshots. */
async function retireSnapshotSet(
  ec2: Ec2Port,
  set: SnapshotSet,
  owner: { policy: string; target: string; runId: string },
  usedByImage: readonly string[],
): Promise<string[]> {
  const ids = set.snapshots.map((s) => s.snapshotId).filter((id) => !usedByImage.includes(id));
  const found = await ec2.describeSnapshots({ snapshotIds: ids });
  const ours = found.filter(
    (s) => isManagedBy(s.tags, owner.policy, owner.target) && runIdOf(s.tags) === owner.runId,
  );
  const deleted: string[] = [];
  for (const snapshot of ours) {
    const result = await ec2.deleteSnapshot(snapshot.snapshotId);
    if (result !== 'in-use') deleted.push(snapshot.snapshotId);
  }
  return deleted;
}

async function attributesFor(ec2: Ec2Port, method: ImageMethod, instance: SourceInstance) {
  if (method === 'create-image') return { report: createImageAttributeReport(instance) };
  const uefiData = bootsUefi(instance) ? await ec2.getInstanceUefiData(instance.instanceId) : undefined;
  const launch = instance.imageId === undefined ? undefined : await ec2.describeLaunchImage(instance.imageId);
  const boot = registerBootAttributes(instance, {
    uefiData,
    instanceStore: launch === undefined ? undefined : (launch.instanceStore ?? []),
  });
  const report: AttributeReport = { carried: boot.carried, notCarried: boot.notCarried };
  return { report, boot };
}

const methodOf = (image: Ec2Image): ImageMethod =>
  image.sourceInstanceId === undefined ? 'register' : 'create-image';

const superseded = (ids: string[]): Partial<ImageState> =>
  ids.length > 0 ? { supersededSnapshotIds: ids } : {};

/** The billing a registered AMI must show (CheckImage compares it with the image's). */
const expectedBilling = (instance: SourceInstance): Partial<ImageState> => ({
  expectedBilling: {
    ...(instance.platformDetails === undefined ? {} : { platformDetails: instance.platformDetails }),
    ...(instance.usageOperation === undefined ? {} : { usageOperation: instance.usageOperation }),
  },
});

function imageRecord(
  job: Job,
  image: Pick<Ec2Image, 'imageId' | 'state' | 'snapshotIds'>,
  made: { method: ImageMethod; report: AttributeReport },
  extra: Partial<ImageState> = {},
): ImageState {
  const { set, previous, instance, choice } = job;
  const { method, report } = made;
  const available = image.state === 'available';
  return {
    region: set.region,
    imageId: image.imageId,
    name: job.name,
    createdAt: set.createdAt,
    sizeGiB: set.snapshots.reduce((sum, s) => sum + s.sizeGiB, 0),
    state: available ? 'available' : 'pending',
    attempt: 0,
    startedAt: job.now.toISOString(),
    waitSeconds: available ? 0 : IMAGE_WAIT.initialSeconds,
    method,
    methodReason: method === choice.method ? choice.reason : `this run's AMI was made by ${method}`,
    ...(method === 'register' ? expectedBilling(instance) : {}),
    ...(hasMarketplaceCode(instance.productCodes) ? { marketplace: true } : {}),
    attributes: report,
    ...(previous?.discardedImageId === undefined ? {} : { discardedImageId: previous.discardedImageId }),
    ...extra,
  };
}

/**
 * This run's image, unless it is the registered AMI CheckImage rejected: that one is
 * deregistered (its snapshots are the CreateSnapshots set: kept until CreateImage is
 * accepted, then retired) and reported as discarded.
 */
async function ownImageOrDiscard(
  job: Job,
): Promise<{ existing: Ec2Image | undefined; discarded: Partial<ImageState> }> {
  const { ec2, previous } = job;
  const existing = await findOwnImage(ec2, job.name, job.owner);
  const rejected = previous?.rejected;
  if (rejected !== undefined && previous !== undefined && existing?.imageId === previous.imageId) {
    await ec2.deregisterImage(existing.imageId, false);
    job.log('registered image discarded', {
      target: job.target.id,
      imageId: existing.imageId,
      reason: rejected.reason,
    });
    return { existing: undefined, discarded: { discardedImageId: existing.imageId } };
  }
  const discardedImageId = previous?.discardedImageId;
  return { existing, discarded: discardedImageId === undefined ? {} : { discardedImageId } };
}

function requestCreateImage(job: Job) {
  const { ec2, instance, target, name, owner, run, set } = job;
  return ec2.createImage({
    instanceId: instance.instanceId,
    name,
    description: snapshotDescription(owner),
    excludedDeviceNames: instance.blockDevices
      .filter((d) => target.excludeDataVolumeIds?.includes(d.volumeId) === true)
      .map((d) => d.deviceName),
    tagSpecifications: createImageTagSpecifications(tagContext(run, target, set.createdAt)),
  });
}

function requestRegisterImage(job: Job, boot: RegisterBoot) {
  const { ec2, instance, target, name, owner, run, set } = job;
  const snapshotsByVolumeId = Object.fromEntries(
    set.snapshots.flatMap((s) =>
      s.volumeId === undefined ? [] : [[s.volumeId, { snapshotId: s.snapshotId, volumeSizeGiB: s.sizeGiB }]],
    ),
  );
  return ec2.registerImage({
    ...buildRegisterImageRequest({
      name,
      description: snapshotDescription(owner),
      instance,
      snapshotsByVolumeId,
      exclusions: target,
    }),
    ...(boot?.request ?? {}),
    ...(boot === undefined || boot.instanceStore.length === 0 ? {} : { instanceStore: boot.instanceStore }),
    tagSpecifications: registerImageTagSpecifications(tagContext(run, target, set.createdAt)),
  });
}

/** Re-run: this run's image already exists; the CreateSnapshots set retires behind a CreateImage AMI. */
async function adoptOwnImage(
  job: Job,
  existing: Ec2Image,
  discarded: Partial<ImageState>,
): Promise<ImageState> {
  const method = methodOf(existing);
  const { report } = await attributesFor(job.ec2, method, job.instance);
  const retired =
    method === 'create-image'
      ? await retireSnapshotSet(job.ec2, job.set, job.owner, existing.snapshotIds)
      : [];
  return imageRecord(job, existing, { method, report }, { ...discarded, ...superseded(retired) });
}

async function requestImage(job: Job, discarded: Partial<ImageState>): Promise<ImageState> {
  const { ec2, name, owner } = job;
  const method = job.choice.method;
  const { report, boot } = await attributesFor(ec2, method, job.instance);
  const result =
    method === 'create-image' ? await requestCreateImage(job) : await requestRegisterImage(job, boot);
  if (result.kind === 'duplicate-name') {
    // Lost a race with an earlier attempt of this same task: take its image once visible.
    const raced = await findOwnImage(ec2, name, owner);
    if (raced === undefined) throw new ImageNotReady(`${name}: name taken but the image is not visible yet`);
    return imageRecord(job, raced, { method: methodOf(raced), report }, discarded);
  }
  job.log('image requested', { target: job.target.id, imageId: result.imageId, name, method });
  const retired = method === 'create-image' ? await retireSnapshotSet(ec2, job.set, owner, []) : [];
  return imageRecord(
    job,
    { imageId: result.imageId, state: 'pending', snapshotIds: [] },
    { method, report },
    { ...discarded, ...superseded(retired) },
  );
}

/**
 * RegisterImage or CreateImage for one target, or this run's image when it already exists.
 *
 * @throws ImageNotReady when the name is taken but the image is not visible yet (retried).
 * @throws ImageRegistrationFailed when a foreign AMI holds the name, or EC2 refuses the call.
 */
export async function makeImage(input: MakeImageInput): Promise<ImageState> {
  const { ec2, run, target, previous } = input;
  const owner = { policy: run.policy.name, target: target.id, runId: run.runId };
  const instance = await describeSourceInstance(ec2, target.id);
  const rejected = previous?.rejected;
  const choice: MethodChoice =
    rejected === undefined
      ? chooseImageMethod(instance)
      : { method: 'create-image', reason: `registered AMI discarded: ${rejected.reason}` };
  const job: Job = { ...input, owner, name: imageName(owner), choice, instance };
  const { existing, discarded } = await ownImageOrDiscard(job);
  return existing === undefined ? requestImage(job, discarded) : adoptOwnImage(job, existing, discarded);
}

/**
 * What CheckImage adds once the AMI is available: its snapshots, whether it carries a
 * Marketplace code, and — for a registered AMI — a rejection when its billing differs from
 * the instance's.
 */
export function verifyAvailableImage(state: ImageState, image: Ec2Image): Partial<ImageState> {
  const fields: Partial<ImageState> = { snapshotIds: image.snapshotIds };
  if (state.marketplace === true || hasMarketplaceCode(image.productCodes)) fields.marketplace = true;
  if (state.method === 'register' && state.expectedBilling !== undefined) {
    const reason = billingMismatch(state.expectedBilling, image);
    if (reason !== undefined) fields.rejected = { reason };
  }
  return fields;
}
