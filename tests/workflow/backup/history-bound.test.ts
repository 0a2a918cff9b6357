/**
 * A child's history stays bounded whatever AWS's durations (issue 14 §1). Step Functions
 * fails an execution whose history reaches 25,000 events (Step Functions Developer Guide,
 * "Step Functions service quotas": "Maximum execution history size: 25,000 events"). A wait
 * is a `.waitForTaskToken` Task ended by EC2's event (~5 events whatever it lasts); without
 * events each fallback round (its TimeoutSeconds, then the Retry's check) costs ~5 more, and
 * the rounds are bounded (the Retry's MaxAttempts on States.Timeout). Run here at 100× the
 * default snapshot, registration and copy durations (first-night snapshots of hours, copies
 * of most of a day), with events and with every event dropped, the real ASL in-process,
 * history events counted per child execution.
 */
import { DEFAULT_DURATIONS, EC2_EVENT_FAULT_SERVICE } from '@shipyard/local-cloud';
import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { createBackupWorkflow } from '../../helpers/backup-workflow.ts';
import { policy, runInput, seedFleet } from './scenario.ts';

/** AWS's per-execution history quota. */
const HISTORY_QUOTA = 25_000;
const SLOWER = 100;

describe('history bound at 100× the default durations', () => {
  const local = useLocalCloud({ clock: { start: Date.parse('2026-02-01T00:30:00Z') } });

  it.each([
    ['with events', false],
    ['with every event dropped (the polling fallback)', true],
  ])('%s: no child execution comes near 25,000 events and every target is backed up', async (_name, drop) => {
    // Prepare: three instances (one of 80 GiB over three volumes), copies to two regions.
    await seedFleet(local().control);
    if (drop)
      await local().control.addFaults([
        { service: EC2_EVENT_FAULT_SERVICE, code: 'Dropped', probability: 1 },
      ]);
    const d = DEFAULT_DURATIONS;
    await local().control.setDurations({
      snapshotMsPerGiB: d.snapshotMsPerGiB * SLOWER,
      snapshotMinMs: d.snapshotMinMs * SLOWER,
      registerImageMs: d.registerImageMs * SLOWER,
      copyMsPerGiB: d.copyMsPerGiB * SLOWER,
      copyMinMs: d.copyMinMs * SLOWER,
    });
    const workflow = await createBackupWorkflow(local);
    // Act
    const result = await workflow.run(runInput(policy(), 'nightly-2026-02-01'));
    // Assess: every target backed up despite waits of hours, each child far below the quota
    // (measured, largest child: 140 events with events, 156 with every event dropped; ~750
    // with the poll loops this replaced).
    expect(result.status, result.cause).toBe('succeeded');
    expect(result.children).toBe(3);
    expect(result.maxHistoryEvents, `${result.maxHistoryEvents} events`).toBeLessThan(HISTORY_QUOTA / 5);
  });
});
