/**
 * The failover drill over the real adapters against the local cloud (Global Accelerator in
 * us-west-2, CloudWatch alarms, launch templates, the S3 lock), on the simulated clock: an
 * alarm during a bake reverts to the recorded dials; a held lock refuses the drill and
 * changes nothing.
 *
 * Global Accelerator: "TrafficDialPercentage … the percentage of traffic to send to an AWS
 * Region" and an update leaves the accelerator IN_PROGRESS until it is deployed (Global
 * Accelerator API Reference, UpdateEndpointGroup, Accelerator.Status).
 */
import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { DrillLocked } from '../../../shared/backup/verification-errors.ts';
import { runDrill } from '../../../shared/backup-service/drill.ts';
import { ALARM, drillWorld, STANDBY } from '../../helpers/drill-world.ts';

const local = useLocalCloud();

describe('the failover drill on the local cloud', () => {
  it('reverts to the recorded dials when an alarm fires during a bake', async () => {
    const { deps, drill, dials, now } = await drillWorld(local);
    // The gate alarm fires 600 s into the drill: each step shifts in about 120 s (two writes
    // settling) and bakes 300 s, so after the first step's bake, during the second's.
    await local().control.setAlarmState({
      alarmName: ALARM,
      region: STANDBY,
      stateValue: 'ALARM',
      at: new Date(now().getTime() + 600_000).toISOString(),
    });
    const report = await runDrill(deps, drill, { mode: 'run', owner: 'test' });
    expect(report.status, JSON.stringify(report.steps)).toBe('reverted');
    expect(report.steps.map((s) => [s.dial, s.passed])).toEqual([
      [10, true],
      [50, false],
    ]);
    expect(report.steps[1]?.reason).toContain('ALARM');
    expect(report.restored).toBe(true);
    expect(await dials()).toEqual([100, 0]);
  });

  it('refuses to drill an accelerator another drill holds, and changes nothing', async () => {
    const { deps, drill, dials, now } = await drillWorld(local);
    const key = drill.acceleratorArn.split('/').at(-1) ?? '';
    const held = await deps.lock.acquire(
      key,
      'someone-else',
      new Date(now().getTime() + 3_600_000).toISOString(),
    );
    expect(held).toEqual({ acquired: true });
    await expect(runDrill(deps, drill, { mode: 'run', owner: 'test' })).rejects.toThrow(DrillLocked);
    expect(await dials()).toEqual([100, 0]);
  });
});
