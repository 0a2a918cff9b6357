/**
 * Ownership proof: which resources of an inventory rotation may treat as Shipyard's
 * backups. Tags alone prove nothing (anyone allowed `ec2:CreateTags` can copy them onto a
 * hand-made AMI or snapshot), so a resource tagged for this policy and target is ours only
 * when everything else Shipyard controls agrees with the tags:
 * - it names its run (`shipyard:run`), and, given `recordedRunIds`, a run Shipyard
 *   recorded durably (the current run always counts: it is the caller);
 * - its `shipyard:created-at` is a valid instant not after `now`, and AWS's own creation
 *   time (`CreationDate` / `StartTime`) is not before it (minus {@link CLOCK_SKEW_MS}) and,
 *   given `recordedRunIds`, not more than {@link CREATED_AT_WINDOW_MS} after it;
 * - an AMI carries the name Shipyard gives that run's AMI ({@link imageName}; copies reuse
 *   the source name);
 * - a snapshot, given `sourceVolumeIds` (source region), was taken of one of them; copies
 *   (whose volume id AWS leaves arbitrary) and, given `recordedRunIds`, any snapshot not
 *   proven by its volume are proven through an AMI of ours of the same run that uses it.
 * Anything else is "not ours, left alone": never deleted, never counted as a backup.
 */
import type { ImageRecord, SnapshotRecord } from './inventory.ts';
import { imageName } from './naming.ts';
import { isManagedBy, TAG_KEYS } from './tags.ts';
import { COPY_WAIT, IMAGE_WAIT, SNAPSHOT_WAIT } from './wait.ts';

const DAY_MS = 86_400_000;

/**
 * How far AWS's creation time may precede the `shipyard:created-at` it carries. The tag is
 * the execution's start (Step Functions), the times are EC2's: both AWS clocks, so a few
 * minutes covers any skew. [unconfirmed]: AWS documents no bound on clock skew between services.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * How long after its `shipyard:created-at` a resource of ours may have been created: the
 * longest run the wait policies allow (snapshots 12 h + AMI 2 h + copy 12 h = 26 h) with
 * room for throttling, copy-concurrency waits and retries. Later resources are left alone
 * (a leak an operator sees in the report, never a wrong deletion).
 */
export const CREATED_AT_WINDOW_MS = 3 * DAY_MS;

/** The longest run the wait policies allow, which {@link CREATED_AT_WINDOW_MS} must exceed. */
export const LONGEST_RUN_MS =
  (SNAPSHOT_WAIT.maxElapsedSeconds + IMAGE_WAIT.maxElapsedSeconds + COPY_WAIT.maxElapsedSeconds) * 1000;

/** What ownership is judged against. */
export interface OwnershipContext {
  policy: string;
  target: string;
  /** The current run (counted as recorded: it is the caller). */
  runId: string;
  nowMs: number;
  /** Run ids Shipyard recorded durably; omitted: any run tag counts (the pre-record behaviour). */
  recordedRunIds?: readonly string[] | undefined;
  /** The target's volumes, given in the source region only. */
  sourceVolumeIds?: readonly string[] | undefined;
  /** Ids the current run created (from its own state, not from tags). */
  protectedIds?: readonly string[] | undefined;
}

/** A resource rotation leaves alone, and why (one line). */
interface Disowned {
  resource: 'image' | 'snapshot';
  id: string;
  reason: string;
}

export interface OwnershipSort {
  /** Live resources proven ours. */
  images: ImageRecord[];
  snapshots: SnapshotRecord[];
  /** Not tagged for this policy and target, or already deregistered. */
  ignored: Disowned[];
  /** Tagged for this policy and target, but not provably Shipyard's. */
  notOurs: Disowned[];
}

/** Why the run and time claims of a resource do not hold (undefined: they hold). */
function claimProblem(id: string, tags: Record<string, string>, awsTime: string, ctx: OwnershipContext) {
  const runId = tags[TAG_KEYS.run];
  if (runId === undefined || runId === '') return 'no shipyard:run tag';
  if (ctx.recordedRunIds !== undefined && runId !== ctx.runId && !ctx.recordedRunIds.includes(runId)) {
    return `run ${runId} is not a recorded Shipyard run`;
  }
  const claimed = Date.parse(tags[TAG_KEYS.createdAt] ?? '');
  if (Number.isNaN(claimed)) return 'no valid shipyard:created-at tag';
  if (claimed > ctx.nowMs) return `shipyard:created-at ${tags[TAG_KEYS.createdAt]} is in the future`;
  const actual = Date.parse(awsTime);
  if (actual < claimed - CLOCK_SKEW_MS) {
    return `created at ${awsTime}, before its shipyard:created-at ${tags[TAG_KEYS.createdAt]}`;
  }
  // What the current run created itself (ids from its own state) may land long after its
  // instant when the simulated or real copies are slow; every other resource must fit the window.
  const madeByThisRun = runId === ctx.runId && ctx.protectedIds?.includes(id) === true;
  if (ctx.recordedRunIds !== undefined && !madeByThisRun && actual > claimed + CREATED_AT_WINDOW_MS) {
    return `created at ${awsTime}, over ${CREATED_AT_WINDOW_MS / DAY_MS} days after its shipyard:created-at`;
  }
  return undefined;
}

function imageProblem(image: ImageRecord, ctx: OwnershipContext): string | undefined {
  const claim = claimProblem(image.imageId, image.tags, image.creationDate, ctx);
  if (claim !== undefined) return claim;
  const expected = imageName({
    policy: ctx.policy,
    target: ctx.target,
    runId: image.tags[TAG_KEYS.run] ?? '',
  });
  return image.name === expected ? undefined : `name ${image.name ?? '(none)'} is not ${expected}`;
}

