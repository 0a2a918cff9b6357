import type { RunSummary } from '../../shared/backup/summary.ts';
import { TAG_KEYS } from '../../shared/backup/tags.ts';

/** The EC2 part of the local cloud's state dump that the rehearsal report reads. */
export type Ec2State = Record<
  string,
  {
    images: {
      imageId: string;
      name: string;
      state: string;
      tags: Record<string, string>;
      snapshotIds: string[];
    }[];
    snapshots: { snapshotId: string; state: string; tags: Record<string, string>; volumeId: string }[];
    instances: { instanceId: string; tags: Record<string, string>; volumes: { volumeId: string }[] }[];
  }
>;

/** What the rehearsal leaves in EC2: the policy's AMIs and backups per region, and what it must not touch. */
export interface Ec2Findings {
  amisPerRegion: Record<string, { available: number; names: string[] }>;
  /** Backups (an AMI with its snapshots is one) of the policy per region. */
  keptBackups: Map<string, number>;
  untouched: { unmanagedSnapshotPresent: boolean; unselectedInstanceSnapshots: number };
}

export const ec2Findings = (
  regions: Ec2State,
  names: { policy: string; unmanagedSnapshotName: string; unselectedInstanceName: string },
): Ec2Findings => {
  const amisPerRegion: Ec2Findings['amisPerRegion'] = {};
  const keptBackups = new Map<string, number>();
  let unmanagedSnapshotPresent = false;
  let unselectedInstanceSnapshots = 0;
  for (const [region, r] of Object.entries(regions)) {
    const ours = r.images.filter((i) => i.tags[TAG_KEYS.policy] === names.policy && i.state === 'available');
    if (ours.length > 0)
      amisPerRegion[region] = { available: ours.length, names: ours.map((i) => i.name).sort() };
    const backups = new Set(
      [
        ...ours,
        ...r.snapshots.filter((s) => s.tags[TAG_KEYS.policy] === names.policy && s.state === 'completed'),
      ].map((x) => `${x.tags[TAG_KEYS.target]}/${x.tags[TAG_KEYS.run]}`),
    );
    keptBackups.set(region, backups.size);
    if (r.snapshots.some((s) => s.tags.Name === names.unmanagedSnapshotName)) unmanagedSnapshotPresent = true;
    const unselected = r.instances.find((i) => i.tags.Name === names.unselectedInstanceName);
    const volumes = new Set(unselected?.volumes.map((v) => v.volumeId) ?? []);
    unselectedInstanceSnapshots += r.snapshots.filter((s) => volumes.has(s.volumeId)).length;
  }
  return { amisPerRegion, keptBackups, untouched: { unmanagedSnapshotPresent, unselectedInstanceSnapshots } };
};

/** Resources rotated away per region over the nights' run summaries. */
export const deletedPerRegion = (summaries: readonly RunSummary[]): Map<string, number> => {
  const totals = new Map<string, number>();
  for (const summary of summaries)
    for (const target of summary.targets)
      for (const region of target.regions)
        totals.set(region.region, (totals.get(region.region) ?? 0) + (region.rotation?.deleted.length ?? 0));
  return totals;
};
