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

interface Plan {
  choice: MethodChoice;
  instance: SourceInstance;
}

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

/**
 * RegisterImage or CreateImage for one target, or this run's image when it already exists.
 *
 * @throws ImageNotReady when the name is taken but the image is not visible yet (retried).
 * @throws ImageRegistrationFailed when a foreign AMI holds the name, or EC2 refuses the call.
 */
export async function makeImage(input: MakeImageInput): Promise<ImageState> {
  const { ec2, run, target, set, previous, now, log } = input;
  const owner = { policy: run.policy.name, target: target.id, runId: run.runId };
  const name = imageName(owner);
  const context = tagContext(run, target, set.createdAt);
  const instance = await describeSourceInstance(ec2, target.id);
  const rejected = previous?.rejected;
  const plan: Plan = {
    instance,
    choice:
      rejected === undefined
        ? chooseImageMethod(instance)
        : { method: 'create-image', reason: `registered AMI discarded: ${rejected.reason}` },
  };
  const record = (
    image: Pick<Ec2Image, 'imageId' | 'state' | 'snapshotIds'>,
    method: ImageMethod,
    report: AttributeReport,
    extra: Partial<ImageState> = {},
  ): ImageState => {
    const available = image.state === 'available';
    return {
      region: set.region,
      imageId: image.imageId,
      name,
      createdAt: set.createdAt,
      state: available ? 'available' : 'pending',
      attempt: 0,
      startedAt: now.toISOString(),
      waitSeconds: available ? 0 : IMAGE_WAIT.initialSeconds,
      method,
      methodReason:
        method === plan.choice.method ? plan.choice.reason : `this run's AMI was made by ${method}`,
      ...(method === 'register'
        ? {
            expectedBilling: {
              ...(instance.platformDetails === undefined
                ? {}
                : { platformDetails: instance.platformDetails }),
              ...(instance.usageOperation === undefined ? {} : { usageOperation: instance.usageOperation }),
            },
          }
        : {}),
      ...(hasMarketplaceCode(instance.productCodes) ? { marketplace: true } : {}),
      attributes: report,
      ...(previous?.discardedImageId === undefined ? {} : { discardedImageId: previous.discardedImageId }),
      ...extra,
    };
  };

  let existing = await findOwnImage(ec2, name, owner);
  let discardedImageId = previous?.discardedImageId;
  if (rejected !== undefined && previous !== undefined && existing?.imageId === previous.imageId) {
    // Its snapshots are the CreateSnapshots set: kept until CreateImage is accepted, then retired.
    await ec2.deregisterImage(existing.imageId, false);
    log('registered image discarded', {
      target: target.id,
      imageId: existing.imageId,
      reason: rejected.reason,
    });
    discardedImageId = existing.imageId;
    existing = undefined;
  }
  const discarded = discardedImageId === undefined ? {} : { discardedImageId };

  if (existing !== undefined) {
    const method: ImageMethod = existing.sourceInstanceId === undefined ? 'register' : 'create-image';
    const { report } = await attributesFor(ec2, method, instance);
    const superseded =
      method === 'create-image' ? await retireSnapshotSet(ec2, set, owner, existing.snapshotIds) : [];
    return record(existing, method, report, {
      ...discarded,
      ...(superseded.length > 0 ? { supersededSnapshotIds: superseded } : {}),
    });
  }

  const { report, boot } = await attributesFor(ec2, plan.choice.method, instance);
  const result =
    plan.choice.method === 'create-image'
      ? await ec2.createImage({
          instanceId: instance.instanceId,
          name,
          description: snapshotDescription(owner),
          excludedDeviceNames: instance.blockDevices
            .filter((d) => target.excludeDataVolumeIds?.includes(d.volumeId) === true)
            .map((d) => d.deviceName),
          tagSpecifications: createImageTagSpecifications(context),
        })
      : await ec2.registerImage({
          ...buildRegisterImageRequest({
            name,
            description: snapshotDescription(owner),
            instance,
            snapshotsByVolumeId: Object.fromEntries(
              set.snapshots.flatMap((s) =>
                s.volumeId === undefined
                  ? []
                  : [[s.volumeId, { snapshotId: s.snapshotId, volumeSizeGiB: s.sizeGiB }]],
              ),
            ),
            exclusions: target,
          }),
          ...(boot?.request ?? {}),
          ...(boot === undefined || boot.instanceStore.length === 0
            ? {}
            : { instanceStore: boot.instanceStore }),
          tagSpecifications: registerImageTagSpecifications(context),
        });
  if (result.kind === 'duplicate-name') {
    // Lost a race with an earlier attempt of this same task: take its image once visible.
    const raced = await findOwnImage(ec2, name, owner);
    if (raced === undefined) throw new ImageNotReady(`${name}: name taken but the image is not visible yet`);
    const method: ImageMethod = raced.sourceInstanceId === undefined ? 'register' : 'create-image';
    return record(raced, method, report, discarded);
  }
  log('image requested', { target: target.id, imageId: result.imageId, name, method: plan.choice.method });
  const superseded =
    plan.choice.method === 'create-image' ? await retireSnapshotSet(ec2, set, owner, []) : [];
  return record({ imageId: result.imageId, state: 'pending', snapshotIds: [] }, plan.choice.method, report, {
    ...discarded,
    ...(superseded.length > 0 ? { supersededSnapshotIds: superseded } : {}),
  });
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
