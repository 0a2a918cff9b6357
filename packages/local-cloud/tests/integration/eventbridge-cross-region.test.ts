/**
 * An event bus of another Region as a rule's target (EventBridge User Guide, "Sending and
 * receiving events between AWS Regions"): the event is put on that bus and matched there by
 * its rules. It keeps its own `region` [unconfirmed: how AWS fills `region` of a forwarded
 * event], so a consumer in the home Region still knows where it came from.
 */
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { registerLocalFunction } from '../../src/services/lambda/register.ts';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';

const local = useLocalCloud({ clock: { speed: 0 } });
const client = (region: string) =>
  new EventBridgeClient({ ...clientConfig(local().url, region), maxAttempts: 1 });
const PATTERN = JSON.stringify({ source: ['shipyard.test'] });

describe('EventBridge: a rule forwarding to the bus of another Region', () => {
  it('delivers the event to the rules of the target bus, with its own region', async () => {
    // Prepare: eu-west-1's rule → a function; us-east-1's rule → eu-west-1's default bus.
    const received: { region?: string; detail?: unknown }[] = [];
    const fn = registerLocalFunction(local().cloud, {
      name: 'collector',
      region: 'eu-west-1',
      handler: async (event) => {
        received.push(event as { region?: string });
        return {};
      },
    });
    await client('eu-west-1').send(new PutRuleCommand({ Name: 'home', EventPattern: PATTERN }));
    await client('eu-west-1').send(
      new PutTargetsCommand({ Rule: 'home', Targets: [{ Id: 'fn', Arn: fn.arn }] }),
    );
    const homeBus = `arn:aws:events:eu-west-1:${local().cloud.accountId}:event-bus/default`;
    await client('us-east-1').send(new PutRuleCommand({ Name: 'forward', EventPattern: PATTERN }));
    await client('us-east-1').send(
      new PutTargetsCommand({ Rule: 'forward', Targets: [{ Id: 'home', Arn: homeBus }] }),
    );
    // Act
    await client('us-east-1').send(
      new PutEventsCommand({ Entries: [{ Source: 'shipyard.test', DetailType: 't', Detail: '{"n":1}' }] }),
    );
    // The Lambda target is invoked asynchronously: let the queued invocation run.
    for (let tick = 0; tick < 100 && received.length === 0; tick += 1)
      await new Promise((resolve) => setImmediate(resolve));
    // Assess
    expect(received).toMatchObject([{ region: 'us-east-1', detail: { n: 1 } }]);
  });

  it('an event of a Region without a forwarding rule stays there', async () => {
    const received: unknown[] = [];
    const fn = registerLocalFunction(local().cloud, {
      name: 'collector',
      region: 'eu-west-1',
      handler: async (event) => {
        received.push(event);
        return {};
      },
    });
    await client('eu-west-1').send(new PutRuleCommand({ Name: 'home', EventPattern: PATTERN }));
    await client('eu-west-1').send(
      new PutTargetsCommand({ Rule: 'home', Targets: [{ Id: 'fn', Arn: fn.arn }] }),
    );
    await client('us-east-1').send(
      new PutEventsCommand({ Entries: [{ Source: 'shipyard.test', DetailType: 't', Detail: '{}' }] }),
    );
    for (let tick = 0; tick < 100; tick += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual([]);
  });
});
