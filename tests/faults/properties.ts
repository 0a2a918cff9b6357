/**
 * The properties every fault scenario checks after its runs, read from the local cloud's
 * state (never from what the workflow says about itself):
 * - restorable: each target has an `available` AMI in every configured region whose every
 *   backing snapshot exists there and is `completed`;
 * - untouched: resources that are not this policy's (unmanaged, other policy) are exactly
 *   as they were;
 * - billed once: the paths CloudFront billed equal the paths of the distinct invalidations;
 * - defined end: the run ended succeeded or failed, with a summary naming every target
 *   and, when failed, every failure.
 */
import type { ControlClient } from '@shipyard/local-cloud';
import type { RunSummary } from '../../shared/backup/summary.ts';
import type { RegionInventory } from '../workflow/backup/inventory.ts';
import type { Ledger } from './ledger.ts';

export const RESTORABLE = 'restorable AMI per target in every region';
export const UNTOUCHED = 'unmanaged / other-policy resources untouched';
export const BILLED_ONCE = 'no invalidation billed twice';
const DEFINED_END = 'defined end state with a summary';

type State = { ec2: { regions: Record<string, RegionInventory> } };

const managedBy = (tags: Record<string, string>, policy: string, target: string) =>
  tags['shipyard:managed'] === 'true' &&
  tags['shipyard:policy'] === policy &&
  tags['shipyard:target'] === target;

/** Checks one restorable AMI per target and region; returns the restorable AMI ids found. */
export async function checkRestorable(
  ledger: Ledger,
  control: ControlClient,
  policy: string,
  targets: readonly string[],
  regions: readonly string[],
  context = '',
): Promise<void> {
  const state = await control.state<State>();
  for (const region of regions) {
    const { images = [], snapshots = [] } = state.ec2.regions[region] ?? {};
    const completed = new Set(snapshots.filter((s) => s.state === 'completed').map((s) => s.snapshotId));
    for (const target of targets) {
      const good = images.filter(
        (i) =>
          managedBy(i.tags, policy, target) &&
          i.state === 'available' &&
          i.snapshotIds.length > 0 &&
          i.snapshotIds.every((id) => completed.has(id)),
      );
      ledger.check(RESTORABLE, good.length > 0, `${context} ${target} in ${region}: no restorable AMI`);
    }
  }
}

/** Seeds, in each region, an unmanaged AMI + snapshot and another policy's AMI + snapshot of the same target. */
export async function seedForeign(control: ControlClient, regions: readonly string[], target: string) {
  const images: Record<string, unknown>[] = [];
  const snapshots: Record<string, unknown>[] = [];
  regions.forEach((region, r) => {
    const unmanaged = `f${r}a0000000000000`.padEnd(17, '0');
    const otherPolicy = `f${r}b0000000000000`.padEnd(17, '0');
    snapshots.push({ region, snapshotId: `snap-${unmanaged}`, sizeGiB: 8 });
    images.push({
      region,
      imageId: `ami-${unmanaged}`,
      name: `golden-${region}`,
      snapshotIds: [`snap-${unmanaged}`],
    });
    const tags = {
      'shipyard:managed': 'true',
      'shipyard:policy': 'weekly',
      'shipyard:target': target,
      'shipyard:run': 'weekly-2026-01-04',
      'shipyard:created-at': '2026-01-04T00:30:00.000Z',
    };
    snapshots.push({
      region,
      snapshotId: `snap-${otherPolicy}`,
      sizeGiB: 8,
      tags: { ...tags, 'shipyard:kind': 'snapshot' },
    });
    images.push({
      region,
      imageId: `ami-${otherPolicy}`,
      name: `shipyard/weekly/${target}/weekly-2026-01-04`,
      snapshotIds: [`snap-${otherPolicy}`],
      tags: { ...tags, 'shipyard:kind': 'image' },
    });
  });
  await control.seed({ ec2: { snapshots, images } });
}

const isForeign = (tags: Record<string, string>, policy: string) =>
  tags['shipyard:managed'] !== 'true' || tags['shipyard:policy'] !== policy;

