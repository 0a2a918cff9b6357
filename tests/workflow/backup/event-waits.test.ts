/**
 * Event-driven waits (issue 14 §1): CreateSnapshots, RegisterImage and CopyImage park their
 * task token and end when EC2's EventBridge event resumes them (ResumeWait, the real handler,
 * behind the stack's rules in the local cloud; a copy's event is forwarded from its region to
 * the home bus). AWS sends these events on a best-effort basis (Amazon EBS User Guide,
 * "EventBridge events for Amazon EBS"; EC2 User Guide, "Monitor AMI events using Amazon
 * EventBridge"), so the Task's TimeoutSeconds + Retry is a slow polling fallback (Step
 * Functions Developer Guide, "Wait for a Callback with Task Token").
 */

import { EC2Client } from '@aws-sdk/client-ec2';
import { EC2_EVENT_FAULT_SERVICE } from '@shipyard/local-cloud';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { makeHandler as makeResumeWait } from '../../../functions/backup-resume-wait/handler.ts';
import { createEc2PortFactory } from '../../../shared/aws/ec2.ts';
import { silentLogger } from '../../../shared/backup-service/deps.ts';
import {
  deployed,
  localCopyQueue,
  localRunFiles,
  localRunRecords,
  localWaitStore,
} from '../../helpers/backup-deps.ts';
import { createBackupWorkflow } from '../../helpers/backup-workflow.ts';
import { createTokenRegistry } from '../../helpers/event-waits.ts';
import { INSTANCE_B, policy, runInput, SOURCE, seedFleet, VOLUMES_B } from './scenario.ts';

const RUN = 'nightly-2026-02-01';
/** 3 targets: one snapshot set and one AMI each, copies to 2 regions. */
const WAITS = { CreateSnapshots: 3, RegisterImage: 3, CopyImage: 6 };

