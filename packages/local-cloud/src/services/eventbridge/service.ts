import * as z from 'zod';
import type { LocalCloud } from '../../cloud.ts';
import { awsJsonService, jsonAction } from '../../protocol/aws-json.ts';
import { type BusEvent, dispatchEvent } from './dispatch.ts';
import { dumpRules, RULE_ACTIONS } from './rules.ts';

/**
 * EventBridge PutEvents (awsJson1_1, `AWSEvents.*`). Like AWS, a bad entry does not fail
 * the request: it gets ErrorCode/ErrorMessage in its result slot and counts in
 * FailedEntryCount, while the other entries are accepted.
 */

const MAX_ENTRIES = 10;
const DEFAULT_BUS = 'default';

interface RecordedEvent {
  eventId: string;
  eventBusName: string;
  source: string;
  detailType: string;
  detail: unknown;
  resources: string[];
  time: string;
  traceHeader?: string;
}

interface EventBridgeStore {
  /** region → accepted events, oldest first */
  regions: Map<string, RecordedEvent[]>;
  issued: number;
}

const eventStore = (cloud: LocalCloud): EventBridgeStore =>
  cloud.store('events', () => ({ regions: new Map(), issued: 0 }));

/** UUID-shaped and deterministic, so runs after a reset yield the same ids. */
const nextEventId = (store: EventBridgeStore): string => {
  store.issued += 1;
  return `00000000-0000-4000-8000-${store.issued.toString(16).padStart(12, '0')}`;
};

const EntrySchema = z.object({
  Time: z.number().optional(),
  Source: z.string().optional(),
  Resources: z.array(z.string()).optional(),
  DetailType: z.string().optional(),
  Detail: z.string().optional(),
  EventBusName: z.string().optional(),
  TraceHeader: z.string().optional(),
});
type Entry = z.infer<typeof EntrySchema>;

const PutEventsInput = z.object({
  Entries: z
    .array(EntrySchema, { message: 'Member must not be null' })
    .min(1, 'Member must have length greater than or equal to 1')
    .max(MAX_ENTRIES, `Member must have length less than or equal to ${MAX_ENTRIES}`),
  EndpointId: z.string().optional(),
});

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const required = (field: string) => ({
  ErrorCode: 'InvalidArgument',
  ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
});

/** Why AWS would refuse this entry, in AWS's order of checks; undefined when it is fine. */
const entryProblem = (entry: Entry): { ErrorCode: string; ErrorMessage: string } | undefined => {
  if (!entry.Source) return required('Source');
  if (!entry.DetailType) return required('DetailType');
  if (!entry.Detail) return required('Detail');
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  // The API reference asks for a JSON object; arrays and scalars are malformed too.
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  if (entry.Source.startsWith('aws.')) {
    return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  }
  return undefined;
};

/** A bus given by ARN is recorded by its name. */
const busName = (nameOrArn: string | undefined): string =>
  nameOrArn === undefined || nameOrArn === ''
    ? DEFAULT_BUS
    : (nameOrArn.split(':event-bus/')[1] ?? nameOrArn);

const putEvents = jsonAction({
  input: PutEventsInput,
  run: ({ cloud, region, input }) => {
    const store = eventStore(cloud);
    const recorded = store.regions.get(region) ?? [];
    store.regions.set(region, recorded);
    const results: EntryResult[] = input.Entries.map((entry) => {
      const problem = entryProblem(entry);
      if (problem) return problem;
      const eventId = nextEventId(store);
      const event: RecordedEvent = {
        eventId,
        eventBusName: busName(entry.EventBusName),
        source: entry.Source ?? '',
        detailType: entry.DetailType ?? '',
        detail: JSON.parse(entry.Detail ?? '{}'),
        resources: entry.Resources ?? [],
        time: new Date(entry.Time === undefined ? cloud.now() : entry.Time * 1000).toISOString(),
        traceHeader: entry.TraceHeader,
      };
      recorded.push(event);
      dispatchEvent(cloud, event.eventBusName, busEvent(cloud, region, event));
      return { EventId: eventId };
    });
    return {
      FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length,
      Entries: results,
    };
  },
});

/** The event document rules match and targets receive. */
const busEvent = (cloud: LocalCloud, region: string, e: RecordedEvent): BusEvent => ({
  version: '0',
  id: e.eventId,
  'detail-type': e.detailType,
  source: e.source,
  account: cloud.accountId,
  time: e.time.replace(/\.\d{3}Z$/, 'Z'),
  region,
  resources: e.resources,
  detail: e.detail,
});

/**
 * Puts an event an AWS service emits (`aws.*` sources, which PutEvents refuses from
 * callers) on a region's default bus: recorded and routed like any other.
 */
export const publishServiceEvent = (
  cloud: LocalCloud,
  region: string,
  entry: { source: string; detailType: string; detail: unknown; resources: string[] },
): void => {
  const store = eventStore(cloud);
  const recorded = store.regions.get(region) ?? [];
  store.regions.set(region, recorded);
  const event: RecordedEvent = {
    eventId: nextEventId(store),
    eventBusName: DEFAULT_BUS,
    source: entry.source,
    detailType: entry.detailType,
    detail: entry.detail,
    resources: entry.resources,
    time: new Date(cloud.now()).toISOString(),
  };
  recorded.push(event);
  dispatchEvent(cloud, DEFAULT_BUS, busEvent(cloud, region, event));
};

export const eventBridgeService = awsJsonService({
  name: 'events',
  targetPrefix: 'AWSEvents',
  actions: { PutEvents: putEvents, ...RULE_ACTIONS },
  dump(cloud) {
    return { regions: Object.fromEntries(eventStore(cloud).regions), ...dumpRules(cloud) };
  },
});
