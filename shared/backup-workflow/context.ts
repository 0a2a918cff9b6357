/** Small derivations from the run and target shared by the handlers. */
import { MANAGED_TAG_VALUE, type BackupTagContext, TAG_KEYS } from '../backup/tags.ts';
import type { Run, Target } from './state.ts';

/** Tag context of everything this run creates for this target. */
export function tagContext(run: Run, target: Target): BackupTagContext {
  return {
    policy: run.policy.name,
    target: target.id,
    runId: run.runId,
    createdAt: run.startedAt,
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
