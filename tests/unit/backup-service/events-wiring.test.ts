/**
 * The awaited-events rules: the stack's (serverless/backup-events.cjs, on ResumeWait), the
 * per-region forwarder's (serverless/events-forwarder.yml) and the event types the handler
 * reads (shared/backup/ec2-events.ts) are the same three EC2/EBS events, final states only.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  AMI_STATE_CHANGE,
  awaitedEvent,
  MULTI_VOLUME_COMPLETION,
  SNAPSHOT_NOTIFICATION,
} from '../../../shared/backup/ec2-events.ts';

const require = createRequire(import.meta.url);
const { AWAITED_EVENTS_PATTERN, DETAIL_TYPES, forwardedRegions, taskResponseStatement } =
  require('../../../serverless/backup-events.cjs') as {
    AWAITED_EVENTS_PATTERN: Record<string, unknown>;
    DETAIL_TYPES: string[];
    forwardedRegions: (policies: unknown[], home: string) => string[];
    taskResponseStatement: () => { Action: string[]; Resource: unknown };
  };

describe('awaited-events wiring', () => {
  it('the rules match the three events the handler reads', () => {
    expect(DETAIL_TYPES).toEqual([SNAPSHOT_NOTIFICATION, MULTI_VOLUME_COMPLETION, AMI_STATE_CHANGE]);
    const forwarder = parse(readFileSync('serverless/events-forwarder.yml', 'utf8')) as {
      Resources: { ForwardRule: { Properties: { EventPattern: unknown } } };
    };
    expect(forwarder.Resources.ForwardRule.Properties.EventPattern).toEqual(AWAITED_EVENTS_PATTERN);
  });

  it('every event the handler acts on is one the rules let through (final states only)', () => {
    const allowed = (AWAITED_EVENTS_PATTERN.$or as { detail: Record<string, string[]> }[]).flatMap((o) =>
      Object.values(o.detail).flat(),
    );
    const ami = (State: string) => ({
      source: 'aws.ec2',
      'detail-type': AMI_STATE_CHANGE,
      region: 'eu-west-1',
      resources: [],
      detail: { ImageId: 'ami-0123456789abcdef0', State },
    });
    for (const State of ['available', 'failed', 'error']) {
      expect(awaitedEvent(ami(State))).toBeDefined();
      expect(allowed).toContain(State);
    }
    expect(allowed).not.toContain('deregistered');
    expect(allowed).toEqual(expect.arrayContaining(['createSnapshot', 'createSnapshots']));
  });

  it('forwards from every copy and source region but the home one', () => {
    const policies = [
      { sourceRegion: 'eu-west-1', copyRegions: [{ region: 'us-east-1' }, { region: 'eu-central-1' }] },
      { sourceRegion: 'ap-south-1', copyRegions: [{ region: 'us-east-1' }] },
    ];
    expect(forwardedRegions(policies, 'eu-west-1')).toEqual(['ap-south-1', 'eu-central-1', 'us-east-1']);
  });

  it('grants the task responses on "*": they support no resource-level permissions', () => {
    // Service Authorization Reference, "Actions, resources, and condition keys for AWS Step
    // Functions" (list_awsstepfunctions.html): SendTaskSuccess and SendTaskFailure list no
    // resource type, so a statement naming a state machine ARN grants neither.
    expect(taskResponseStatement()).toEqual({
      Effect: 'Allow',
      Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
      Resource: '*',
    });
  });
});
