import type { LocalCloud } from '../../cloud.ts';
import { waitForSimulatedTime } from '../../sim-wait.ts';
import { publishServiceEvent } from '../eventbridge/service.ts';
import type { Ec2Context } from './context.ts';
import { imageView, type SnapshotView, snapshotView } from './lifecycle.ts';
import type { ImageRecord, SnapshotRecord } from './records.ts';
import { type Ec2Store, ec2Store, type RegionState } from './store.ts';

/**
 * The EventBridge events EC2 sends to the default bus of the resource's region when
 * snapshots and AMIs reach a final state. Shapes:
 * - `EBS Snapshot Notification` (createSnapshot, copySnapshot) and `EBS Multi-Volume
 *   Snapshots Completion Status` (createSnapshots): EC2 User Guide, "EventBridge for Amazon
 *   EBS" (ebs-cloud-watch-events), snapshot events.
 * - `EC2 AMI State Change` (`available`, `failed`, `deregistered`): EC2 User Guide,
 *   "Monitor AMI events using Amazon EventBridge" (monitor-ami-events); detail
 *   `{ImageId, State}` there, plus `RequestId` and `ErrorMessage` [unconfirmed].
 * AWS generates them "on a best effort basis": a fault rule `{service: 'ec2-events'}`
 * (action = the detail-type; probability, firstN, seeded as every fault) drops them.
 */
export const EVENT_FAULT_SERVICE = 'ec2-events';

/** The next re-check when a resource is past its planned settle time but still pending. */
const RECHECK_MS = 60_000;

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const ec2Arn = (region: string, type: string, id: string) => `arn:aws:ec2:${region}::${type}/${id}`;

/** Ends every pending watch when the EC2 state is dropped (reset, close). */
const watchesEnded = new WeakMap<Ec2Store, AbortController>();
const endedSignal = (cloud: LocalCloud): AbortSignal => {
  const store = ec2Store(cloud);
  let controller = watchesEnded.get(store);
  if (!controller) {
    const created = new AbortController();
    controller = created;
    watchesEnded.set(store, created);
    cloud.onDispose(() => created.abort());
  }
  return controller.signal;
};

const emit = (cloud: LocalCloud, region: string, detailType: string, resources: string[], detail: object) => {
  if (cloud.faults.decide(EVENT_FAULT_SERVICE, detailType, region).error) {
    cloud.counters.add('ec2.eventsDropped');
    return;
  }
  cloud.counters.add('ec2.events');
  publishServiceEvent(cloud, region, { source: 'aws.ec2', detailType, detail, resources });
};

/**
 * Calls `settled` once `check` reports a final state, re-checking on the simulated clock
 * at the time `check` plans (resource states are derived from the clock, never pushed).
 */
const whenSettled = <T>(
  cloud: LocalCloud,
  check: () => { done: T } | { at: number },
  settled: (done: T) => void,
) => {
  const ended = endedSignal(cloud);
  void (async () => {
    for (;;) {
      const next = check();
      if ('done' in next) return settled(next.done);
      const at = next.at > cloud.now() ? next.at : cloud.now() + RECHECK_MS;
      await waitForSimulatedTime(cloud, at, ended);
      if (ended.aborted) return;
    }
  })();
};

const snapshotSettleAt = (s: SnapshotRecord): number =>
  Math.min((s.group?.failure ?? s.failure)?.at ?? Number.POSITIVE_INFINITY, s.startTime + s.durationMs);

const snapshotState = (cloud: LocalCloud, state: RegionState, s: SnapshotRecord) => {
  if (!state.snapshots.has(s.id)) return { done: undefined };
  const view = snapshotView(s, cloud.now());
  return view.state === 'pending' ? { at: snapshotSettleAt(s) } : { done: view };
};

