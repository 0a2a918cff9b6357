import * as z from 'zod';
import type { Site } from '../config/sites.ts';
import { decodeS3EventKey, InvalidEventKeyError, type ObjectChange } from '../invalidation/index.ts';
import { type ChangeSet, digestId, mergeChanges } from './change-set.ts';
import { MalformedEventError } from './errors.ts';
import { formatIssues } from './issues.ts';

/** The parts of an SQS record the normaliser reads (Lambda's SQSRecord has more). */
const SqsRecordSchema = z.object({
  messageId: z.string().min(1),
  body: z.string(),
});
export const SqsEventSchema = z.object({ Records: z.array(SqsRecordSchema) });
export type SqsRecordInput = z.infer<typeof SqsRecordSchema>;

const S3RecordSchema = z.object({
  eventSource: z.literal('aws:s3'),
  eventName: z.string().min(1),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({ key: z.string().min(1), sequencer: z.string().optional() }),
  }),
});
const S3NotificationSchema = z.object({ Records: z.array(S3RecordSchema).min(1) });
/** Sent once when a notification is configured; carries no object. */
const S3TestEventSchema = z.object({ Service: z.literal('Amazon S3'), Event: z.literal('s3:TestEvent') });
/** S3 → SNS → SQS wraps the notification in an SNS envelope. */
const SnsEnvelopeSchema = z.object({ Type: z.literal('Notification'), Message: z.string() });

/** Event names that change what a distribution serves; others (tagging, ACL, restore…) do not. */
const changeOf = (eventName: string): ObjectChange['change'] | undefined => {
  if (eventName.startsWith('ObjectCreated:')) return 'modified';
  if (eventName.startsWith('ObjectRemoved:') || eventName.startsWith('LifecycleExpiration:'))
    return 'deleted';
  return undefined;
};

interface KeyEvent {
  bucket: string;
  key: string;
  change: ObjectChange['change'];
  sequencer: string;
}

type MessageOutcome =
  | { kind: 'events'; events: KeyEvent[]; ignored: string[] }
  | { kind: 'test-event' }
  | { kind: 'malformed'; error: MalformedEventError };

const malformed = (issues: string[], cause?: unknown): MessageOutcome => ({
  kind: 'malformed',
  error: new MalformedEventError('s3', issues, { cause }),
});

/** One SQS message body → its S3 object events (keys decoded), a test event, or why it is malformed. */
const parseS3Message = (body: string): MessageOutcome => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return malformed(['body: not JSON'], error);
  }
  const sns = SnsEnvelopeSchema.safeParse(json);
  if (sns.success) return parseS3Message(sns.data.Message);
  if (S3TestEventSchema.safeParse(json).success) return { kind: 'test-event' };
  const parsed = S3NotificationSchema.safeParse(json);
  if (!parsed.success) return malformed(formatIssues(parsed.error, 'body'));
  const events: KeyEvent[] = [];
  const ignored: string[] = [];
  for (const [i, record] of parsed.data.Records.entries()) {
    const change = changeOf(record.eventName);
    if (!change) {
      ignored.push(`body.Records[${i}].eventName: ${record.eventName} does not change served content`);
      continue;
    }
    let key: string;
    try {
      key = decodeS3EventKey(record.s3.object.key);
    } catch (error) {
      if (error instanceof InvalidEventKeyError)
        return malformed([`body.Records[${i}].s3.object.key: ${error.message}`], error);
      throw error;
    }
    events.push({ bucket: record.s3.bucket.name, key, change, sequencer: record.s3.object.sequencer ?? '' });
  }
  return { kind: 'events', events, ignored };
};

/** S3 sequencers are hex of varying length: compare after left-padding. */
const bySequencer = (a: KeyEvent, b: KeyEvent): number => {
  const width = Math.max(a.sequencer.length, b.sequencer.length);
  const x = a.sequencer.padStart(width, '0');
  const y = b.sequencer.padStart(width, '0');
  return x < y ? -1 : x > y ? 1 : 0;
};

interface S3BatchChangeSet {
  changeSet: ChangeSet;
  /** The SQS messages that contributed: if this change set fails, they are the batch item failures. */
  messageIds: string[];
}

