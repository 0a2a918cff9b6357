import type { LocalCloud } from '../../cloud.ts';
import { children, childText, parseXmlBody, type XmlNode } from '../../protocol/rest-xml.ts';
import { flat, type XmlObject, xmlDocument } from '../../protocol/xml.ts';
import type { LocalRequest, LocalResponse } from '../../service.ts';
import { queueByArn } from '../sqs/internal.ts';
import { deliverToTarget } from '../targets/deliver.ts';
import type { TargetOutcome } from '../targets/outcome.ts';
import { findBucket } from './buckets.ts';
import { malformedXml, S3Error } from './errors.ts';
import { S3_XMLNS, type S3ObjectEvent, s3Store } from './store.ts';

/**
 * Bucket event notifications: PutBucketNotificationConfiguration /
 * GetBucketNotificationConfiguration, and the routing of the object events the store logs
 * to SQS, Lambda and SNS destinations in the S3 event message format (eventVersion 2.1).
 */
type Kind = 'Queue' | 'Topic' | 'CloudFunction';
const KINDS: Kind[] = ['Queue', 'Topic', 'CloudFunction'];

interface Destination {
  kind: Kind;
  id: string;
  arn: string;
  events: string[];
  prefix?: string;
  suffix?: string;
}

interface BucketNotifications {
  destinations: Destination[];
  /** Only events logged after the configuration was put are routed. */
  sinceSequence: number;
}

interface NotificationState {
  buckets: Map<string, BucketNotifications>;
  /** How many logged object events have been routed. */
  routed: number;
}

const notificationState = (cloud: LocalCloud): NotificationState =>
  cloud.store('s3.notifications', () => ({ buckets: new Map(), routed: 0 }));

const EVENT_TYPE =
  /^s3:(ObjectCreated|ObjectRemoved|ObjectRestore|Replication|LifecycleExpiration|ObjectTagging|ObjectAcl|ReducedRedundancyLostObject|IntelligentTiering|LifecycleTransition|TestEvent)(:[A-Za-z*]+)*$/;

const parseDestination = (kind: Kind, node: XmlNode, index: number): Destination => {
  const arn = childText(node, kind);
  if (!arn) throw malformedXml();
  const events = children(node, 'Event').map((e) =>
    typeof e === 'string' ? e : (childText(e, '#text') ?? ''),
  );
  for (const event of events)
    if (!EVENT_TYPE.test(event))
      throw new S3Error('InvalidArgument', `The event is not supported for notifications: ${event}`, 400);
  if (events.length === 0) throw malformedXml();
  const rules = children(children(node, 'Filter')[0], 'S3Key').flatMap((k) => children(k, 'FilterRule'));
  const destination: Destination = { kind, id: childText(node, 'Id') ?? `${kind}-${index + 1}`, arn, events };
  for (const rule of rules) {
    const name = childText(rule, 'Name')?.toLowerCase();
    const value = childText(rule, 'Value') ?? '';
    if (name === 'prefix') destination.prefix = value;
    else if (name === 'suffix') destination.suffix = value;
    else throw new S3Error('InvalidArgument', 'filter rule name must be either prefix or suffix', 400);
  }
  return destination;
};

const unableToValidate = (arn: string) =>
  new S3Error('InvalidArgument', 'Unable to validate the following destination configurations', 400, {
    ArgumentName: arn,
    ArgumentValue: 'Error: Destination does not exist',
  });

/** The test message S3 sends to each queue when a configuration is put. */
const testEvent = (cloud: LocalCloud, bucket: string, requestId: string) =>
  JSON.stringify({
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: new Date(cloud.now()).toISOString(),
    Bucket: bucket,
    RequestId: requestId,
    HostId: requestId,
  });

