/**
 * Event-driven waits. A step that starts something EC2 finishes later (CreateSnapshots,
 * RegisterImage / CreateImage, CopyImage) runs as a `.waitForTaskToken` Task: it PARKS its
 * token under the awaited resource (snapshot set or AMI, in its region), then checks once
 * right away — the event may already have passed, so no wake-up is lost. The EBS / AMI
 * EventBridge events RESUME it: the handler finds the parked token by resource id, checks
 * EC2 (the event is a hint, EC2's answer is the truth) and sends SendTaskSuccess with the
 * step's done state, or SendTaskFailure with its named error. A duplicate event or one for a
 * resource nobody waits for changes nothing. Events are best effort: the Task's
 * TimeoutSeconds ends a wait no event ended, and its Retry runs the idempotent step again —
 * one check, one more wait — a bounded number of times (statemachines/backup.asl.yaml).
 */

import type { AwaitedEvent } from '../backup/ec2-events.ts';
import { BackupError, isTransientBackupError } from '../backup/errors.ts';
import { ConfigError } from '../config/errors.ts';
import type { BackupDeps } from './deps.ts';
import type { EventWaits, ParkedWait } from './ports/event-waits.ts';

export type WaitKind = ParkedWait['kind'];
/** A step's check (shared/backup-service/checks.ts): its next state, or its named error. */
export type WaitCheck = (input: unknown) => Promise<{ state?: string }>;

/** The field of a `.waitForTaskToken` Task's Payload that carries `$$.Task.Token`. */
const TASK_TOKEN_FIELD = 'taskToken';

/** A Task's input without its token (the step's schema rejects unknown keys), and the token. */
export function splitTaskToken(event: unknown): { token?: string; input: unknown } {
  if (typeof event !== 'object' || event === null || !(TASK_TOKEN_FIELD in event)) return { input: event };
  const { [TASK_TOKEN_FIELD]: token, ...input } = event as Record<string, unknown>;
  return typeof token === 'string' && token !== '' ? { token, input } : { input };
}

const isDone = (kind: WaitKind, output: { state?: string }): boolean =>
  output.state === (kind === 'snapshots' ? 'completed' : 'available');

/**
 * Checks once and hands the outcome to the token: success with the done state, failure with a
 * terminal named error; `waiting` while EC2 says pending or answers with a transient error
 * (the fallback comes back).
 */
async function settle(
  waits: EventWaits,
  wait: ParkedWait,
  check: WaitCheck,
): Promise<'sent' | 'gone' | 'waiting'> {
  let output: { state?: string };
  try {
    output = await check(wait.input);
  } catch (error) {
    if (isTransientBackupError(error)) return 'waiting';
    if (error instanceof BackupError) return waits.callbacks.fail(wait.token, error.name, error.message);
    throw error;
  }
  return isDone(wait.kind, output) ? waits.callbacks.succeed(wait.token, output) : 'waiting';
}

export const requireWaits = (deps: BackupDeps): EventWaits => {
  if (deps.waits !== undefined) return deps.waits;
  throw new ConfigError('environment', [
    {
      path: 'SHIPYARD_BACKUP_RESULTS_BUCKET',
      message: 'a waiting step needs the results bucket (its waits)',
    },
  ]);
};

/**
 * Parks `token` under `resourceId` in `region`, then checks once. Returns `waiting` when the
 * Task now waits for an event (or its timeout), else how the token was settled.
 */
export async function parkWait(
  deps: BackupDeps,
  token: string,
  at: { kind: WaitKind; region: string; resourceId: string; input: unknown },
  check: WaitCheck,
): Promise<'sent' | 'gone' | 'waiting'> {
  const waits = requireWaits(deps);
  const wait: ParkedWait = { token, kind: at.kind, input: at.input, parkedAt: deps.now().toISOString() };
  await waits.store.put(at.region, at.resourceId, wait);
  const outcome = await settle(waits, wait, check);
  if (outcome !== 'waiting') await removeParked(deps, waits, at.region, at.resourceId);
  return outcome;
}

/**
 * Removes a wait whose token was handed back. Best effort: the Task already resumed (failing
 * the step now would contradict it) and the bucket's lifecycle rule expires what is left.
 */
async function removeParked(deps: BackupDeps, waits: EventWaits, region: string, resourceId: string) {
  try {
    await waits.store.delete(region, resourceId);
  } catch (error) {
    deps.logger.warn('a resumed wait was not removed (the lifecycle rule expires it)', {
      region,
      resourceId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

export interface ResumeReport {
  /** Tokens handed back (success or failure). */
  resumed: number;
  /** Parked waits EC2 does not call done yet (the event ran ahead of DescribeImages, say). */
  waiting: number;
  /** Tokens whose Task no longer waited (a duplicate event, a fallback already taken). */
  gone: number;
  /** Resources nobody waits for (not Shipyard's, or already resumed). */
  unknown: number;
}

/**
 * Resumes whatever waits for the resources of `event`. A token Step Functions no longer knows
 * is left where it is (the Task may have parked a newer one under the same key meanwhile);
 * the bucket's lifecycle rule expires it.
 */
export async function resumeWaits(
  deps: BackupDeps,
  event: AwaitedEvent,
  checks: Record<WaitKind, WaitCheck>,
): Promise<ResumeReport> {
  const waits = requireWaits(deps);
  const report: ResumeReport = { resumed: 0, waiting: 0, gone: 0, unknown: 0 };
  for (const { region, id: resourceId } of event.resources) {
    const wait = await waits.store.get(region, resourceId);
    if (wait === undefined) {
      report.unknown += 1;
      continue;
    }
    const outcome = await settle(waits, wait, checks[wait.kind]);
    if (outcome === 'sent') {
      await removeParked(deps, waits, region, resourceId);
      report.resumed += 1;
    } else report[outcome] += 1;
  }
  return report;
}