/** "Snapshot used by an AMI of run": one key per pair, so the AMI listing order never matters. */
const useKey = (snapshotId: string, runId: string): string => JSON.stringify([snapshotId, runId]);
const usesOf = (images: readonly ImageRecord[]): Set<string> =>
  new Set(images.flatMap((i) => i.snapshotIds.map((id) => useKey(id, i.tags[TAG_KEYS.run] ?? ''))));

/** Whether the snapshot is proven by its source volume or by an AMI of ours of its run. */
function snapshotProofProblem(
  snapshot: SnapshotRecord,
  ctx: OwnershipContext,
  usedByOurImage: ReadonlySet<string>,
): string | undefined {
  const provenByImage = usedByOurImage.has(useKey(snapshot.snapshotId, snapshot.tags[TAG_KEYS.run] ?? ''));
  if (ctx.sourceVolumeIds !== undefined) {
    const volume = snapshot.volumeId;
    if (provenByImage || (volume !== undefined && ctx.sourceVolumeIds.includes(volume))) return undefined;
    return `volume ${volume ?? '(none)'} is not one of the target's`;
  }
  if (ctx.recordedRunIds !== undefined && !provenByImage) return 'not used by an AMI of ours of its run';
  return undefined;
}

/**
 * One run has one backup instant: its first resource (by AWS's creation time) states it,
 * and a resource of the run claiming another instant was not made by that run. Returns
 * the ids that dissent, with the instant their run claims.
 */
function dissenters(resources: readonly { id: string; tags: Record<string, string>; awsTime: string }[]) {
  const first = new Map<string, { at: number; id: string; claim: string }>();
  for (const r of resources) {
    const run = r.tags[TAG_KEYS.run] ?? '';
    const at = Date.parse(r.awsTime);
    const seen = first.get(run);
    if (seen === undefined || at < seen.at || (at === seen.at && r.id < seen.id)) {
      first.set(run, { at, id: r.id, claim: r.tags[TAG_KEYS.createdAt] ?? '' });
    }
  }
  const out = new Map<string, string>();
  for (const r of resources) {
    const runClaim = first.get(r.tags[TAG_KEYS.run] ?? '')?.claim ?? '';
    if (Date.parse(r.tags[TAG_KEYS.createdAt] ?? '') !== Date.parse(runClaim)) out.set(r.id, runClaim);
  }
  return out;
}

/**
 * Sorts an inventory into what is provably ours, what is not for this policy and target,
 * and what carries our tags but is not ours.
 *
 * @example
 * sortByOwnership({ images, snapshots }, { policy: 'nightly', target: 'i-1', runId: 'nightly-2026-11-20',
 *   nowMs: Date.parse('2026-11-20T02:00:00Z'), recordedRunIds: ['nightly-2026-11-19'] });
 * // { images: [ami of nightly-2026-11-19], snapshots: [...], ignored: [], notOurs: [{ id: 'ami-forged',
 * //   resource: 'image', reason: 'not ours, left alone: shipyard:created-at 2027-01-01T00:00:00Z is in the future' }] }
 */
export function sortByOwnership(
  inventory: { images: readonly ImageRecord[]; snapshots: readonly SnapshotRecord[] },
  ctx: OwnershipContext,
): OwnershipSort {
  const out: OwnershipSort = { images: [], snapshots: [], ignored: [], notOurs: [] };
  const notTagged = `ignored: not tagged as Shipyard's for policy ${ctx.policy} and target ${ctx.target}`;
  const disown = (resource: Disowned['resource'], id: string, problem: string) =>
    out.notOurs.push({ resource, id, reason: `not ours, left alone: ${problem}` });
  const images: ImageRecord[] = [];
  for (const image of inventory.images) {
    const id = image.imageId;
    if (!isManagedBy(image.tags, ctx.policy, ctx.target))
      out.ignored.push({ resource: 'image', id, reason: notTagged });
    else if (image.state === 'deregistered') {
      out.ignored.push({ resource: 'image', id, reason: 'ignored: already deregistered' });
    } else {
      const problem = imageProblem(image, ctx);
      if (problem === undefined) images.push(image);
      else disown('image', id, problem);
    }
  }
  const snapshots: SnapshotRecord[] = [];
  for (const snapshot of inventory.snapshots) {
    const id = snapshot.snapshotId;
    const problem = claimProblem(snapshot.snapshotId, snapshot.tags, snapshot.startTime, ctx);
    if (!isManagedBy(snapshot.tags, ctx.policy, ctx.target)) {
      out.ignored.push({ resource: 'snapshot', id, reason: notTagged });
    } else if (problem === undefined) snapshots.push(snapshot);
    else disown('snapshot', id, problem);
  }
  // The run's instant is stated by its first resource among those proven on their own.
  const usedByAlone = usesOf(images);
  const dissent = dissenters([
    ...images.map((i) => ({ id: i.imageId, tags: i.tags, awsTime: i.creationDate })),
    ...snapshots
      .filter((s) => snapshotProofProblem(s, ctx, usedByAlone) === undefined)
      .map((s) => ({ id: s.snapshotId, tags: s.tags, awsTime: s.startTime })),
  ]);
  const dissentReason = (id: string) => `claims another instant than its run (${dissent.get(id)})`;
  for (const image of images) {
    if (dissent.has(image.imageId)) disown('image', image.imageId, dissentReason(image.imageId));
    else out.images.push(image);
  }
  const usedByOurImage = usesOf(out.images);
  for (const snapshot of snapshots) {
    const id = snapshot.snapshotId;
    const problem = dissent.has(id) ? dissentReason(id) : snapshotProofProblem(snapshot, ctx, usedByOurImage);
    if (problem === undefined) out.snapshots.push(snapshot);
    else disown('snapshot', id, problem);
  }
  return out;
}
