/**
 * RegisterImage has no ClientToken: idempotency comes from the deterministic AMI name.
 * An image with that name is reused only if its tags say it is this run's backup of this
 * target; a foreign image with our name is a hard failure (never adopted, never touched).
 */

import type { BackupErrorClass } from '../backup/errors.ts';
import { ImageRegistrationFailed } from '../backup/errors.ts';
import { isManagedBy, runIdOf } from '../backup/tags.ts';
import type { Ec2Image, Ec2Reader } from './ports/ec2.ts';

export async function findOwnImage(
  ec2: Ec2Reader,
  name: string,
  owner: { policy: string; target: string; runId: string },
  conflict: BackupErrorClass = ImageRegistrationFailed,
): Promise<Ec2Image | undefined> {
  const [image] = await ec2.describeImages({ names: [name] });
  if (image === undefined) return undefined;
  if (!isManagedBy(image.tags, owner.policy, owner.target) || runIdOf(image.tags) !== owner.runId) {
    throw new conflict(
      `an AMI named "${name}" (${image.imageId}) already exists in ${ec2.region} and is not this run's backup of ${owner.target}`,
    );
  }
  return image;
}
