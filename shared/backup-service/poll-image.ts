/**
 * One poll of an AMI Wait-state loop (registered image or cross-region copy): the
 * domain's `evaluateImage` decides, this turns the decision into the next loop state or
 * the step's named error.
 */
import type { BackupErrorClass } from '../backup/errors.ts';
import { WaitAttemptsExhausted } from '../backup/errors.ts';
import { evaluateImage, type ImageStatus, parseProgress, type WaitPolicy } from '../backup/wait.ts';
import { secondsBetween } from './context.ts';
import type { Ec2Image, Ec2Reader } from './ports/ec2.ts';

export interface ImagePollState {
  imageId: string;
  attempt: number;
  startedAt: string;
  state: 'pending' | 'completed' | 'available';
  waitSeconds: number;
  completedAt?: string;
  progress?: number;
}

/**
 * The slowest backing snapshot's progress of a pending copy. A copy's AMI reports no
 * progress of its own; without this the loop can only back off blindly (up to
 * `maxSeconds` past the moment the copy completed).
 */
async function copyProgress(ec2: Ec2Reader, snapshotIds: readonly string[]): Promise<number | undefined> {
  if (snapshotIds.length === 0) return undefined;
  const snapshots = await ec2.describeSnapshots({ snapshotIds });
  const progresses = snapshots.map((s) => (s.state === 'completed' ? 100 : parseProgress(s.progress)));
  if (progresses.length !== snapshotIds.length || progresses.some((p) => p === undefined)) return undefined;
  return Math.min(...(progresses as number[]));
}

/**
 * One poll. `withSnapshotProgress` (copies) paces the next wait by the destination
 * snapshots' progress, at the price of one DescribeSnapshots per poll. `onReady` adds what
 * the caller reads off the available AMI to the returned state.
 */
export async function pollImage<T extends ImagePollState>(
  ec2: Ec2Reader,
  current: T,
  policy: WaitPolicy,
  failed: BackupErrorClass,
  now: Date,
  withSnapshotProgress = false,
  onReady: (image: Ec2Image) => Partial<T> = () => ({}),
): Promise<T> {
  const [image] = await ec2.describeImages({ imageIds: [current.imageId] });
  const progress =
    withSnapshotProgress && image?.state === 'pending'
      ? await copyProgress(ec2, image.snapshotIds)
      : undefined;
  const status: ImageStatus | undefined =
    image === undefined
      ? undefined
      : {
          imageId: image.imageId,
          state: image.state,
          ...(image.stateReason === undefined ? {} : { stateReason: image.stateReason }),
        };
  const attempt = current.attempt + 1;
  const decision = evaluateImage(
    status,
    { attempt, elapsedSeconds: secondsBetween(current.startedAt, now) },
    policy,
    progress,
  );
  switch (decision.status) {
    case 'failed':
      throw new failed(`${ec2.region}: ${decision.reason}`);
    case 'exhausted':
      throw new WaitAttemptsExhausted(`${ec2.region}: ${current.imageId} not available: ${decision.reason}`);
    case 'ready':
      return {
        ...current,
        ...(image === undefined ? {} : onReady(image)),
        state: 'available',
        attempt,
        waitSeconds: 0,
        completedAt: now.toISOString(),
      };
    case 'wait':
      return {
        ...current,
        state: 'pending',
        attempt,
        waitSeconds: decision.waitSeconds,
        ...(decision.progressPercent === undefined ? {} : { progress: decision.progressPercent }),
      };
  }
}
