import { deletedPerRegion, type Ec2State, ec2Findings } from './ec2-findings.ts';
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
  ec2: { regions: Ec2State };
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

interface SummaryInput {
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
}

const invalidationRows = (state: CloudState): RehearsalSummary['invalidations'] =>
  state.cloudfront.distributions.flatMap((d) =>
    d.invalidations.map((i) => ({
      distribution: d.id,
      id: i.id,
      status: i.status,
      paths: i.paths.length,
      sample: i.paths.slice(0, 6).map((p) => p.path),
    })),
  );

const nightRows = (nights: readonly NightResult[]): RehearsalSummary['nights'] =>
  nights.map((n) => ({
    night: n.night,
    execution: n.executionName,
    status: n.status,
    images: n.summary?.totals.images ?? 0,
    deleted: n.summary?.totals.deleted ?? 0,
    failures: [...(n.summary?.targets.flatMap((t) => t.failures) ?? []), ...(n.error ? [n.error] : [])],
  }));

/** The rehearsal passed: every night, restore test and drill step, invalidations made, nothing else touched. */
const passed = (s: Omit<RehearsalSummary, 'ok'>): boolean =>
  s.nights.length > 0 &&
  s.verifications.length > 0 &&
  s.verifications.every((v) => v.status === 'passed') &&
  s.drill.status === 'completed' &&
  s.drill.restored &&
  s.nights.every((n) => n.status === 'SUCCEEDED') &&
  s.invalidations.length > 0 &&
  s.untouched.unmanagedSnapshotPresent &&
  s.untouched.unselectedInstanceSnapshots === 0;

export const buildSummary = (input: SummaryInput): RehearsalSummary => {
  const { state } = input;
  const ec2 = ec2Findings(state.ec2.regions, input);
  const deleted = deletedPerRegion(input.nights.flatMap((n) => (n.summary ? [n.summary] : [])));
  const summary = {
    endpoint: input.endpoint,
    releases: input.releases,
    invalidations: invalidationRows(state),
    pathsBilled: state.cloudfront.billing.pathsBilled,
    fresh: input.fresh,
    budgets: input.budgets,
    nights: nightRows(input.nights),
    amisPerRegion: ec2.amisPerRegion,
    rotation: [...deleted].map(([region, n]) => ({
      region,
      deleted: n,
      keptBackups: ec2.keptBackups.get(region) ?? 0,
    })),
    untouched: ec2.untouched,
    lambda: input.lambda,
    verifications: input.verifications,
    drill: input.drill,
  };
  return { ...summary, ok: passed(summary) };
};
