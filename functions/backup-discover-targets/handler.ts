/**
 * DiscoverTargets: validates the execution input (the policy from the config, the run id,
 * dryRun, the scheduled time, an optional target override) and lists the targets: the
 * policy's instance ids, the running/stopped instances carrying all its tags (paged), and
 * its standalone volumes. Listed ids are not checked here: a missing one fails only its own
 * target (TargetNotFound at CreateSnapshots) while the others are backed up. A selection
 * over the policy's `maxTargetsPerRun` fails the run here (TooManyTargets), before any
 * create call; a dry run carries the figures to its summary instead.
 */
import { z } from 'zod';
import { backupFormOf } from '../../shared/backup/block-devices.ts';
import { isValidExecutionName } from '../../shared/backup/naming.ts';
import { checkTargetCap, type TargetSelection } from '../../shared/backup/target-cap.ts';
import { type BackupDeps, defaultBackupDeps, tagRunLogs } from '../../shared/backup-workflow/deps.ts';
import type { Run, Target } from '../../shared/backup-workflow/state.ts';
import { parseTaskInput } from '../../shared/backup-workflow/task-input.ts';
import { type BackupPolicy, backupPolicySchema } from '../../shared/config/policies.ts';

const inputSchema = z
  .object({
    policy: backupPolicySchema,
    runId: z.string().refine(isValidExecutionName, 'not a valid execution name'),
    dryRun: z.boolean().optional(),
    /** ISO instant; the schedule passes `<aws.scheduler.scheduled-time>`. */
    now: z.iso.datetime({ offset: true }).optional(),
    /** Back up only these instance/volume ids (on-demand runs). */
    targets: z
      .array(z.string().regex(/^(i|vol)-[0-9a-f]{8,17}$/, 'expected an instance or volume id'))
      .min(1)
      .optional(),
  })
  .strict();

/** Instances in these states are gone or going: never selected by tags. */
const GONE_STATES = new Set(['shutting-down', 'terminated']);

export interface DiscoverOutput {
  run: Run;
  targets: Target[];
  selection: TargetSelection;
}

function instanceTarget(policy: BackupPolicy, id: string): Target {
  const options = policy.targets.instanceOptions?.[id];
  const target: Target = { id, kind: 'instance', form: backupFormOf({ kind: 'instance', ...options }) };
  if (options?.excludeBootVolume !== undefined) target.excludeBootVolume = options.excludeBootVolume;
  if (options?.excludeDataVolumeIds?.length) target.excludeDataVolumeIds = [...options.excludeDataVolumeIds];
  return target;
}

export function makeHandler(deps: BackupDeps) {
  return async (event: unknown): Promise<DiscoverOutput> => {
    tagRunLogs(deps.logger, event);
    const input = parseTaskInput('discover-targets', inputSchema, event);
    const { policy } = input;
    const run: Run = {
      policy,
      runId: input.runId,
      dryRun: input.dryRun ?? false,
      startedAt: input.now ?? deps.now().toISOString(),
    };
    let instanceIds: string[];
    let volumeIds: string[];
    if (input.targets !== undefined) {
      instanceIds = input.targets.filter((id) => id.startsWith('i-'));
      volumeIds = input.targets.filter((id) => id.startsWith('vol-'));
    } else {
      instanceIds = [...(policy.targets.instanceIds ?? [])];
      volumeIds = [...(policy.targets.volumeIds ?? [])];
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
    }
    const targets = [
      ...[...new Set(instanceIds)].map((id) => instanceTarget(policy, id)),
      ...[...new Set(volumeIds)].map((id): Target => ({ id, kind: 'volume', form: 'snapshots-only' })),
    ];
    const checked = checkTargetCap({
      policy: policy.name,
      found: targets.length,
      maxTargetsPerRun: policy.maxTargetsPerRun,
      dryRun: run.dryRun,
    });
    // Only a dry run gets here over the cap: it plans up to the cap and lists the rest.
    const beyond = targets.splice(policy.maxTargetsPerRun);
    const selection: TargetSelection =
      beyond.length > 0 ? { ...checked, notPlanned: beyond.map((t) => t.id) } : checked;
    deps.logger.info('targets discovered', {
      policy: policy.name,
      runId: run.runId,
      dryRun: run.dryRun,
      targets: targets.map((t) => t.id),
      ...(selection.exceeded ? { overCap: selection } : {}),
    });
    return { run, targets, selection };
  };
}

export const handler = makeHandler(defaultBackupDeps('backup-discover-targets'));