export interface S3BatchResult {
  changeSets: S3BatchChangeSet[];
  malformed: { messageId: string; error: MalformedEventError }[];
  /** Test events, event names that change nothing, sites with `s3Events: false`: acknowledged, logged. */
  ignored: { messageId: string; reason: string }[];
  /**
   * Objects no site claims (a bucket no site names, a key outside every keyPrefix): acknowledged,
   * never invalidated, reported as a warning — a notification is configured that the config does
   * not account for.
   */
  unclaimed: { messageId: string; bucket: string; key: string }[];
}

const sitesServing = (sites: readonly Site[], bucket: string, key: string): Site[] =>
  sites.filter((s) => s.bucket === bucket && key.startsWith(s.keyPrefix));

/**
 * The identity of one S3 object event. S3 delivers at least once, and a duplicate may arrive in
 * another SQS message (another message id, possibly another batch): the sequencer, unique per
 * event of a key, names the event whatever carried it. An event without a sequencer falls back
 * to its message id, so two real events can never share an identity.
 */
const eventIdentity = (event: KeyEvent, messageId: string): string =>
  JSON.stringify(
    event.sequencer === ''
      ? [event.bucket, event.key, 'message', messageId]
      : [event.bucket, event.key, event.sequencer],
  );

/**
 * An SQS batch of S3 event notifications → one change set per site. The deploy id hashes the
 * identities of the site's object events (bucket, key, sequencer), not the SQS message ids: a
 * redelivered batch, and the same S3 events carried by other messages (S3's own duplicates), map
 * to the same CallerReferences, while any new upload or delete (a new sequencer) is a new deploy.
 *
 * @example
 * normalizeS3Batch([{ messageId: 'm1', body: '{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"web-bucket"},"object":{"key":"docs/a+b.html"}}}]}' }], sites)
 * // { changeSets: [{ changeSet: { site: 'web', deployId: 's3-…', changes: [{ key: 'docs/a b.html', change: 'modified' }], … }, messageIds: ['m1'] }], … }
 */
export const normalizeS3Batch = (
  records: readonly SqsRecordInput[],
  sites: readonly Site[],
): S3BatchResult => {
  const result: S3BatchResult = { changeSets: [], malformed: [], ignored: [], unclaimed: [] };
  const bySite = new Map<string, { events: KeyEvent[]; messageIds: Set<string>; identities: Set<string> }>();
  for (const record of records) {
    const outcome = parseS3Message(record.body);
    if (outcome.kind === 'malformed') {
      result.malformed.push({ messageId: record.messageId, error: outcome.error });
      continue;
    }
    if (outcome.kind === 'test-event') {
      result.ignored.push({ messageId: record.messageId, reason: 's3:TestEvent' });
      continue;
    }
    for (const reason of outcome.ignored) result.ignored.push({ messageId: record.messageId, reason });
    for (const event of outcome.events) {
      const serving = sitesServing(sites, event.bucket, event.key);
      if (serving.length === 0)
        result.unclaimed.push({ messageId: record.messageId, bucket: event.bucket, key: event.key });
      for (const site of serving) {
        // `s3Events: false`: CI, a webhook or CodePipeline announces this site's releases; its
        // object events (a shared bucket, a notification left configured) must not invalidate
        // the same release a second time.
        if (!site.s3Events) {
          result.ignored.push({
            messageId: record.messageId,
            reason: `s3://${event.bucket}/${event.key}: site ${site.name} has s3Events: false`,
          });
          continue;
        }
        const group = bySite.get(site.name) ?? {
          events: [],
          messageIds: new Set<string>(),
          identities: new Set<string>(),
        };
        group.events.push(event);
        group.messageIds.add(record.messageId);
        group.identities.add(eventIdentity(event, record.messageId));
        bySite.set(site.name, group);
      }
    }
  }
  for (const [site, group] of bySite) {
    const messageIds = [...group.messageIds].sort();
    const ordered = [...group.events].sort(bySequencer);
    result.changeSets.push({
      changeSet: {
        site,
        deployId: digestId('s3', [...group.identities]),
        source: 's3',
        changes: mergeChanges(ordered.map(({ key, change }) => ({ key, change }))),
        paths: [],
      },
      messageIds,
    });
  }
  return result;
};
