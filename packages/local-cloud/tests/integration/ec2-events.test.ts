import {
  CopyImageCommand,
  CopySnapshotCommand,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  DeregisterImageCommand,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { ControlClient } from '../../src/control-client.ts';
import { useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, seedEc2, seedInstance, seedVolume } from './ec2-fixtures.ts';

/**
 * EC2's EventBridge events, field by field as the EC2 User Guide shows them:
 * "EventBridge for Amazon EBS" (ebs-cloud-watch-events), snapshot events — `EBS Snapshot
 * Notification` with detail {event: createSnapshot | copySnapshot, result: succeeded |
 * failed, cause, request-id, snapshot_id (ARN), source (volume or source snapshot ARN),
 * startTime, endTime} and `EBS Multi-Volume Snapshots Completion Status` with detail
 * {event: createSnapshots, …, snapshots: [{snapshot_id, source, status}]}; and "Monitor AMI
 * events using Amazon EventBridge" (monitor-ami-events) — `EC2 AMI State Change`, detail
 * {ImageId, State: available | failed | deregistered}, on the default bus of the region,
 * generated on a best-effort basis (hence the drop fault).
 */
const local = useLocalCloud({ clock: { speed: 0 } });

interface Recorded {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  resources: string[];
}

const eventsIn = async (control: ControlClient, region = 'us-east-1', detailType?: string) => {
  const state = await control.state<{ events: { regions: Record<string, Recorded[]> } }>();
  return (state.events.regions[region] ?? []).filter(
    (e) => e.source === 'aws.ec2' && (detailType === undefined || e.detailType === detailType),
  );
};

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('EC2 events on EventBridge', () => {
  it('sends EBS Snapshot Notification createSnapshot succeeded when the snapshot completes, failed with the cause when it fails', async () => {
    // Prepare: 100 GiB at 3 s/GiB completes after 300 s
    const { url, control } = local();
    const volumeId = await seedVolume(control, 100);
    const failing = await seedVolume(control, 100);
    await seedEc2(control, {
      asyncFaults: [{ kind: 'snapshot-error', volumeId: failing, message: 'disk gone' }],
    });
    const ec2 = ec2Client(url);
    // Act
    const ok = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    const bad = await ec2.send(new CreateSnapshotCommand({ VolumeId: failing }));
    const beforeEnd = await eventsIn(control);
    await control.advance({ ms: 300_000 });
    const events = await eventsIn(control, 'us-east-1', 'EBS Snapshot Notification');
    // Assess
    expect(beforeEnd).toEqual([]);
    const byId = (id: string) =>
      events.find((e) => e.resources[0] === `arn:aws:ec2:us-east-1::snapshot/${id}`);
    const succeeded = byId(ok.SnapshotId!);
    expect(succeeded?.detail).toEqual({
      event: 'createSnapshot',
      result: 'succeeded',
      cause: '',
      'request-id': expect.any(String),
      snapshot_id: `arn:aws:ec2:us-east-1::snapshot/${ok.SnapshotId}`,
      source: `arn:aws:ec2:us-east-1::volume/${volumeId}`,
      startTime: expect.stringMatching(ISO_SECONDS),
      endTime: expect.stringMatching(ISO_SECONDS),
    });
    expect(byId(bad.SnapshotId!)?.detail).toMatchObject({
      event: 'createSnapshot',
      result: 'failed',
      cause: 'disk gone',
    });
    expect(events).toHaveLength(2);
  });

  it('sends one EBS Multi-Volume Snapshots Completion Status for a CreateSnapshots set', async () => {
    // Prepare
    const { url, control } = local();
    const { instanceId, root, data } = await seedInstance(control, { rootGiB: 8, dataGiB: 100 });
    // Act
    const set = await ec2Client(url).send(
      new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: instanceId } }),
    );
    await control.advance({ ms: 299_000 });
    const early = await eventsIn(control, 'us-east-1', 'EBS Multi-Volume Snapshots Completion Status');
    await control.advance({ ms: 1_000 });
    const events = await eventsIn(control, 'us-east-1', 'EBS Multi-Volume Snapshots Completion Status');
    // Assess: sent once, when the last member (the 100 GiB one) completes
    expect(early).toEqual([]);
    expect(events).toHaveLength(1);
    const ids = set.Snapshots!.map((s) => s.SnapshotId!);
    expect(events[0]!.resources).toEqual(ids.map((id) => `arn:aws:ec2:us-east-1::snapshot/${id}`));
    expect(events[0]!.detail).toMatchObject({ event: 'createSnapshots', result: 'succeeded', cause: '' });
    expect(events[0]!.detail.snapshots).toEqual(
      set.Snapshots!.map((s) => ({
        snapshot_id: `arn:aws:ec2:us-east-1::snapshot/${s.SnapshotId}`,
        source: `arn:aws:ec2:us-east-1::volume/${s.VolumeId}`,
        status: 'completed',
      })),
    );
    expect(set.Snapshots!.map((s) => s.VolumeId).sort()).toEqual([root, data].sort());
  });

  it('sends EC2 AMI State Change available, deregistered and failed, and copies in the destination region', async () => {
    // Prepare
    const { url, control } = local();
    const volumeId = await seedVolume(control, 10);
    const ec2 = ec2Client(url);
    const snapshot = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    await control.advance({ minutes: 2 });
    const register = (name: string) =>
      ec2.send(
        new RegisterImageCommand({
          Name: name,
          RootDeviceName: '/dev/xvda',
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snapshot.SnapshotId } }],
          Architecture: 'x86_64',
          VirtualizationType: 'hvm',
        }),
      );
    // Act
    const image = await register('nightly-1');
    await control.advance({ minutes: 2 });
    const copy = await ec2Client(url, 'eu-west-1').send(
      new CopyImageCommand({
        Name: 'nightly-1-copy',
        SourceImageId: image.ImageId,
        SourceRegion: 'us-east-1',
      }),
    );
    const snapshotCopy = await ec2Client(url, 'eu-west-1').send(
      new CopySnapshotCommand({ SourceSnapshotId: snapshot.SnapshotId, SourceRegion: 'us-east-1' }),
    );
    await seedEc2(control, { asyncFaults: [{ kind: 'register-failed', message: 'bad image' }] });
    const failing = await register('nightly-2');
    await control.advance({ minutes: 60 });
    await ec2.send(new DeregisterImageCommand({ ImageId: image.ImageId }));
    const home = await eventsIn(control, 'us-east-1', 'EC2 AMI State Change');
    const away = await eventsIn(control, 'eu-west-1');
    // Assess
    const states = home.map((e) => [e.detail.ImageId, e.detail.State]);
    expect(states).toEqual([
      [image.ImageId, 'available'],
      [failing.ImageId, 'failed'],
      [image.ImageId, 'deregistered'],
    ]);
    expect(home[0]!.resources).toEqual([`arn:aws:ec2:us-east-1::image/${image.ImageId}`]);
    expect(home[0]!.detail).toMatchObject({ ImageId: image.ImageId, State: 'available' });
    expect(home[1]!.detail.ErrorMessage).toBe('bad image');
    const awayAmi = away.find((e) => e.detailType === 'EC2 AMI State Change');
    expect(awayAmi?.detail).toMatchObject({ ImageId: copy.ImageId, State: 'available' });
    const awaySnapshot = away.find((e) => e.detailType === 'EBS Snapshot Notification');
    expect(awaySnapshot?.detail).toMatchObject({
      event: 'copySnapshot',
      result: 'succeeded',
      snapshot_id: `arn:aws:ec2:eu-west-1::snapshot/${snapshotCopy.SnapshotId}`,
      source: `arn:aws:ec2:us-east-1::snapshot/${snapshot.SnapshotId}`,
    });
  });

  it('drops the events a fault rule on ec2-events selects, seeded and counted', async () => {
    // Prepare: drop the first two snapshot events, then half of the rest
    const { url, control } = local();
    const volumes = await Promise.all(Array.from({ length: 12 }, () => seedVolume(control, 10)));
    await control.addFaults([
      { service: 'ec2-events', action: 'EBS Snapshot Notification', code: 'Dropped', firstN: 2 },
      { service: 'ec2-events', code: 'Dropped', probability: 0.5 },
    ]);
    const ec2 = ec2Client(url);
    // Act
    const created: string[] = [];
    for (const volumeId of volumes)
      created.push((await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }))).SnapshotId!);
    await control.advance({ minutes: 2 });
    const events = await eventsIn(control, 'us-east-1', 'EBS Snapshot Notification');
    const counters = await control.counters();
    // Assess
    const delivered = events.map((e) => e.resources[0]);
    expect(delivered).not.toContain(`arn:aws:ec2:us-east-1::snapshot/${created[0]}`);
    expect(delivered).not.toContain(`arn:aws:ec2:us-east-1::snapshot/${created[1]}`);
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(10);
    expect(counters.tallies['ec2.eventsDropped']).toBe(12 - events.length);
  });
});
