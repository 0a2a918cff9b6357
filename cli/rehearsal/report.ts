import type { RunSummary } from '../../shared/backup/summary.ts';
import { TAG_KEYS } from '../../shared/backup/tags.ts';
import type { DeployBudget, FreshEdge } from './edge.ts';
import type { NightResult } from './nights.ts';
import type { DrillEntry, VerificationEntry } from './verification.ts';

/** What the local cloud's state dump says about CloudFront and EC2 (the fields the report reads). */
export interface CloudState {
  cloudfront: {
    distributions: {
      id: string;
      invalidations: { id: string; status: string; paths: { path: string }[]; callerReference: string }[];
    }[];
    billing: { pathsBilled: number; estimatedCostUsd: number };
  };
  ec2: {
    regions: Record<
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
  };
}

export interface RehearsalSummary {
  endpoint: string;
  releases: { site: string; trigger: string; uploaded: number; removed: number }[];
  invalidations: { distribution: string; id: string; status: string; paths: number; sample: string[] }[];
  pathsBilled: number;
  /** Invalidation Completed per distribution (the completion watch of the deployed stack). */
  fresh: FreshEdge[];
  /** Each deploy's bill against the month's free tier (the deployed ledger bucket). */
  budgets: DeployBudget[];
  nights: {
    night: number;
    execution: string;
    status: string;
    images: number;
    deleted: number;
    failures: string[];
  }[];
  amisPerRegion: Record<string, { available: number; names: string[] }>;
  /** `keptBackups`: backups (an AMI with its snapshots is one) of the policy in the region now. */
  rotation: { region: string; deleted: number; keptBackups: number }[];
  untouched: { unmanagedSnapshotPresent: boolean; unselectedInstanceSnapshots: number };
  /** Invocations of the deployed functions, and how many started a new environment. */
  lambda: { invocations: number; coldStarts: number };
  /** One restore test per target and verify region: the newest backup launched, judged, terminated. */
  verifications: VerificationEntry[];
  /** The failover drill: its dial steps and whether the recorded dials were restored. */
  drill: DrillEntry;
  ok: boolean;
}

const regionTotals = (summaries: RunSummary[]) => {
  const totals = new Map<string, { deleted: number }>();
  for (const summary of summaries)
    for (const target of summary.targets)
      for (const region of target.regions) {
        const entry = totals.get(region.region) ?? { deleted: 0 };
        entry.deleted += region.rotation?.deleted.length ?? 0;
        totals.set(region.region, entry);
      }
  return totals;
};

export const buildSummary = (input: {
  endpoint: string;
  releases: RehearsalSummary['releases'];
  nights: NightResult[];
  state: CloudState;
  fresh: FreshEdge[];
  budgets: DeployBudget[];
  policy: string;
  unmanagedSnapshotName: string;
  unselectedInstanceName: string;
  lambda: RehearsalSummary['lambda'];
  verifications: VerificationEntry[];
  drill: DrillEntry;
}): RehearsalSummary => {
  const { state } = input;
  const invalidations = state.cloudfront.distributions.flatMap((d) =>
    d.invalidations.map((i) => ({
      distribution: d.id,
      id: i.id,
      status: i.status,
      paths: i.paths.length,
      sample: i.paths.slice(0, 6).map((p) => p.path),
    })),
  );
  const amisPerRegion: RehearsalSummary['amisPerRegion'] = {};
  const rotationKept = new Map<string, number>();
  let unmanagedSnapshotPresent = false;
  let unselectedInstanceSnapshots = 0;
  for (const [region, r] of Object.entries(state.ec2.regions)) {
    const ours = r.images.filter((i) => i.tags[TAG_KEYS.policy] === input.policy && i.state === 'available');
    if (ours.length > 0)
      amisPerRegion[region] = { available: ours.length, names: ours.map((i) => i.name).sort() };
    const backups = new Set(
      [
        ...ours,
        ...r.snapshots.filter((s) => s.tags[TAG_KEYS.policy] === input.policy && s.state === 'completed'),
      ].map((x) => `${x.tags[TAG_KEYS.target]}/${x.tags[TAG_KEYS.run]}`),
    );
    rotationKept.set(region, backups.size);
    if (r.snapshots.some((s) => s.tags.Name === input.unmanagedSnapshotName)) unmanagedSnapshotPresent = true;
    const unselected = r.instances.find((i) => i.tags.Name === input.unselectedInstanceName);
    const volumes = new Set(unselected?.volumes.map((v) => v.volumeId) ?? []);
    unselectedInstanceSnapshots += r.snapshots.filter((s) => volumes.has(s.volumeId)).length;
  }
  const summaries = input.nights.flatMap((n) => (n.summary ? [n.summary] : []));
  const totals = regionTotals(summaries);
  const nights = input.nights.map((n) => ({
    night: n.night,
    execution: n.executionName,
    status: n.status,
    images: n.summary?.totals.images ?? 0,
    deleted: n.summary?.totals.deleted ?? 0,
    failures: [...(n.summary?.targets.flatMap((t) => t.failures) ?? []), ...(n.error ? [n.error] : [])],
  }));
  const rotation = [...totals].map(([region, t]) => ({
    region,
    deleted: t.deleted,
    keptBackups: rotationKept.get(region) ?? 0,
  }));
  return {
    endpoint: input.endpoint,
    releases: input.releases,
    invalidations,
    pathsBilled: state.cloudfront.billing.pathsBilled,
    fresh: input.fresh,
    budgets: input.budgets,
    nights,
    amisPerRegion,
    rotation,
    untouched: { unmanagedSnapshotPresent, unselectedInstanceSnapshots },
    lambda: input.lambda,
    verifications: input.verifications,
    drill: input.drill,
    ok:
      nights.length > 0 &&
      input.verifications.length > 0 &&
      input.verifications.every((v) => v.status === 'passed') &&
      input.drill.status === 'completed' &&
      input.drill.restored &&
      nights.every((n) => n.status === 'SUCCEEDED') &&
      invalidations.length > 0 &&
      unmanagedSnapshotPresent &&
      unselectedInstanceSnapshots === 0,
  };
};

