/** What the local cloud holds, per region, read through its control API (`GET /_shipyard/state`). */
import type { ControlClient } from '@shipyard/local-cloud';

interface StateImage {
  imageId: string;
  name: string;
  state: string;
  snapshotIds: string[];
  public: boolean;
  launchPermissions: { userId?: string; group?: string }[];
  tags: Record<string, string>;
}
interface StateSnapshot {
  snapshotId: string;
  volumeId: string;
  state: string;
  tags: Record<string, string>;
}
export interface RegionInventory {
  images: StateImage[];
  snapshots: StateSnapshot[];
}

export async function inventory(control: ControlClient, region: string): Promise<RegionInventory> {
  const state = await control.state<{ ec2: { regions: Record<string, RegionInventory> } }>();
  return state.ec2.regions[region] ?? { images: [], snapshots: [] };
}

export const ofTarget = <T extends { tags: Record<string, string> }>(
  items: T[],
  target: string,
  policy = 'nightly',
) =>
  items.filter(
    (i) =>
      i.tags['shipyard:managed'] === 'true' &&
      i.tags['shipyard:policy'] === policy &&
      i.tags['shipyard:target'] === target,
  );

export const ids = (items: { imageId?: string; snapshotId?: string }[]) =>
  items.map((i) => i.imageId ?? i.snapshotId ?? '').sort();

/** EC2 calls by action (one region or all), from the local cloud's counters. */
export async function ec2Calls(control: ControlClient): Promise<Record<string, number>> {
  const { calls } = await control.counters();
  const out: Record<string, number> = {};
  for (const c of calls) if (c.service === 'ec2') out[c.action] = (out[c.action] ?? 0) + c.count;
  return out;
}