export const putBucketNotification = (
  cloud: LocalCloud,
  req: LocalRequest,
  bucketName: string,
): LocalResponse => {
  const bucket = findBucket(cloud, bucketName);
  const config = parseXmlBody(req.body, 'NotificationConfiguration', malformedXml);
  const destinations = KINDS.flatMap((kind) =>
    children(config, `${kind}Configuration`).map((node, i) => parseDestination(kind, node, i)),
  );
  for (const d of destinations)
    if (d.kind === 'Queue') {
      try {
        queueByArn(cloud, d.arn);
      } catch {
        throw unableToValidate(d.arn);
      }
    }
  const state = notificationState(cloud);
  state.buckets.set(bucket.name, { destinations, sinceSequence: s3Store(cloud).sequence });
  for (const d of destinations)
    if (d.kind === 'Queue') deliverToTarget(cloud, d.arn, testEvent(cloud, bucket.name, req.requestId));
  return { status: 200 };
};

export const getBucketNotification = (cloud: LocalCloud, bucketName: string): LocalResponse => {
  findBucket(cloud, bucketName);
  const destinations = notificationState(cloud).buckets.get(bucketName)?.destinations ?? [];
  const body: XmlObject = {};
  for (const kind of KINDS) {
    const items = destinations
      .filter((d) => d.kind === kind)
      .map((d) => {
        const rules = [
          ...(d.prefix !== undefined ? [{ Name: 'Prefix', Value: d.prefix }] : []),
          ...(d.suffix !== undefined ? [{ Name: 'Suffix', Value: d.suffix }] : []),
        ];
        return {
          Id: d.id,
          [kind]: d.arn,
          Event: flat(d.events),
          ...(rules.length > 0 ? { Filter: { S3Key: { FilterRule: flat(rules) } } } : {}),
        };
      });
    if (items.length > 0) body[`${kind}Configuration`] = flat(items);
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('NotificationConfiguration', body, S3_XMLNS),
  };
};

/** URL-encodes a key as S3 notifications do (form encoding: `+` for a space, `/` kept). */
const notificationKey = (key: string): string =>
  encodeURIComponent(key)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');

const matches = (d: Destination, event: S3ObjectEvent): boolean => {
  const type = `s3:${event.eventName}`;
  const wanted = d.events.some((e) => (e.endsWith('*') ? type.startsWith(e.slice(0, -1)) : e === type));
  return (
    wanted &&
    (d.prefix === undefined || event.key.startsWith(d.prefix)) &&
    (d.suffix === undefined || event.key.endsWith(d.suffix))
  );
};

const record = (cloud: LocalCloud, event: S3ObjectEvent, d: Destination) => ({
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  awsRegion: event.region,
  eventTime: event.time,
  eventName: event.eventName,
  userIdentity: { principalId: `AWS:${cloud.accountId}` },
  requestParameters: { sourceIPAddress: '127.0.0.1' },
  responseElements: { 'x-amz-request-id': event.sequencer, 'x-amz-id-2': event.sequencer },
  s3: {
    s3SchemaVersion: '1.0',
    configurationId: d.id,
    bucket: {
      name: event.bucket,
      ownerIdentity: { principalId: cloud.accountId },
      arn: `arn:aws:s3:::${event.bucket}`,
    },
    object: {
      key: notificationKey(event.key),
      ...(event.size !== undefined ? { size: event.size } : {}),
      ...(event.eTag !== undefined ? { eTag: event.eTag } : {}),
      sequencer: event.sequencer,
    },
  },
});

/**
 * Routes every object event logged since the last call to the destinations configured
 * for its bucket: one message per event, as S3 sends them. Returns the deliveries.
 */
export const routeObjectEvents = (cloud: LocalCloud): TargetOutcome[] => {
  const state = notificationState(cloud);
  const events = s3Store(cloud).events;
  const outcomes: TargetOutcome[] = [];
  for (; state.routed < events.length; state.routed++) {
    const event = events[state.routed];
    if (!event) continue;
    const config = state.buckets.get(event.bucket);
    if (!config || Number.parseInt(event.sequencer, 16) <= config.sinceSequence) continue;
    for (const d of config.destinations)
      if (matches(d, event))
        outcomes.push(deliverToTarget(cloud, d.arn, JSON.stringify({ Records: [record(cloud, event, d)] })));
  }
  return outcomes;
};

export const dumpNotifications = (cloud: LocalCloud) => Object.fromEntries(notificationState(cloud).buckets);