/** Everything not managed by `policy`, as a comparable fingerprint. */
export async function foreignFingerprint(control: ControlClient, policy: string): Promise<string> {
  const state = await control.state<State>();
  const out: unknown[] = [];
  for (const [region, inv] of Object.entries(state.ec2.regions).sort(([a], [b]) => a.localeCompare(b))) {
    for (const i of inv.images
      .filter((x) => isForeign(x.tags, policy))
      .sort((a, b) => a.imageId.localeCompare(b.imageId)))
      out.push([region, i.imageId, i.state, i.snapshotIds, i.launchPermissions, i.tags]);
    for (const s of inv.snapshots
      .filter((x) => isForeign(x.tags, policy))
      .sort((a, b) => a.snapshotId.localeCompare(b.snapshotId)))
      out.push([region, s.snapshotId, s.state, s.tags]);
  }
  return JSON.stringify(out);
}

interface CloudFrontState {
  cloudfront: {
    distributions: { id: string; invalidations: { callerReference: string; paths: { path: string }[] }[] }[];
  };
}

/** pathsBilled equals the paths of distinct (distribution, CallerReference) invalidations. */
export async function checkBilledOnce(ledger: Ledger, control: ControlClient, context = ''): Promise<void> {
  const [counters, state] = await Promise.all([control.counters(), control.state<CloudFrontState>()]);
  const billed = counters.tallies['cloudfront.pathsBilled'] ?? 0;
  const seen = new Set<string>();
  let unique = 0;
  let duplicates = 0;
  for (const d of state.cloudfront?.distributions ?? []) {
    for (const i of d.invalidations) {
      const key = `${d.id}|${i.callerReference}`;
      if (seen.has(key)) duplicates += 1;
      seen.add(key);
      unique += i.paths.length;
    }
  }
  ledger.check(
    BILLED_ONCE,
    billed === unique && duplicates === 0,
    `${context} billed ${billed}, distinct ${unique}`,
  );
}

export interface RunOutcome {
  status: string;
  error?: string | undefined;
  cause?: string | undefined;
  summary?: RunSummary | undefined;
}

/** The run ended in a defined state and its summary says what happened to every target. */
export function checkDefinedEnd(
  ledger: Ledger,
  run: RunOutcome,
  targets: readonly string[],
  context = '',
): void {
  const { summary } = run;
  const defined =
    (run.status === 'succeeded' && summary?.overallStatus === 'succeeded') ||
    (run.status === 'failed' && run.error === 'BackupRunFailed' && summary?.overallStatus === 'failed');
  ledger.check(
    DEFINED_END,
    defined,
    `${context} status ${run.status} ${run.error ?? ''} summary ${summary?.overallStatus}`,
  );
  const named = new Set(summary?.targets.map((t) => t.target));
  ledger.check(
    DEFINED_END,
    targets.every((t) => named.has(t)) && summary?.totals.targets === targets.length,
    `${context} summary does not name every target`,
  );
  for (const t of summary?.targets ?? []) {
    const explained = t.status === 'succeeded' ? t.failures.length === 0 : t.failures.length > 0;
    ledger.check(DEFINED_END, explained, `${context} ${t.target} ${t.status} without a reason`);
    if (t.status === 'failed')
      ledger.check(DEFINED_END, (run.cause ?? '').includes(t.target), `${context} cause omits ${t.target}`);
  }
}

/** Managed AMIs of `policy` left pending or failed anywhere (orphans of an interrupted or failed run). */
export async function unfinishedManagedImages(control: ControlClient, policy: string): Promise<string[]> {
  const state = await control.state<State>();
  return Object.entries(state.ec2.regions).flatMap(([region, inv]) =>
    inv.images
      .filter(
        (i) =>
          i.tags['shipyard:policy'] === policy &&
          i.tags['shipyard:managed'] === 'true' &&
          i.state !== 'available',
      )
      .map((i) => `${region}:${i.imageId}:${i.state}`),
  );
}
