/**
 * The dry-run EC2 port: reads pass through, writes are recorded and never sent (as
 * s3deploy does it). Rotation under `dryRun` runs against this, so even a planner bug
 * cannot delete anything during a rehearsal.
 */
import { InvalidBackupInput } from '../backup/errors.ts';
import type { Ec2Port, Ec2Reader } from './ports/ec2.ts';

interface SkippedWrite {
  region: string;
  action: string;
  resourceId: string;
}

export interface DryRunEc2Port extends Ec2Port {
  /** Writes that were asked for and not sent. */
  readonly skipped: readonly SkippedWrite[];
}

/**
 * Wraps a port so that it reads but never writes. Deletions report success-shaped
 * results (`deregistered` with no snapshot results, `deleted`) so callers run their
 * normal path; creations are refused: a dry run never creates anything to wait for.
 *
 * @example
 * const port = dryRunEc2Port(ec2('eu-west-1'));
 * await port.deleteSnapshot('snap-1'); // 'deleted' — nothing was sent
 * port.skipped; // [{ region: 'eu-west-1', action: 'DeleteSnapshot', resourceId: 'snap-1' }]
 */
export function dryRunEc2Port(inner: Ec2Reader): DryRunEc2Port {
  const skipped: SkippedWrite[] = [];
  const skip = (action: string, resourceId: string) =>
    skipped.push({ region: inner.region, action, resourceId });
  const refuse = (action: string): never => {
    throw new InvalidBackupInput(`${action} is not allowed in a dry run (${inner.region})`);
  };
  return {
    region: inner.region,
    skipped,
    describeInstances: (q) => inner.describeInstances(q),
    describeVolumes: (q) => inner.describeVolumes(q),
    describeSnapshots: (q) => inner.describeSnapshots(q),
    describeImages: (q) => inner.describeImages(q),
    describeLaunchImage: (id) => inner.describeLaunchImage(id),
    getInstanceUefiData: (id) => inner.getInstanceUefiData(id),
    createSnapshots: async () => refuse('CreateSnapshots'),
    createSnapshot: async () => refuse('CreateSnapshot'),
    registerImage: async () => refuse('RegisterImage'),
    createImage: async () => refuse('CreateImage'),
    copyImage: async () => refuse('CopyImage'),
    addLaunchPermissions: async (imageId) => {
      skip('ModifyImageAttribute', imageId);
    },
    deregisterImage: async (imageId) => {
      skip('DeregisterImage', imageId);
      return { kind: 'deregistered', snapshots: [] };
    },
    deleteSnapshot: async (snapshotId) => {
      skip('DeleteSnapshot', snapshotId);
      return 'deleted';
    },
  };
}