describe('event-driven waits', () => {
  const local = useLocalCloud({ clock: { start: Date.parse('2026-02-01T00:30:00Z') } });
  const waitingInvocations = (invocations: Record<string, number>) =>
    (invocations.CreateSnapshots ?? 0) + (invocations.RegisterImage ?? 0) + (invocations.CopyImage ?? 0);

  it('every wait ends on its event; with every event dropped the polling fallback ends them, at a higher price', async () => {
    // Prepare
    await seedFleet(local().control);
    const workflow = await createBackupWorkflow(local);
    const began = local().cloud.now();
    // Act: with events
    const withEvents = await workflow.run(runInput(policy(), RUN));
    const eventsTook = local().cloud.now() - began;
    // Assess: one invocation per waiting step (no fallback round), one ResumeWait per wait.
    expect(withEvents.status, withEvents.cause).toBe('succeeded');
    expect(withEvents.invocations).toMatchObject({ ...WAITS, ResumeWait: 12 });

    // Prepare: the same night again, every EC2 event dropped (best effort, at its worst).
    local().cloud.reset();
    await seedFleet(local().control);
    await local().control.addFaults([{ service: EC2_EVENT_FAULT_SERVICE, code: 'Dropped', probability: 1 }]);
    const again = local().cloud.now();
    // Act
    const dropped = await workflow.run(runInput(policy(), RUN));
    const droppedTook = local().cloud.now() - again;
    const counters = await local().control.counters();
    // Assess: every target backed up all the same, by the fallback rounds (each a check), no
    // event reached ResumeWait; the events saved invocations, history and time.
    expect(dropped.status, dropped.cause).toBe('succeeded');
    expect(counters.tallies['ec2.eventsDropped']).toBeGreaterThanOrEqual(12);
    expect(dropped.invocations.ResumeWait ?? 0).toBe(0);
    expect(waitingInvocations(dropped.invocations)).toBeGreaterThan(
      waitingInvocations(withEvents.invocations),
    );
    expect(withEvents.maxHistoryEvents).toBeLessThan(dropped.maxHistoryEvents);
    expect(eventsTook).toBeLessThan(droppedTook);
  });

  it('a failed snapshot set fails its target with SnapshotFailed, the others are backed up', async () => {
    // Prepare: one volume of instance B fails asynchronously (its whole crash-consistent set does).
    await seedFleet(local().control, { asyncFaults: [{ kind: 'snapshot-error', volumeId: VOLUMES_B[1] }] });
    const workflow = await createBackupWorkflow(local);
    // Act
    const result = await workflow.run(runInput(policy(), RUN));
    // Assess: named error, no fallback round (the failure came by event or the first check).
    expect(result.status).toBe('failed');
    expect(result.cause).toContain(`${INSTANCE_B}: ${SOURCE}: snapshot: SnapshotFailed`);
    expect(result.invocations.CreateSnapshots).toBe(3);
    expect(result.invocations.CopyImage).toBe(4);
  });

  it('a duplicate of every event, delivered after the run, changes nothing', async () => {
    // Prepare: one night with events, then what EC2 sent that night.
    await seedFleet(local().control);
    const workflow = await createBackupWorkflow(local);
    const result = await workflow.run(runInput(policy(), RUN));
    expect(result.status, result.cause).toBe('succeeded');
    const state = await local().control.state<{
      events: {
        regions: Record<
          string,
          { source: string; detailType: string; detail: unknown; resources: string[] }[]
        >;
      };
    }>();
    const sent = Object.entries(state.events.regions).flatMap(([region, events]) =>
      events
        .filter((e) => e.source === 'aws.ec2')
        .map((e) => ({
          source: e.source,
          'detail-type': e.detailType,
          region,
          resources: e.resources,
          detail: e.detail,
        })),
    );
    const tokens = createTokenRegistry();
    const resume = makeResumeWait({
      ec2: createEc2PortFactory({ clientFor: (region) => new EC2Client(clientConfig(local().url, region)) }),
      logger: silentLogger,
      now: () => new Date(local().cloud.now()),
      policies: deployed(policy()),
      runRecords: localRunRecords(local),
      runFiles: localRunFiles(local),
      waits: { store: localWaitStore(local), callbacks: tokens.callbacks, queue: localCopyQueue(local) },
    });
    // Act
    const reports = [];
    for (const event of sent) reports.push(await resume(event));
    // Assess: every awaited resource's wait was resumed and removed: nothing left to resume.
    expect(sent.length).toBeGreaterThanOrEqual(12);
    for (const report of reports) expect(report).not.toHaveProperty('resumed', 1);
    expect(reports.filter((r) => 'unknown' in r && r.unknown > 0).length).toBeGreaterThanOrEqual(12);
  });

  // EC2 User Guide, "How AMI copy works": a destination region holds a limited number of
  // concurrent AMI copies; past it CopyImage answers ResourceLimitExceeded. Step Functions
  // Developer Guide, "Task workflow state": past HeartbeatSeconds with no SendTaskHeartbeat a
  // Task fails with States.HeartbeatTimeout; API Reference, SendTaskHeartbeat resets that clock.
  it("copies with no slot wait in their region's queue past HeartbeatSeconds, kept alive by heartbeats: one invocation per copy", async () => {
    // Prepare: one copy at a time per region, each 50 minutes: the third waits 100 minutes.
    await seedFleet(local().control, { limits: { concurrentImageCopies: 1 } });
    await local().control.setDurations({ copyMinMs: 50 * 60_000 });
    const workflow = await createBackupWorkflow(local);
    // Act
    const result = await workflow.run(runInput(policy(), RUN));
    // Assess: no fallback round (no HeartbeatTimeout): every CopyImage Task invoked once, the
    // queued ones started by the copies that ended before them.
    expect(result.status, result.cause).toBe('succeeded');
    expect(result.invocations).toMatchObject(WAITS);
  });

  it('copies queued while every EC2 event is dropped still end: the heartbeat round runs the step again', async () => {
    // Prepare: one copy at a time per region, and no event ever reaches ResumeWait (no drain).
    await seedFleet(local().control, { limits: { concurrentImageCopies: 1 } });
    await local().control.addFaults([{ service: EC2_EVENT_FAULT_SERVICE, code: 'Dropped', probability: 1 }]);
    const workflow = await createBackupWorkflow(local);
    // Act
    const result = await workflow.run(runInput(policy(), RUN));
    // Assess: backed up all the same, by the fallback rounds (more CopyImage invocations than copies).
    expect(result.status, result.cause).toBe('succeeded');
    expect(result.invocations.ResumeWait ?? 0).toBe(0);
    expect(result.invocations.CopyImage).toBeGreaterThan(WAITS.CopyImage);
  });
});
