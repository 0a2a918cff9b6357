/**
 * Reading the EC2/EBS events a waiting step is resumed by. Shapes from the AWS pages:
 * Amazon EBS User Guide, "Amazon EventBridge events for Amazon EBS" (createSnapshot,
 * createSnapshots, copySnapshot examples) and EC2 User Guide, "Monitor AMI events using Amazon
 * EventBridge" (EC2 AMI State Change: ImageId, State available | failed | deregistered | disabled).
 */
import { describe, expect, it } from 'vitest';
import { awaitedEvent } from '../../../shared/backup/ec2-events.ts';

const envelope = (detailType: string, detail: unknown, resources: string[] = [], region = 'us-east-1') => ({
  version: '0',
  id: '01234567-0123-0123-0123-012345678901',
  'detail-type': detailType,
  source: 'aws.ec2',
  account: '012345678901',
  time: '2026-02-01T01:00:00Z',
  region,
  resources,
  detail,
});

describe('awaitedEvent', () => {
  it.each([
    [
      'createSnapshot succeeded (the snapshot ARN names its region)',
      envelope('EBS Snapshot Notification', {
        event: 'createSnapshot',
        result: 'succeeded',
        cause: '',
        snapshot_id: 'arn:aws:ec2:us-west-2::snapshot/snap-01234567',
        source: 'arn:aws:ec2:us-west-2::volume/vol-01234567',
      }),
      { resources: [{ region: 'us-west-2', id: 'snap-01234567' }], outcome: 'succeeded' },
    ],
    [
      'createSnapshots failed: every member of the set',
      envelope('EBS Multi-Volume Snapshots Completion Status', {
        event: 'createSnapshots',
        result: 'failed',
        cause: 'Snapshot snap-01234567 is in status error',
        snapshots: [
          { snapshot_id: 'arn:aws:ec2:us-east-1::snapshot/snap-01234567', status: 'error' },
          { snapshot_id: 'arn:aws:ec2:us-east-1::snapshot/snap-012345678', status: 'error' },
        ],
      }),
      {
        resources: [
          { region: 'us-east-1', id: 'snap-01234567' },
          { region: 'us-east-1', id: 'snap-012345678' },
        ],
        outcome: 'failed',
      },
    ],
    [
      'an AMI available, forwarded from its region (the ARN in resources names it)',
      envelope(
        'EC2 AMI State Change',
        { RequestId: 'r', ImageId: 'ami-0123456789abcdef0', State: 'available', ErrorMessage: '' },
        ['arn:aws:ec2:ap-southeast-2::image/ami-0123456789abcdef0'],
        'eu-west-1',
      ),
      { resources: [{ region: 'ap-southeast-2', id: 'ami-0123456789abcdef0' }], outcome: 'succeeded' },
    ],
    [
      'an AMI failed',
      envelope('EC2 AMI State Change', { ImageId: 'ami-0123456789abcdef0', State: 'failed' }),
      { resources: [{ region: 'us-east-1', id: 'ami-0123456789abcdef0' }], outcome: 'failed' },
    ],
  ])('%s', (_name, event, expected) => {
    expect(awaitedEvent(event)).toEqual(expected);
  });

  it.each([
    [
      'an AMI deregistered (rotation)',
      envelope('EC2 AMI State Change', { ImageId: 'ami-1', State: 'deregistered' }),
    ],
    [
      'a copySnapshot (no step waits for one)',
      envelope('EBS Snapshot Notification', {
        event: 'copySnapshot',
        result: 'succeeded',
        snapshot_id: 'snap-1',
      }),
    ],
    ['another detail type', envelope('EC2 Instance State-change Notification', { state: 'running' })],
    [
      'another source',
      { ...envelope('EC2 AMI State Change', { ImageId: 'ami-1', State: 'available' }), source: 'my.app' },
    ],
    [
      'a malformed detail',
      envelope('EBS Multi-Volume Snapshots Completion Status', { event: 'createSnapshots' }),
    ],
    ['not an event at all', 'hello'],
  ])('ignores %s', (_name, event) => {
    expect(awaitedEvent(event)).toBeUndefined();
  });
});
