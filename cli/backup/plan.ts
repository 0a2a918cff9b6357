/**
 * `backup plan`: what rotation would delete and keep, per region and target, and why. It
 * reads exactly what the rotate step reads (Shipyard's AMIs and snapshots of the policy,
 * owner self, paged, by tag) and runs the same pure planner with the region's retention,
 * so the answer is the rotation's own. Read-only: only Describe calls are made.
 */

import { type BackupForm, backupFormOf } from '../../shared/backup/block-devices.ts';
import { type PlanItem, planRetention } from '../../shared/backup/retention.ts';
import { type RetentionRule, retentionForRegion } from '../../shared/backup/retention-rules.ts';
import { MANAGED_TAG_VALUE, TAG_KEYS } from '../../shared/backup/tags.ts';
import type { Ec2PortFactory, Ec2Reader } from '../../shared/backup-service/ports/ec2.ts';
import { toImageRecord, toSnapshotRecord } from '../../shared/backup-service/rotation.ts';
import type { BackupPolicy } from '../../shared/config/policies.ts';

/** Instances in these states are never selected by tags (as in DiscoverTargets). */
const GONE_STATES = new Set(['shutting-down', 'terminated']);

interface TargetPlan {
  target: string;
  keep: PlanItem[];
  delete: PlanItem[];
  /** Backups due for deletion that `maxDeletesPerRun` pushes to a later run. */
  deferredBackups: number;
}

interface RegionPlan {
  region: string;
  role: 'source' | 'copy';
  retention: RetentionRule;
  targets: TargetPlan[];
}

export interface RotationPlanReport {
  policy: string;
  at: string;
  maxDeletesPerRun: number;
  regions: RegionPlan[];
  /** Targets with backups that the policy no longer selects: rotation never runs for them. */
  notRotated: { region: string; target: string; images: number; snapshots: number }[];
}

/** The targets a run of the policy would back up now (and so rotate): DiscoverTargets' rule. */
async function currentTargets(policy: BackupPolicy, ec2: Ec2Reader): Promise<string[]> {
  const ids = [...(policy.targets.instanceIds ?? []), ...(policy.targets.volumeIds ?? [])];
  const tags = policy.targets.tags;
  if (tags !== undefined && Object.keys(tags).length > 0) {
    const tagged = await ec2.describeInstances({
      tags: Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, [v]])),
    });
    ids.push(...tagged.filter((i) => !GONE_STATES.has(i.state)).map((i) => i.instanceId));
  }
  return [...new Set(ids)].sort();
}

const byTarget = <T extends { tags: Record<string, string> }>(items: readonly T[]): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const target = item.tags[TAG_KEYS.target];
    if (target === undefined) continue;
    out.set(target, [...(out.get(target) ?? []), item]);
  }
  return out;
};

/** What a backup of `target` is, as DiscoverTargets decides it (rotation plans with it). */
const formOf = (policy: BackupPolicy, target: string): BackupForm =>
  target.startsWith('vol-')
    ? 'snapshots-only'
    : backupFormOf({ kind: 'instance', ...policy.targets.instanceOptions?.[target] });

export interface PlanInput {
  policy: BackupPolicy;
  ec2: Ec2PortFactory;
  /** Evaluation instant (ISO). */
  at: string;
  /** Only these targets (`--target`); by default the policy's current targets. */
  targets?: readonly string[];
}

