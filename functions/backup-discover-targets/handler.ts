/**
 * DiscoverTargets: the trust boundary of the backup workflow. The execution input only
 * NAMES a deployed policy (`{ policy, dryRun?, targets? }`): the policy itself comes from the
 * packaged config, the run's instant from the service clock, the run id from the execution
 * name (`$$.Execution.Name`). It lists the targets — the policy's instance ids, the
 * running/stopped instances carrying all its tags (paged), its standalone volumes — and an
 * input `targets` may only narrow that selection. Then it records the run, create-only: a run
 * id recorded by another execution is refused (RunAlreadyRecorded), so a run id produces
 * backups once. Listed ids are not checked here: a missing one fails only its own target
 * (TargetNotFound at CreateSnapshots). A selection over `maxTargetsPerRun` fails the run
 * (TooManyTargets) before any create call; a dry run carries the figures to its summary.
 * The targets go to the results bucket (the Distributed Map's ItemReader reads them): the
 * parent's state holds their location and count, whatever the fleet's size.
 */
import * as z from 'zod';
import { backupFormOf } from '../../shared/backup/block-devices.ts';
import { InvalidBackupInput } from '../../shared/backup/errors.ts';
import { isValidExecutionName } from '../../shared/backup/naming.ts';
import { checkTargetCap, NOT_PLANNED_LISTED, type TargetSelection } from '../../shared/backup/target-cap.ts';
import { deployedPolicy } from '../../shared/backup-service/deployed-policies.ts';
import { type BackupDeps, tagRunLogs } from '../../shared/backup-service/deps.ts';
import { policyVersion } from '../../shared/backup-service/policy-version.ts';
import { type MapFiles, writeMapItems } from '../../shared/backup-service/run-files.ts';
import { recordRun } from '../../shared/backup-service/run-records.ts';
import type { Run, Target } from '../../shared/backup-service/state.ts';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import { type BackupPolicy, policyNameSchema } from '../../shared/config/policies.ts';
import { backupDeps, backupRunsResultsEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const STEP = 'discover-targets';

/** What whoever starts an execution may say: which deployed policy, a dry run, fewer targets. */
export const executionInputSchema = z
  .object({
    policy: z.unknown().superRefine((value, ctx) => {
      if (typeof value === 'object' && value !== null) {
        ctx.addIssue({
          code: 'custom',
          message:
            'a policy document is refused: name a deployed policy ({"policy": "<name>"}); the deployed config is the only authority',
        });
      } else if (!policyNameSchema.safeParse(value).success) {
        ctx.addIssue({ code: 'custom', message: 'expected the name of a deployed backup policy' });
      }
    }),
    /** Optional, and then it must be the execution name (the run id is the execution name). */
    runId: z.string().optional(),
    dryRun: z.boolean().optional(),
    /** Back up only these instance/volume ids of the policy's selection. */
    targets: z
      .array(z.string().regex(/^(i|vol)-[0-9a-f]{8,17}$/, 'expected an instance or volume id'))
      .min(1)
      .optional(),
  })
  .strict();

/** The Task's input: the execution input and the execution's identity (context object). */
const taskSchema = z
  .object({
    input: z.unknown(),
    execution: z
      .object({
        name: z.string().refine(isValidExecutionName, 'not a valid execution name'),
        id: z.string().min(1),
        startTime: z.string().min(1),
      })
      .strict(),
  })
  .strict();

/** Instances in these states are gone or going: never selected by tags. */
const GONE_STATES = new Set(['shutting-down', 'terminated']);

/**
 * The parent's state after discovery: the run, where the Distributed Map reads its targets
 * (one item each) and writes its results, and the counts — never the target list itself.
 */
export interface DiscoverOutput {
  run: Run;
  files: MapFiles;
  targetCount: number;
  selection: TargetSelection;
}

function instanceTarget(policy: BackupPolicy, id: string): Target {
  const options = policy.targets.instanceOptions?.[id];
  const target: Target = { id, kind: 'instance', form: backupFormOf({ kind: 'instance', ...options }) };
  if (options?.excludeBootVolume !== undefined) target.excludeBootVolume = options.excludeBootVolume;
  if (options?.excludeDataVolumeIds?.length) target.excludeDataVolumeIds = [...options.excludeDataVolumeIds];
  return target;
}

/** The policy's whole selection: listed instances, tagged live instances, listed volumes. */
async function selectionOf(deps: BackupDeps, policy: BackupPolicy): Promise<string[]> {
  const instanceIds = [...(policy.targets.instanceIds ?? [])];
  const tags = policy.targets.tags;
  if (tags !== undefined && Object.keys(tags).length > 0) {
    const tagged = await deps.ec2(policy.sourceRegion).describeInstances({
      tags: Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, [v]])),
    });
    instanceIds.push(
      ...tagged
        .filter((i) => !GONE_STATES.has(i.state))
        .map((i) => i.instanceId)
        .sort(),
    );
  }
  return [...new Set([...instanceIds, ...(policy.targets.volumeIds ?? [])])];
}

