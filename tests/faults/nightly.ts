/**
 * One night of the real backup workflow (tests/helpers/backup-workflow.ts) followed by the
 * matrix's common property checks. Scenarios call `night` for every run they make.
 */
import type { RunningLocalCloud } from '@shipyard/local-cloud';
import type { RunSummary } from '../../shared/backup/summary.ts';
import type { BackupPolicy } from '../../shared/config/policies.ts';
import { localRunFiles } from '../helpers/backup-deps.ts';
import type { WorkflowExecution, WorkflowRun } from '../helpers/backup-workflow.ts';
import type { Ledger } from './ledger.ts';
import {
  BILLED_ONCE,
  checkBilledOnce,
  checkDefinedEnd,
  checkRestorable,
  foreignFingerprint,
  RESTORABLE,
  type RunOutcome,
  UNTOUCHED,
} from './properties.ts';

const ONE_PER_RUN = 'at most one AMI per target, run and region';

interface Workflow {
  run(execution: WorkflowExecution, options?: { redrive?: boolean }): Promise<WorkflowRun>;
}

/** The run's outcome; a summary that left targets out of the state is read whole from the results bucket. */
const outcomeOf = async (result: WorkflowRun, local: RunningLocalCloud): Promise<RunOutcome> => {
  const inState =
    result.status === 'succeeded'
      ? (result.output as RunSummary)
      : (result.lastOutput.Summarize as { summary: RunSummary } | undefined)?.summary;
  const summary =
    inState?.targetsOmitted && inState.document
      ? ((await localRunFiles(() => local).getJson(inState.document)) as RunSummary)
      : inState;
  return { status: result.status, error: result.error, cause: result.cause, summary };
};

interface StateImages {
  ec2: { regions: Record<string, { images: { tags: Record<string, string> }[] }> };
}

/** No target has two AMIs of the same run in one region (a retried or re-driven step made no duplicate). */
export async function checkOnePerRun(
  ledger: Ledger,
  local: RunningLocalCloud,
  policy: string,
): Promise<void> {
  const state = await local.control.state<StateImages>();
  for (const [region, { images }] of Object.entries(state.ec2.regions)) {
    const seen = new Map<string, number>();
    for (const i of images) {
      if (i.tags['shipyard:policy'] !== policy) continue;
      const key = `${i.tags['shipyard:target']}|${i.tags['shipyard:run']}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const twice = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
    ledger.check(ONE_PER_RUN, twice.length === 0, `${region}: ${twice.join(', ')}`);
  }
}

export interface NightInput {
  ledger: Ledger;
  local: RunningLocalCloud;
  workflow: Workflow;
  policy: BackupPolicy;
  runId: string;
  /** ISO instant of the run: the clock is moved there first (the run's instant is the service clock). */
  at?: string;
  /** The same execution again (Step Functions' RedriveExecution), not a new one with the same name. */
  redrive?: boolean;
  targets: readonly string[];
  regions: readonly string[];
  /** Foreign resources' fingerprint taken before the first run. */
  foreign: string;
  more?: Record<string, unknown>;
}

/** Runs one night and checks the common properties; returns the outcome for scenario-specific checks. */
export async function night(input: NightInput): Promise<RunOutcome> {
  const { ledger, local, workflow, policy, runId, targets, regions } = input;
  if (input.at !== undefined && Date.parse(input.at) > local.cloud.now())
    await local.control.advance({ to: input.at });
  const result = await workflow.run(
    { name: runId, input: { policy: policy.name, ...input.more }, policies: [policy] },
    { redrive: input.redrive === true },
  );
  ledger.ran();
  const outcome = await outcomeOf(result, local);
  checkDefinedEnd(ledger, outcome, targets, runId);
  const succeeded =
    outcome.status === 'succeeded'
      ? targets
      : targets.filter((t) => outcome.summary?.targets.find((s) => s.target === t)?.status === 'succeeded');
  await checkRestorable(ledger, local.control, policy.name, succeeded, regions, runId);
  ledger.check(UNTOUCHED, (await foreignFingerprint(local.control, policy.name)) === input.foreign, runId);
  await checkBilledOnce(ledger, local.control, runId);
  await checkOnePerRun(ledger, local, policy.name);
  return outcome;
}

export const COMMON_PROPERTIES = [
  `${RESTORABLE} (after every run, for every target it backed up)`,
  UNTOUCHED,
  BILLED_ONCE,
  'defined end state with a summary naming every target and failure',
  ONE_PER_RUN,
] as const;
