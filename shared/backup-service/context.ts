/** Small derivations from the run and target shared by the handlers. */
import { type BackupTagContext, MANAGED_TAG_VALUE, TAG_KEYS } from '../backup/tags.ts';
import type { Run, Target } from './state.ts';

/**
 * Tag context of everything this run creates for this target. `createdAt` is the backup's
 * instant as first recorded (a re-run of the same run id keeps it, so a CopyImage retried
 * with the same ClientToken sends the same parameters).
 */
export function tagContext(run: Run, target: Target, createdAt: string = run.startedAt): BackupTagContext {
  return {
    policy: run.policy.name,
    target: target.id,
    runId: run.runId,
    createdAt,
    sourceRegion: run.policy.sourceRegion,
  };
}

/** Tag filters selecting Shipyard's resources of this policy and target (optionally one run). */
export function managedTagQuery(run: Run, target: Target, onlyThisRun = false): Record<string, string[]> {
  const tags: Record<string, string[]> = {
    [TAG_KEYS.managed]: [MANAGED_TAG_VALUE],
    [TAG_KEYS.policy]: [run.policy.name],
    [TAG_KEYS.target]: [target.id],
  };
  if (onlyThisRun) tags[TAG_KEYS.run] = [run.runId];
  return tags;
}

/** Whole seconds between two instants (never negative). */
export const secondsBetween = (fromIso: string, to: Date): number =>
  Math.max(0, Math.floor((to.getTime() - Date.parse(fromIso)) / 1000));
