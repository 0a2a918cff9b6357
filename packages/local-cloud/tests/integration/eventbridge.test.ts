import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';

const local = useLocalCloud({ clock: { speed: 0 } });

const client = (region = 'eu-west-1') =>
  new EventBridgeClient({ ...clientConfig(local().url, region), maxAttempts: 1 });

const entry = (n: number) => ({
  Source: 'shipyard.invalidation',
  DetailType: 'Invalidation Created',
  Detail: JSON.stringify({ n }),
});

interface EventsDump {
  events: {
    regions: Record<string, { eventId: string; source: string; detailType: string; detail: unknown }[]>;
  };
}

describe('EventBridge PutEvents (awsJson1_1)', () => {
  it('accepts entries, returns an EventId each and records them per region', async () => {
    // Act
    const out = await client().send(
      new PutEventsCommand({ Entries: [entry(1), { ...entry(2), EventBusName: 'ops' }] }),
    );
    // Assess
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries?.map((e) => e.EventId)).toEqual([
      expect.stringMatching(/^[0-9a-f-]{36}$/),
      expect.any(String),
    ]);
    const state = await local().control.state<EventsDump>();
    expect(state.events.regions['eu-west-1']).toMatchObject([
      {
        eventId: out.Entries?.[0]?.EventId,
        source: 'shipyard.invalidation',
        detail: { n: 1 },
        eventBusName: 'default',
      },
      { detail: { n: 2 }, eventBusName: 'ops' },
    ]);
    expect(state.events.regions['us-east-1']).toBeUndefined();
  });

  it('validates each entry like AWS: FailedEntryCount plus ErrorCode/ErrorMessage in the failed slots only', async () => {
    // Act
    const out = await client().send(
      new PutEventsCommand({
        Entries: [
          { DetailType: 't', Detail: '{}' },
          { Source: 's', Detail: '{}' },
          { Source: 's', DetailType: 't' },
          { Source: 's', DetailType: 't', Detail: '{not json' },
          { Source: 's', DetailType: 't', Detail: '[1,2]' },
          entry(6),
        ],
      }),
    );
    // Assess
    expect(out.FailedEntryCount).toBe(5);
    expect(out.Entries?.slice(0, 5)).toEqual([
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
      },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
      },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
    ]);
    expect(out.Entries?.[5]?.EventId).toBeDefined();
    const state = await local().control.state<EventsDump>();
    expect(state.events.regions['eu-west-1']).toHaveLength(1);
  });

  it('takes 1 to 10 entries: none or more than 10 → ValidationException for the whole request', async () => {
    const events = client();
    await expect(events.send(new PutEventsCommand({ Entries: [] }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, (_, i) => entry(i)) })),
    ).rejects.toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    await expect(
      events.send(new PutEventsCommand({ Entries: Array.from({ length: 10 }, (_, i) => entry(i)) })),
    ).resolves.toMatchObject({
      FailedEntryCount: 0,
    });
  });

  it('refuses sources reserved for AWS services (aws.*) per entry', async () => {
    const out = await client().send(new PutEventsCommand({ Entries: [{ ...entry(1), Source: 'aws.s3' }] }));
    expect(out.Entries?.[0]?.ErrorCode).toBe('NotAuthorizedForSourceException');
  });

  it('answers an unknown target or a non-JSON body with an AWS error code, not a 500', async () => {
    const post = async (target: string, body: string) => {
      const res = await fetch(local().url, {
        method: 'POST',
        headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
        body,
      });
      return [res.status, ((await res.json()) as { __type?: string }).__type];
    };
    expect(await post('AWSEvents.LaunchRockets', '{}')).toEqual([400, 'UnknownOperationException']);
    expect(await post('AWSEvents.PutEvents', '{')).toEqual([400, 'SerializationException']);
  });
});
