/**
 * Restore (or migrate) an EBS volume from a backup: resolve the snapshot (an AMI's root or
 * `--device` mapping), copy it into the destination region when it lives elsewhere, create
 * the volume in the zone, wait, tag. Re-running after an interruption picks up the copy
 * already made (found by its restore tags) instead of paying for another.
 */
import type { Ec2RestorePort, RestoreSnapshot, RestoreVolume } from '../../shared/aws/ec2-restore.ts';
import { EXIT, UserError } from '../errors.ts';
import type { RestoreArgs } from './args.ts';
import { copyIdentityTags, copyTags, type RestoreSource, restoreTags } from './tags.ts';

export interface RestoreDeps {
  /** EC2 in the source region and in the destination region (the same port when they match). */
  source: Ec2RestorePort;
  destination: Ec2RestorePort;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  progress: (line: string) => void;
  pollMs: number;
  /** Give up waiting after this long (real time). */
  timeoutMs: number;
}

export type RestoreResult =
  | {
      status: 'dry-run';
      source: RestoreSource & { sizeGiB: number };
      copy: { snapshotId?: string; action: 'reuse' | 'copy' } | undefined;
      volume: {
        region: string;
        availabilityZone: string;
        volumeType: string;
        sizeGiB: number;
        tags: Record<string, string>;
      };
    }
  | { status: 'copying'; source: RestoreSource; copySnapshotId: string; progress?: string }
  | {
      status: 'created' | 'available';
      source: RestoreSource;
      copySnapshotId?: string;
      volume: RestoreVolume;
    };

const failed = (message: string) => new UserError(message, EXIT.failed);

/** Which snapshot to restore and where it lives. */
async function resolveSource(args: RestoreArgs, ec2: Ec2RestorePort): Promise<RestoreSource> {
  if (args.from.kind === 'snapshot') return { snapshotId: args.from.id, region: args.sourceRegion };
  const image = await ec2.describeImage(args.from.id);
  if (image === undefined)
    throw new UserError(`--from: AMI ${args.from.id} not found in ${args.sourceRegion}`);
  const devices = image.devices.map((d) => d.deviceName);
  const wanted = args.device ?? image.rootDeviceName ?? devices[0];
  const device = image.devices.find((d) => d.deviceName === wanted);
  if (device === undefined) {
    const which = args.device === undefined ? 'its root device' : args.device;
    throw new UserError(
      `${args.device === undefined ? '--from' : '--device'}: AMI ${image.imageId} has no EBS snapshot for ${which} (devices: ${devices.join(', ') || 'none'})`,
    );
  }
  return { snapshotId: device.snapshotId, region: args.sourceRegion, imageId: image.imageId };
}

async function pollSnapshot(
  ec2: Ec2RestorePort,
  snapshotId: string,
  deps: RestoreDeps,
  what: string,
): Promise<RestoreSnapshot> {
  const deadline = Date.now() + deps.timeoutMs;
  let lastProgress: string | undefined;
  for (;;) {
    const snapshot = await ec2.describeSnapshot(snapshotId);
    if (snapshot === undefined) throw failed(`${what} ${snapshotId} disappeared from ${ec2.region}`);
    if (snapshot.state === 'completed') return snapshot;
    if (snapshot.state === 'error')
      throw failed(
        `${what} ${snapshotId} failed in ${ec2.region}${snapshot.stateMessage ? `: ${snapshot.stateMessage}` : ''}`,
      );
    if (snapshot.progress !== lastProgress) {
      lastProgress = snapshot.progress;
      deps.progress(
        `${what} ${snapshotId} in ${ec2.region}: ${snapshot.state} ${snapshot.progress ?? ''}`.trimEnd(),
      );
    }
    if (Date.now() >= deadline)
      throw failed(`${what} ${snapshotId} still ${snapshot.state} after the wait timeout`);
    await deps.sleep(deps.pollMs);
  }
}

async function pollVolume(
  ec2: Ec2RestorePort,
  volume: RestoreVolume,
  deps: RestoreDeps,
): Promise<RestoreVolume> {
  const deadline = Date.now() + deps.timeoutMs;
  let current = volume;
  deps.progress(`volume ${volume.volumeId} in ${volume.availabilityZone}: ${volume.state}`);
  for (;;) {
    if (current.state === 'available') return current;
    if (current.state === 'error') throw failed(`volume ${current.volumeId} failed to create`);
    if (Date.now() >= deadline)
      throw failed(`volume ${current.volumeId} still ${current.state} after the wait timeout`);
    await deps.sleep(deps.pollMs);
    const next = await ec2.describeVolume(volume.volumeId);
    if (next === undefined) throw failed(`volume ${volume.volumeId} disappeared from ${ec2.region}`);
    current = next;
  }
}

/** A copy of `source` already in the destination (started by an earlier run), newest usable first. */
async function existingCopy(
  ec2: Ec2RestorePort,
  source: RestoreSource,
): Promise<RestoreSnapshot | undefined> {
  const copies = (await ec2.findSnapshots(copyIdentityTags(source))).filter((s) => s.state !== 'error');
  return copies.find((s) => s.state === 'completed') ?? copies[0];
}

async function checkZone(args: RestoreArgs, destination: Ec2RestorePort): Promise<void> {
  const zones = await destination.availabilityZones();
  if (!zones.includes(args.availabilityZone))
    throw new UserError(
      `--az: ${args.availabilityZone} is not an availability zone of ${args.region} (${zones.join(', ')})`,
    );
}