/** `EBS Snapshot Notification` when a CreateSnapshot or CopySnapshot snapshot completes or fails. */
export const watchSnapshot = (
  ctx: Ec2Context,
  snapshot: SnapshotRecord,
  origin:
    | { event: 'createSnapshot' }
    | { event: 'copySnapshot'; source: SnapshotRecord; incremental: boolean },
): void => {
  const { cloud, state, requestId } = ctx;
  whenSettled(
    cloud,
    () => snapshotState(cloud, state, snapshot),
    (view) => {
      if (!view) return;
      const ok = view.state === 'completed';
      const arn = ec2Arn(snapshot.region, 'snapshot', snapshot.id);
      emit(cloud, snapshot.region, 'EBS Snapshot Notification', [arn], {
        event: origin.event,
        result: ok ? 'succeeded' : 'failed',
        cause: ok ? '' : (view.message ?? ''),
        'request-id': requestId,
        snapshot_id: arn,
        source:
          origin.event === 'createSnapshot'
            ? ec2Arn(snapshot.region, 'volume', snapshot.volumeId)
            : ec2Arn(origin.source.region, 'snapshot', origin.source.id),
        startTime: stamp(snapshot.startTime),
        endTime: stamp(cloud.now()),
        ...(origin.event === 'copySnapshot' && ok ? { Incremental: String(origin.incremental) } : {}),
      });
    },
  );
};

/** `EBS Multi-Volume Snapshots Completion Status` once every member of a CreateSnapshots set is final. */
export const watchSnapshotSet = (ctx: Ec2Context, snapshots: SnapshotRecord[]): void => {
  const { cloud, state, region, requestId } = ctx;
  if (snapshots.length === 0) return;
  const check = (): { done: (SnapshotView | undefined)[] } | { at: number } => {
    const views = snapshots.map((s) => snapshotState(cloud, state, s));
    const pending = views.filter((v): v is { at: number } => 'at' in v);
    if (pending.length > 0) return { at: Math.min(...pending.map((p) => p.at)) };
    return { done: views.map((v) => ('done' in v ? v.done : undefined)) };
  };
  whenSettled(cloud, check, (views) => {
    const failed = snapshots.filter((_, i) => views[i]?.state !== 'completed');
    emit(
      cloud,
      region,
      'EBS Multi-Volume Snapshots Completion Status',
      snapshots.map((s) => ec2Arn(region, 'snapshot', s.id)),
      {
        event: 'createSnapshots',
        result: failed.length === 0 ? 'succeeded' : 'failed',
        cause: failed.length === 0 ? '' : `Snapshot ${failed[0]!.id} is in status error`,
        'request-id': requestId,
        startTime: stamp(snapshots[0]!.startTime),
        endTime: stamp(cloud.now()),
        snapshots: snapshots.map((s, i) => ({
          snapshot_id: ec2Arn(region, 'snapshot', s.id),
          source: ec2Arn(region, 'volume', s.volumeId),
          status: views[i]?.state === 'completed' ? 'completed' : 'error',
        })),
      },
    );
  });
};

/** When the image leaves `pending`, as imageView derives it (backing snapshots, settle time, planned failure). */
const imageSettleAt = (image: ImageRecord, state: RegionState): number => {
  let at = image.createdAt;
  let failureAt = image.failure?.at ?? Number.POSITIVE_INFINITY;
  for (const device of image.blockDevices) {
    const snapshot = device.snapshotId ? state.snapshots.get(device.snapshotId) : undefined;
    if (!snapshot) continue;
    const failure = snapshot.group?.failure ?? snapshot.failure;
    if (failure) failureAt = Math.min(failureAt, failure.at);
    else at = Math.max(at, snapshot.startTime + snapshot.durationMs);
  }
  return Math.min(failureAt, at + image.settleMs);
};

const amiEvent = (cloud: LocalCloud, image: ImageRecord, requestId: string, state: string, error = '') =>
  emit(cloud, image.region, 'EC2 AMI State Change', [ec2Arn(image.region, 'image', image.id)], {
    RequestId: requestId,
    ImageId: image.id,
    State: state,
    ErrorMessage: error,
  });

/** `EC2 AMI State Change` when a RegisterImage, CreateImage or CopyImage image becomes available or fails. */
export const watchImage = (ctx: Ec2Context, image: ImageRecord): void => {
  const { cloud, state, requestId } = ctx;
  whenSettled(
    cloud,
    () => {
      if (state.images.get(image.id) !== image) return { done: undefined };
      const view = imageView(image, state, cloud.now());
      return view.state === 'pending' ? { at: imageSettleAt(image, state) } : { done: view };
    },
    (view) => {
      if (view) amiEvent(cloud, image, requestId, view.state, view.reason?.message ?? '');
    },
  );
};

/** `EC2 AMI State Change` with State `deregistered` (DeregisterImage). */
export const imageDeregistered = (ctx: Ec2Context, image: ImageRecord): void =>
  amiEvent(ctx.cloud, image, ctx.requestId, 'deregistered');
