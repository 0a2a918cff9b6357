/**
 * One look at what a backup step waits for (a snapshot set, a registered AMI, a cross-region
 * copy): the check a waiting Task makes right after parking its task token, and the one the
 * EC2/EBS event handler makes before resuming it (an event is a wake-up hint; EC2's answer is
 * the truth). Returns the step's next state (`pending` while not done) or throws the step's
 * named error (SnapshotFailed, ImageRegistrationFailed, ImageCopyFailed).
 */
import {
  ImageCopyFailed,
  ImageRegistrationFailed,
  SnapshotFailed,
  SnapshotNotReady,
  WaitAttemptsExhausted,
} from '../backup/errors.ts';
import { COPY_WAIT, evaluateSnapshots, IMAGE_WAIT, type SnapshotStatus } from '../backup/wait.ts';
import { secondsBetween } from './context.ts';
import { type BackupDeps, BackupMetric } from './deps.ts';
import { verifyAvailableImage } from './make-image.ts';
import { pollImage } from './poll-image.ts';
import { requireStep } from './require.ts';
import type { CopyState, ImageState, SnapshotSet } from './state.ts';
import { copyTaskSchema, targetTaskSchema } from './state.ts';
import { parseTaskInput } from './task-input.ts';

/** The snapshot set of `{ run, backup }`: `completed`, still `pending`, or SnapshotFailed. */
export async function checkSnapshots(deps: BackupDeps, event: unknown): Promise<SnapshotSet> {
  const { backup } = parseTaskInput('check-snapshots', targetTaskSchema, event);
  const set = requireStep('check-snapshots', 'backup.snapshots', backup.snapshots);
  const ids = set.snapshots.map((s) => s.snapshotId);
  const found = new Map(
    (await deps.ec2(set.region).describeSnapshots({ snapshotIds: ids })).map((s) => [s.snapshotId, s]),
  );
  // Just created and not listed yet (EC2 is eventually consistent): the Retry comes back.
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0)
    throw new SnapshotNotReady(`${missing.join(', ')} not visible yet in ${set.region}`);
  const statuses: SnapshotStatus[] = ids.flatMap((id) => {
    const s = found.get(id);
    if (s === undefined) return [];
    const status: SnapshotStatus = { snapshotId: id, state: s.state };
    if (s.progress !== undefined) status.progress = s.progress;
    if (s.stateMessage !== undefined) status.stateMessage = s.stateMessage;
    return [status];
  });
  const now = deps.now();
  const attempt = set.attempt + 1;
  const decision = evaluateSnapshots(statuses, {
    attempt,
    elapsedSeconds: secondsBetween(set.startedAt, now),
  });
  const { progress: _previous, ...rest } = set;
  switch (decision.status) {
    case 'failed':
      throw new SnapshotFailed(`${backup.target.id}: ${decision.reason}`);
    case 'exhausted':
      throw new WaitAttemptsExhausted(`${backup.target.id}: snapshots not completed: ${decision.reason}`);
    case 'ready':
      return {
        ...rest,
        state: 'completed',
        attempt,
        waitSeconds: 0,
        completedAt: now.toISOString(),
        snapshots: set.snapshots.map((s) => ({
          ...s,
          sizeGiB: found.get(s.snapshotId)?.volumeSizeGiB ?? s.sizeGiB,
        })),
      };
    case 'wait':
      return {
        ...rest,
        state: 'pending',
        attempt,
        waitSeconds: decision.waitSeconds,
        ...(decision.progressPercent === undefined ? {} : { progress: decision.progressPercent }),
      };
  }
}

/**
 * The registered (or created) AMI of `{ run, backup }`: `available` (with its snapshots and
 * Marketplace code, `rejected` when its billing differs from the instance's), still
 * `pending`, or ImageRegistrationFailed.
 */
export async function checkImage(deps: BackupDeps, event: unknown): Promise<ImageState> {
  const { backup } = parseTaskInput('check-image', targetTaskSchema, event);
  const image = requireStep('check-image', 'backup.image', backup.image);
  return pollImage(
    deps.ec2(image.region),
    image,
    IMAGE_WAIT,
    ImageRegistrationFailed,
    deps.now(),
    false,
    (ami) => verifyAvailableImage(image, ami),
  );
}

/** The copy of `{ run, target, source, copy }` in its destination region: `available`, `pending`, or ImageCopyFailed. */
export async function checkCopy(deps: BackupDeps, event: unknown): Promise<CopyState> {
  const { copy } = parseTaskInput('check-copy', copyTaskSchema, event);
  const imageId = requireStep('check-copy', 'copy.imageId', copy.imageId);
  const poll = {
    imageId,
    attempt: requireStep('check-copy', 'copy.attempt', copy.attempt),
    startedAt: requireStep('check-copy', 'copy.startedAt', copy.startedAt),
    state: requireStep('check-copy', 'copy.state', copy.state),
    waitSeconds: requireStep('check-copy', 'copy.waitSeconds', copy.waitSeconds),
  };
  const next = await pollImage(deps.ec2(copy.region), poll, COPY_WAIT, ImageCopyFailed, deps.now());
  if (deps.metrics && next.state === 'available') {
    // Seen available at this check: exact to within the event's delivery (or one fallback round).
    const seconds = (deps.now().getTime() - Date.parse(poll.startedAt)) / 1000;
    deps.metrics.record(BackupMetric.CopyDuration, 'Seconds', Math.max(0, seconds), { region: copy.region });
    deps.metrics.flush();
  }
  return { ...copy, ...next };
}