export async function planRotation({ policy, ec2, at, targets }: PlanInput): Promise<RotationPlanReport> {
  const selected = new Set(targets ?? (await currentTargets(policy, ec2(policy.sourceRegion))));
  const query = { tags: { [TAG_KEYS.managed]: [MANAGED_TAG_VALUE], [TAG_KEYS.policy]: [policy.name] } };
  const regions = [
    { region: policy.sourceRegion, role: 'source' as const },
    ...policy.copyRegions.map((c) => ({ region: c.region, role: 'copy' as const })),
  ];
  const report: RotationPlanReport = {
    policy: policy.name,
    at,
    maxDeletesPerRun: policy.maxDeletesPerRun,
    regions: [],
    notRotated: [],
  };
  const inventories = await Promise.all(
    regions.map(async ({ region }) => {
      const reader = ec2(region);
      const [images, snapshots] = await Promise.all([
        reader.describeImages(query),
        reader.describeSnapshots(query),
      ]);
      return { images: byTarget(images), snapshots: byTarget(snapshots) };
    }),
  );
  regions.forEach(({ region, role }, index) => {
    const inventory = inventories[index] ?? { images: new Map(), snapshots: new Map() };
    const retention = retentionForRegion(policy, region);
    const regionPlan: RegionPlan = { region, role, retention, targets: [] };
    const withBackups = new Set([...inventory.images.keys(), ...inventory.snapshots.keys()]);
    for (const target of [...new Set([...selected, ...withBackups])].sort()) {
      const images = inventory.images.get(target) ?? [];
      const snapshots = inventory.snapshots.get(target) ?? [];
      if (!selected.has(target)) {
        if (targets === undefined)
          report.notRotated.push({ region, target, images: images.length, snapshots: snapshots.length });
        continue;
      }
      const plan = planRetention({
        policy: policy.name,
        target,
        region,
        // A run id no resource carries: the plan is for the inventory as it stands.
        runId: `plan-${at.replace(/[^0-9]/g, '')}`,
        form: formOf(policy, target),
        now: at,
        timeZone: policy.schedule.timeZone,
        retention,
        maxDeletesPerRun: policy.maxDeletesPerRun,
        images: images.map(toImageRecord),
        snapshots: snapshots.map(toSnapshotRecord),
      });
      regionPlan.targets.push({
        target,
        keep: plan.keep,
        delete: plan.delete,
        deferredBackups: plan.deferredBackups,
      });
    }
    report.regions.push(regionPlan);
  });
  return report;
}

const ruleText = (rule: RetentionRule): string => {
  const parts: string[] = [];
  if (rule.keepLast !== undefined) parts.push(`keepLast ${rule.keepLast}`);
  if (rule.maxAgeDays !== undefined) parts.push(`maxAgeDays ${rule.maxAgeDays}`);
  const gfs = Object.entries(rule.gfs ?? {}).filter(([, n]) => (n ?? 0) > 0);
  if (gfs.length > 0) parts.push(`gfs ${gfs.map(([k, n]) => `${k} ${n}`).join(' ')}`);
  return parts.join(', ') || 'none';
};

const itemText = (verb: string, item: PlanItem): string => {
  const when = item.backupTime ? ` ${item.backupTime.slice(0, 16).replace('T', ' ')}` : '';
  const run = item.runId ? ` run ${item.runId}` : '';
  const reason = item.reason.replace(/^(kept|delete): /, '');
  return `    ${verb.padEnd(6)} ${item.id}${when}${run} — ${reason}`;
};

/** `deferred` when the planner kept it only because of the deletion cap. */
const verbOf = (item: PlanItem): string => (item.reason.startsWith('kept: deferred') ? 'defer' : 'keep');

export function planText(report: RotationPlanReport): string {
  const lines = [
    `Rotation plan for policy ${report.policy} at ${report.at} (read-only: nothing was deleted)`,
  ];
  let deletes = 0;
  let keeps = 0;
  for (const region of report.regions) {
    lines.push(
      `${region.region} (${region.role}; retention ${ruleText(region.retention)}; at most ${report.maxDeletesPerRun} deletions per target and run)`,
    );
    if (region.targets.length === 0) lines.push('  no targets');
    for (const target of region.targets) {
      lines.push(`  ${target.target}: delete ${target.delete.length}, keep ${target.keep.length}`);
      for (const item of target.delete) lines.push(itemText('delete', item));
      for (const item of target.keep) lines.push(itemText(verbOf(item), item));
      if (target.deferredBackups > 0)
        lines.push(`    ${target.deferredBackups} backup(s) deferred to a later run by maxDeletesPerRun`);
      deletes += target.delete.length;
      keeps += target.keep.length;
    }
  }
  for (const n of report.notRotated) {
    lines.push(
      `not rotated: ${n.target} in ${n.region} (${n.images} AMI(s), ${n.snapshots} snapshot(s)) — no longer selected by the policy`,
    );
  }
  lines.push(
    `Total: delete ${deletes}, keep ${keeps}. Copy regions are rotated only after a copy succeeded there.`,
  );
  return lines.join('\n');
}