/** The snapshot to restore, refused when missing, failed or larger than `--size`. */
async function restorableSnapshot(
  args: RestoreArgs,
  ec2: Ec2RestorePort,
  source: RestoreSource,
): Promise<RestoreSnapshot> {
  const snapshot = await ec2.describeSnapshot(source.snapshotId);
  if (snapshot === undefined)
    throw new UserError(`--from: snapshot ${source.snapshotId} not found in ${args.sourceRegion}`);
  if (args.sizeGiB !== undefined && args.sizeGiB < snapshot.sizeGiB)
    throw new UserError(`--size: ${args.sizeGiB} GiB is smaller than the snapshot (${snapshot.sizeGiB} GiB)`);
  if (snapshot.state === 'error')
    throw failed(
      `snapshot ${snapshot.snapshotId} is in state error${snapshot.stateMessage ? `: ${snapshot.stateMessage}` : ''}`,
    );
  return snapshot;
}

async function dryRun(
  args: RestoreArgs,
  deps: RestoreDeps,
  planned: { source: RestoreSource; snapshot: RestoreSnapshot; tags: Record<string, string> },
): Promise<RestoreResult> {
  const { source, snapshot, tags } = planned;
  const crossRegion = args.sourceRegion !== args.region;
  const copy = crossRegion ? await existingCopy(deps.destination, source) : undefined;
  return {
    status: 'dry-run',
    source: { ...source, sizeGiB: snapshot.sizeGiB },
    copy: crossRegion
      ? copy
        ? { snapshotId: copy.snapshotId, action: 'reuse' }
        : { action: 'copy' }
      : undefined,
    volume: {
      region: args.region,
      availabilityZone: args.availabilityZone,
      volumeType: args.volumeType,
      sizeGiB: args.sizeGiB ?? snapshot.sizeGiB,
      tags,
    },
  };
}

/** The copy in the destination region (an earlier run's, else a new one): its id, once usable. */
async function copyToDestination(
  args: RestoreArgs,
  deps: RestoreDeps,
  source: RestoreSource,
): Promise<{ copySnapshotId: string; copying?: RestoreResult }> {
  const found = await existingCopy(deps.destination, source);
  if (found) deps.progress(`reusing copy ${found.snapshotId} in ${args.region} (${found.state})`);
  const copySnapshotId =
    found?.snapshotId ??
    (await deps.destination.copySnapshot({
      sourceRegion: args.sourceRegion,
      sourceSnapshotId: source.snapshotId,
      description: `Shipyard restore of ${source.snapshotId} from ${args.sourceRegion}`,
      tags: copyTags(source, args.tags),
    }));
  if (found === undefined)
    deps.progress(`copying ${source.snapshotId} to ${args.region} as ${copySnapshotId}`);
  if (found?.state !== 'completed') {
    if (!args.wait) {
      const progress = found?.progress;
      const copying: RestoreResult = {
        status: 'copying',
        source,
        copySnapshotId,
        ...(progress === undefined ? {} : { progress }),
      };
      return { copySnapshotId, copying };
    }
    await pollSnapshot(deps.destination, copySnapshotId, deps, 'copy');
  }
  return { copySnapshotId };
}

export async function restoreVolume(args: RestoreArgs, deps: RestoreDeps): Promise<RestoreResult> {
  await checkZone(args, deps.destination);
  const source = await resolveSource(args, deps.source);
  const snapshot = await restorableSnapshot(args, deps.source, source);
  const tags = restoreTags(source, deps.now().toISOString(), args.tags);
  if (args.dryRun) return dryRun(args, deps, { source, snapshot, tags });
  if (snapshot.state !== 'completed') {
    if (!args.wait)
      throw failed(
        `snapshot ${snapshot.snapshotId} is still ${snapshot.state} (${snapshot.progress ?? '?'}): pass --wait to wait for it`,
      );
    await pollSnapshot(deps.source, snapshot.snapshotId, deps, 'snapshot');
  }
  let copySnapshotId: string | undefined;
  if (args.sourceRegion !== args.region) {
    const copy = await copyToDestination(args, deps, source);
    if (copy.copying) return copy.copying;
    copySnapshotId = copy.copySnapshotId;
  }
  const volume = await deps.destination.createVolume({
    availabilityZone: args.availabilityZone,
    snapshotId: copySnapshotId ?? source.snapshotId,
    volumeType: args.volumeType,
    ...(args.sizeGiB === undefined ? {} : { sizeGiB: args.sizeGiB }),
    tags,
  });
  if (!args.wait) return { status: 'created', source, ...(copySnapshotId ? { copySnapshotId } : {}), volume };
  const ready = await pollVolume(deps.destination, volume, deps);
  return { status: 'available', source, ...(copySnapshotId ? { copySnapshotId } : {}), volume: ready };
}

export function restoreText(result: RestoreResult): string {
  const from = `${result.source.imageId ? `${result.source.imageId} → ` : ''}${result.source.snapshotId} (${result.source.region})`;
  switch (result.status) {
    case 'dry-run': {
      const copy = result.copy
        ? result.copy.action === 'reuse'
          ? `reuse copy ${result.copy.snapshotId}, then `
          : `copy it to ${result.volume.region}, then `
        : '';
      return `dry run: would restore ${from}: ${copy}create a ${result.volume.sizeGiB} GiB ${result.volume.volumeType} volume in ${result.volume.availabilityZone}`;
    }
    case 'copying':
      return `copy ${result.copySnapshotId} of ${from} is in progress${result.progress ? ` (${result.progress})` : ''}: run the same command again once it completes, or pass --wait`;
    default:
      return `${result.volume.volumeId}\nrestored ${from} into ${result.volume.availabilityZone}: ${result.volume.sizeGiB} GiB ${result.volume.volumeType}, ${result.volume.state}${result.copySnapshotId ? ` (via copy ${result.copySnapshotId})` : ''}`;
  }
}
