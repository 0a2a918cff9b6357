/** The snapshot side of the backup workflow's EC2 port: create (per instance or per volume), delete. */
import { CreateSnapshotCommand, CreateSnapshotsCommand, DeleteSnapshotCommand } from '@aws-sdk/client-ec2';
import { InvalidBackupInput, SnapshotFailed } from '../backup/errors.ts';
import type { DeleteSnapshotResult, Ec2Port } from '../backup-service/ports/ec2.ts';
import { ec2ErrorCode } from './ec2-errors.ts';
import { toSnapshot } from './ec2-mapping.ts';
import type { Ec2PortContext } from './ec2-port-context.ts';

type Ec2Snapshots = Pick<Ec2Port, 'createSnapshots' | 'createSnapshot' | 'deleteSnapshot'>;

const createSnapshotsCommand = (input: Parameters<Ec2Port['createSnapshots']>[0]) =>
  new CreateSnapshotsCommand({
    InstanceSpecification: {
      InstanceId: input.instanceId,
      ExcludeBootVolume: input.excludeBootVolume,
      ...(input.excludeDataVolumeIds?.length
        ? { ExcludeDataVolumeIds: [...input.excludeDataVolumeIds] }
        : {}),
    },
    Description: input.description,
    TagSpecifications: input.tagSpecifications,
  });

async function deleteSnapshot(ctx: Ec2PortContext, snapshotId: string): Promise<DeleteSnapshotResult> {
  try {
    await ctx.client.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    return 'deleted';
  } catch (error) {
    const code = ec2ErrorCode(error);
    if (code === 'InvalidSnapshot.InUse') return 'in-use';
    if (code === 'InvalidSnapshot.NotFound') return 'not-found';
    throw ctx.failure(error, 'DeleteSnapshot', InvalidBackupInput);
  }
}

export function ec2Snapshots(ctx: Ec2PortContext): Ec2Snapshots {
  const { client } = ctx;
  return {
    createSnapshots: (input) =>
      ctx.call('CreateSnapshots', SnapshotFailed, async () => {
        const out = await client.send(createSnapshotsCommand(input));
        return (out.Snapshots ?? []).map(toSnapshot);
      }),
    createSnapshot: (input) =>
      ctx.call('CreateSnapshot', SnapshotFailed, async () => {
        const out = await client.send(
          new CreateSnapshotCommand({
            VolumeId: input.volumeId,
            Description: input.description,
            TagSpecifications: input.tagSpecifications,
          }),
        );
        return toSnapshot(out);
      }),
    deleteSnapshot: (snapshotId) => deleteSnapshot(ctx, snapshotId),
  };
}
