import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { type ClientOptions, regionalClientConfig } from './clients.ts';
import { EventPublishError, toAwsCallError } from './errors.ts';

interface EventToPublish {
  source: string;
  detailType: string;
  detail: unknown;
  eventBusName?: string;
}

export interface EventsPort {
  /** Publishes the events; throws EventPublishError when any entry is rejected. */
  publish(events: readonly EventToPublish[]): Promise<{ eventIds: string[] }>;
}

export interface EventsAdapterOptions extends ClientOptions {
  client?: EventBridgeClient;
}

export const createEventsAdapter = (options: EventsAdapterOptions = {}): EventsPort => {
  const { client: injected, ...config } = options;
  const client = injected ?? new EventBridgeClient(regionalClientConfig(config));
  return {
    async publish(events) {
      let out: PutEventsCommandOutput;
      try {
        out = await client.send(
          new PutEventsCommand({
            Entries: events.map((e) => ({
              Source: e.source,
              DetailType: e.detailType,
              Detail: JSON.stringify(e.detail),
              ...(e.eventBusName ? { EventBusName: e.eventBusName } : {}),
            })),
          }),
        );
      } catch (error) {
        throw toAwsCallError('events', 'PutEvents', error);
      }
      const entries = out.Entries ?? [];
      if ((out.FailedEntryCount ?? 0) > 0) {
        throw new EventPublishError(
          entries.filter((e) => e.ErrorCode).map((e) => ({ code: e.ErrorCode, message: e.ErrorMessage })),
        );
      }
      return { eventIds: entries.map((e) => e.EventId ?? '') };
    },
  };
};