/** `targets` can only narrow: every id must be in the policy's selection. */
function narrowed(policy: BackupPolicy, selection: string[], wanted: string[] | undefined): string[] {
  if (wanted === undefined) return selection;
  const outside = wanted.filter((id) => !selection.includes(id));
  if (outside.length > 0)
    throw new InvalidBackupInput(
      `${STEP}: invalid input: targets: ${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not selected by policy ${policy.name} (its instanceIds, volumeIds or instances tagged ${JSON.stringify(policy.targets.tags ?? {})}): targets can only narrow the policy's selection`,
    );
  return [...new Set(wanted)];
}

const toTarget = (policy: BackupPolicy, id: string): Target =>
  id.startsWith('i-') ? instanceTarget(policy, id) : { id, kind: 'volume', form: 'snapshots-only' };

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<DiscoverOutput> => {
    const task = parseTaskInput(STEP, taskSchema, event);
    const runId = task.execution.name;
    tagRunLogs(deps.logger, { runId });
    const input = parseTaskInput(STEP, executionInputSchema, task.input);
    if (input.runId !== undefined && input.runId !== runId)
      throw new InvalidBackupInput(
        `${STEP}: invalid input: runId: "${input.runId}" is not this execution's name "${runId}" (the run id is the execution name)`,
      );
    const policy = deployedPolicy(STEP, deps.policies, input.policy as string);
    const dryRun = input.dryRun ?? false;
    const ids = narrowed(policy, await selectionOf(deps, policy), input.targets);
    const targets = ids.map((id) => toTarget(policy, id));
    const checked = checkTargetCap({
      policy: policy.name,
      found: targets.length,
      maxTargetsPerRun: policy.maxTargetsPerRun,
      dryRun,
    });
    // Only a dry run gets here over the cap: it plans up to the cap and lists the rest.
    const beyond = targets.splice(policy.maxTargetsPerRun);
    const selection: TargetSelection =
      beyond.length > 0
        ? { ...checked, notPlanned: beyond.slice(0, NOT_PLANNED_LISTED).map((t) => t.id) }
        : checked;

    const recorded = await recordRun(deps.runRecords, {
      policy: policy.name,
      runId,
      policyVersion: policyVersion(policy),
      startedAt: deps.now().toISOString(),
      dryRun,
      targets: targets.map((t) => t.id),
      execution: { id: task.execution.id, startTime: task.execution.startTime },
    });
    // A retried DiscoverTargets of this execution continues with what it first recorded.
    const run: Run = {
      policy,
      runId,
      policyVersion: recorded.policyVersion,
      dryRun: recorded.dryRun,
      startedAt: recorded.startedAt,
    };
    const runTargets = recorded.targets.map((id) => toTarget(policy, id));
    // Rewritten as first recorded on a retry: the items are the recorded targets.
    const files = await writeMapItems(deps.runFiles, { policy: policy.name, runId }, runTargets);
    deps.logger.info('targets discovered', {
      policy: policy.name,
      runId,
      policyVersion: run.policyVersion,
      dryRun: run.dryRun,
      targets: runTargets.length,
      items: `s3://${files.bucket}/${files.itemsKey}`,
      ...(selection.exceeded ? { overCap: selection } : {}),
    });
    return { run, files, targetCount: runTargets.length, selection };
  };
}

export const handler = lambdaHandler({
  name: 'backup-discover-targets',
  env: backupRunsResultsEnv,
  deps: backupDeps,
  handler: makeHandler,
});