export const renderSummary = (s: RehearsalSummary): string => {
  const lines = ['', '=== Shipyard rehearsal summary ===', '', 'Releases and invalidations'];
  for (const r of s.releases)
    lines.push(`  ${r.site}: ${r.uploaded} files uploaded, ${r.removed} removed (${r.trigger})`);
  for (const i of s.invalidations)
    lines.push(`  ${i.distribution} ${i.id} ${i.status}: ${i.paths} path(s) e.g. ${i.sample.join(' ')}`);
  lines.push(`  paths billed: ${s.pathsBilled}`);
  const known = (n: number | null) => (n === null ? 'unknown' : String(n));
  for (const b of s.budgets)
    lines.push(
      `  ${b.site} ${b.deployId.slice(0, 12)} (${b.month}): this deploy bills ${b.pathsThisDeploy} path(s); month to date ${known(b.monthToDatePaths)}; free tier left ${known(b.freeTierLeft)}; cost at list price $${b.dollars === null ? '?' : b.dollars.toFixed(3)}`,
    );
  for (const f of s.fresh)
    lines.push(`  ${f.distributionId} fresh ${f.secondsToFresh} s after the submission`);
  lines.push('', 'Nightly backups');
  for (const n of s.nights)
    lines.push(
      `  night ${String(n.night).padStart(2)} ${n.execution}: ${n.status}, ${n.images} AMI(s) made, ${n.deleted} old resource(s) rotated${n.failures.length ? `; ${n.failures.join('; ')}` : ''}`,
    );
  lines.push('', 'AMIs per region now');
  for (const [region, a] of Object.entries(s.amisPerRegion))
    lines.push(`  ${region}: ${a.available} available`);
  lines.push('', 'Rotation over the rehearsal');
  for (const r of s.rotation)
    lines.push(
      `  ${r.region}: deleted ${r.deleted} resource(s) (AMIs and snapshots); ${r.keptBackups} backup(s) kept`,
    );
  lines.push('', 'Restore tests (newest backup of each target)');
  for (const v of s.verifications)
    lines.push(
      `  ${v.region} ${v.target} ${v.imageId}: ${v.status}${v.secondsToPass === undefined ? '' : ` in ${v.secondsToPass} s`}${v.reason ? ` (${v.reason})` : ''}`,
    );
  lines.push(
    '',
    `Failover drill behind ${s.drill.accelerator}: ${s.drill.status}`,
    ...s.drill.steps.map(
      (step) => `  ${step.dial} % to ${step.region}: ${step.passed ? 'passed' : 'FAILED'}`,
    ),
    ...s.drill.errors.map((e) => `  error: ${e}`),
    `  dials restored: ${s.drill.restored ? 'yes' : 'NO'}`,
  );
  lines.push(
    '',
    `Lambda: ${s.lambda.invocations} invocations, ${s.lambda.coldStarts} cold starts`,
    '',
    `Untouched: unmanaged snapshot ${s.untouched.unmanagedSnapshotPresent ? 'still there' : 'MISSING'}, unselected instance snapshots: ${s.untouched.unselectedInstanceSnapshots}`,
    '',
    s.ok ? 'Rehearsal OK' : 'Rehearsal FAILED',
  );
  return lines.join('\n');
};
