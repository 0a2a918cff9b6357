/**
 * The drill state is a reference, never authority: a state whose accelerator, recorded groups
 * or plan are not the deployed drill's is refused before anything is dialled, and an input
 * naming a drill that is not deployed is refused by name.
 */
import { describe, expect, it } from 'vitest';
import { drillSteps, type GroupState } from '../../../../shared/backup/drill.ts';
import { InvalidBackupInput } from '../../../../shared/backup/errors.ts';
import {
  checkProgress,
  type DrillProgress,
  deployedDrill,
} from '../../../../shared/backup-service/drill-progress.ts';
import { drillSchema } from '../../../../shared/config/drill.ts';

const ACC = 'arn:aws:globalaccelerator::123456789012:accelerator/1234abcd-abcd-1234-abcd-1234abcdef00';
const PRIMARY = `${ACC}/listener/0123abcd/endpoint-group/ab88888888a0`;
const STANDBY = `${ACC}/listener/0123abcd/endpoint-group/ab99999999a1`;
const OTHER = 'arn:aws:globalaccelerator::123456789012:accelerator/9999abcd-abcd-1234-abcd-1234abcdef00';

const drill = drillSchema.parse({
  name: 'web',
  acceleratorArn: ACC,
  primary: { region: 'ap-south-1', endpointGroupArn: PRIMARY },
  standby: {
    region: 'us-west-1',
    endpointGroupArn: STANDBY,
    policy: 'nightly',
    target: 'i-0aaaaaaaaaaaaaaa1',
    maxImageAgeHours: 48,
    launchTemplateId: 'lt-0123456789abcdef0',
  },
  alarms: [{ region: 'us-west-1', name: 'web-5xx' }],
});

const group = (arn: string, region: string, dial: number): GroupState => ({
  endpointGroupArn: arn,
  region,
  dial,
  endpoints: [{ endpointId: `i-${region}`, weight: 128 }],
});

const progress = (): DrillProgress => {
  const recorded = [group(PRIMARY, 'ap-south-1', 100), group(STANDBY, 'us-west-1', 0)];
  return {
    drill: 'web',
    owner: 'drill-web-1',
    report: {
      drill: 'web',
      accelerator: ACC,
      mode: 'run',
      status: 'completed',
      standbyImageId: 'ami-0ca11f0000000000a',
      recorded: recorded.map((g) => ({ region: g.region, dial: g.dial })),
      plan: drillSteps({
        primary: recorded[0] as GroupState,
        standby: recorded[1] as GroupState,
        steps: drill.steps,
      }),
      steps: [],
      errors: [],
      restored: true,
    },
    recorded,
    phase: 'dial',
    step: 0,
    write: 0,
    since: '2026-12-02T06:00:00.000Z',
    next: 'wait',
    waitSeconds: 5,
  };
};

describe('checkProgress', () => {
  it('accepts the state the deployed drill produced', () => {
    expect(() => checkProgress('drill-dial', drill, progress())).not.toThrow();
  });

  it.each([
    [
      'another accelerator',
      (p: DrillProgress) => {
        p.report.accelerator = OTHER;
      },
      'report.accelerator',
    ],
    [
      'a write to a group of another accelerator',
      (p: DrillProgress) => {
        const write = p.report.plan[0]?.writes[0];
        if (write) write.endpointGroupArn = `${OTHER}/listener/0123abcd/endpoint-group/ab88888888a0`;
      },
      'report.plan[0].writes[0]',
    ],
    [
      'a wider dial than the deployed steps',
      (p: DrillProgress) => {
        const write = p.report.plan[0]?.writes[1];
        if (write) write.dial = 0;
      },
      'report.plan',
    ],
    ['the groups swapped', (p: DrillProgress) => void p.recorded.reverse(), 'recorded'],
  ])('refuses %s, naming the field', (_name, tamper, field) => {
    const p = progress();
    tamper(p);
    expect(() => checkProgress('drill-dial', drill, p)).toThrow(InvalidBackupInput);
    expect(() => checkProgress('drill-dial', drill, p)).toThrow(field);
  });

  it('refuses a drill name that is not deployed, listing the deployed ones', () => {
    expect(() => deployedDrill('drill-start', [drill], 'other')).toThrow(
      'drill-start: invalid input: drill: no deployed drill "other" (deployed: web)',
    );
  });
});
