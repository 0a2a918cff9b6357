/**
 * The EC2/EBS EventBridge events a waiting backup step is resumed by, reduced to what the
 * resume needs: the region, the ids of the resources that reached a final state, and whether
 * EC2 says they succeeded. Shapes (source `aws.ec2`):
 * - `EBS Snapshot Notification`, detail `{ event: createSnapshot | copySnapshot, result:
 *   succeeded | failed, snapshot_id: <arn>, … }` and `EBS Multi-Volume Snapshots Completion
 *   Status`, detail `{ event: createSnapshots, result, snapshots: [{ snapshot_id, status }] }`:
 *   Amazon EBS User Guide, "Amazon EventBridge events for Amazon EBS" (ebs-cloud-watch-events),
 *   snapshot events;
 * - `EC2 AMI State Change`, detail `{ ImageId, State: available | failed | deregistered |
 *   disabled }`: EC2 User Guide, "Monitor AMI events using Amazon EventBridge" (monitor-ami-events).
 * AWS sends them on a best-effort basis (same pages): a missed one is found by the waiting
 * step's polling fallback, a duplicate or an unknown resource changes nothing.
 */
import * as z from 'zod';

export const SNAPSHOT_NOTIFICATION = 'EBS Snapshot Notification';
export const MULTI_VOLUME_COMPLETION = 'EBS Multi-Volume Snapshots Completion Status';
export const AMI_STATE_CHANGE = 'EC2 AMI State Change';

/** A snapshot or AMI (what a wait is stored under) and its region. */
interface AwaitedResource {
  region: string;
  id: string;
}

/** What the events tell a waiting step. */
export interface AwaitedEvent {
  /** The region of each resource comes from its ARN (an event forwarded from another region keeps it there), else the event's. */
  resources: AwaitedResource[];
  /** EC2's verdict; the resume checks EC2 before acting on it. */
  outcome: 'succeeded' | 'failed';
}

const envelope = z.object({
  source: z.literal('aws.ec2'),
  'detail-type': z.string(),
  region: z.string().min(1),
  resources: z.array(z.string()).default([]),
  detail: z.unknown(),
});

const result = z.enum(['succeeded', 'failed']);
const snapshotDetail = z.object({ event: z.string(), result, snapshot_id: z.string().optional() });
const multiVolumeDetail = z.object({
  event: z.literal('createSnapshots'),
  result,
  snapshots: z.array(z.object({ snapshot_id: z.string() })).default([]),
});
const amiDetail = z.object({ ImageId: z.string().min(1), State: z.string() });

/** `arn:aws:ec2:eu-west-1::snapshot/snap-0123` → eu-west-1 / snap-0123 (a bare id takes `region`). */
const resourceOf = (arnOrId: string, region: string): AwaitedResource => ({
  region: arnOrId.startsWith('arn:') ? arnOrId.split(':')[3] || region : region,
  id: arnOrId.slice(arnOrId.lastIndexOf('/') + 1),
});

/**
 * Reads an EventBridge event into the resources it settles, or `undefined` for an event no
 * backup step waits for (another detail type, an AMI deregistered, a malformed detail).
 *
 * @example
 * awaitedEvent({ source: 'aws.ec2', 'detail-type': 'EC2 AMI State Change', region: 'eu-west-1',
 *   resources: [], detail: { ImageId: 'ami-1', State: 'available' } });
 * // { resources: [{ region: 'eu-west-1', id: 'ami-1' }], outcome: 'succeeded' }
 */
export function awaitedEvent(event: unknown): AwaitedEvent | undefined {
  const parsed = envelope.safeParse(event);
  if (!parsed.success) return undefined;
  const { region, resources, detail } = parsed.data;
  const of = (ids: string[], outcome: AwaitedEvent['outcome']): AwaitedEvent | undefined => {
    const seen = new Set<string>();
    const found = ids
      .map((id) => resourceOf(id, region))
      .filter((r) => r.id !== '' && !seen.has(`${r.region}/${r.id}`) && seen.add(`${r.region}/${r.id}`));
    return found.length === 0 ? undefined : { resources: found, outcome };
  };
  switch (parsed.data['detail-type']) {
    case SNAPSHOT_NOTIFICATION: {
      const d = snapshotDetail.safeParse(detail);
      if (!d.success || d.data.event !== 'createSnapshot') return undefined;
      return of(d.data.snapshot_id === undefined ? resources : [d.data.snapshot_id], d.data.result);
    }
    case MULTI_VOLUME_COMPLETION: {
      const d = multiVolumeDetail.safeParse(detail);
      if (!d.success) return undefined;
      const ids = d.data.snapshots.map((s) => s.snapshot_id);
      return of(ids.length > 0 ? ids : resources, d.data.result);
    }
    case AMI_STATE_CHANGE: {
      const d = amiDetail.safeParse(detail);
      if (!d.success) return undefined;
      // The AMI's ARN (resources) names its region; the detail only its id.
      const arn = resources.find((r) => r.endsWith(`/${d.data.ImageId}`));
      const ids = [arn ?? d.data.ImageId];
      if (d.data.State === 'available') return of(ids, 'succeeded');
      if (d.data.State === 'failed' || d.data.State === 'error') return of(ids, 'failed');
      return undefined;
    }
    default:
      return undefined;
  }
}
