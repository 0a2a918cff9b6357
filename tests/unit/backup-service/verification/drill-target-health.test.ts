/**
 * The drill's parity gate with a load balancer endpoint in the standby group: it also needs a
 * healthy target in each of the load balancer's target groups, else the drill is refused with
 * the field named and nothing changes.
 */
import { describe, expect, it } from 'vitest';
import type { GroupState } from '../../../../shared/backup/drill.ts';
import type { TargetGroupHealth } from '../../../../shared/backup/target-health.ts';
import { DrillRefused } from '../../../../shared/backup/verification-errors.ts';
import { type DrillDeps, runDrill } from '../../../../shared/backup-service/drill.ts';
import { drillSchema } from '../../../../shared/config/drill.ts';
import { FakeAccelerators, FakeAlarms, FakeLock, FakeTemplates } from './drill-fakes.ts';
import { FakeClock } from './fakes.ts';

const T0 = Date.parse('2026-12-02T06:00:00Z');
const ACC = 'arn:aws:globalaccelerator::123456789012:accelerator/1234abcd-abcd-1234-abcd-1234abcdef00';
const PRIMARY = `${ACC}/listener/0123abcd/endpoint-group/ab88888888a0`;
const STANDBY = `${ACC}/listener/0123abcd/endpoint-group/ab99999999a1`;
const LT = 'lt-0123456789abcdef0';
const ALB = 'arn:aws:elasticloadbalancing:us-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const TG = 'arn:aws:elasticloadbalancing:us-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067';

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
    launchTemplateId: LT,
  },
  steps: [10, 100],
  bakeSeconds: 60,
  alarms: [{ region: 'us-west-1', name: 'web-5xx' }],
});

function world(health: TargetGroupHealth[] | undefined, withClient = true) {
  const clock = new FakeClock(T0);
  const standby: GroupState = {
    endpointGroupArn: STANDBY,
    region: 'us-west-1',
    dial: 0,
    endpoints: [{ endpointId: ALB, weight: 128, healthState: 'HEALTHY' }],
  };
  const primary: GroupState = {
    endpointGroupArn: PRIMARY,
    region: 'ap-south-1',
    dial: 100,
    endpoints: [{ endpointId: 'i-ap-south-1', weight: 128, healthState: 'HEALTHY' }],
  };
  const accelerators = new FakeAccelerators(
    clock,
    new Map([
      [PRIMARY, primary],
      [STANDBY, standby],
    ]),
    ACC,
  );
  const asked: [string, string][] = [];
  const deps: DrillDeps = {
    accelerators,
    alarms: new FakeAlarms(clock, { 'us-west-1': ['web-5xx'] }),
    templates: new FakeTemplates(LT),
    lock: new FakeLock(clock),
    ...(withClient
      ? {
          targetHealth: {
            ofLoadBalancer: async (region: string, arn: string) => {
              asked.push([region, arn]);
              return health;
            },
          },
        }
      : {}),
    store: {
      results: async () => [
        {
          verificationId: 'v',
          policy: 'nightly',
          target: 'i-0aaaaaaaaaaaaaaa1',
          region: 'us-west-1',
          imageId: 'ami-0ca11f0000000000a',
          imageCreatedAt: '2026-12-01T20:30:00.000Z',
          ours: true,
          status: 'passed' as const,
          finishedAt: '2026-12-02T05:00:00.000Z',
        },
      ],
    },
    now: clock.now,
    sleep: clock.sleep,
  };
  return { accelerators, asked, deps };
}

describe('drill parity gate: load balancer target health', () => {
  it('passes with a healthy target in each target group, asking ELBv2 in the load balancer region', async () => {
    const { asked, deps } = world([{ targetGroupArn: TG, states: ['healthy', 'unhealthy'] }]);
    const report = await runDrill(deps, drill, { mode: 'plan', owner: 'test' });
    expect(report.status).toBe('planned');
    expect(asked).toEqual([['us-west-1', ALB]]);
  });

  it.each([
    [
      'no healthy target',
      [{ targetGroupArn: TG, states: ['unhealthy'] }],
      `target group ${TG} of ${ALB} has no healthy target (1 unhealthy)`,
    ],
    ['no target group', [], `load balancer ${ALB} has no target group`],
    ['a load balancer that does not exist', undefined, `load balancer ${ALB} does not exist`],
  ])('refuses a run on %s, naming the field, changing nothing', async (_name, health, problem) => {
    const { accelerators, deps } = world(health);
    const error = await runDrill(deps, drill, { mode: 'run', owner: 'test' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrillRefused);
    expect((error as DrillRefused).problems).toContain(`drills[web].standby.endpointGroupArn: ${problem}`);
    expect(accelerators.writes).toEqual([]);
  });

  it('refuses when the runner has no ELBv2 client for a load balancer endpoint', async () => {
    const { deps } = world([{ targetGroupArn: TG, states: ['healthy'] }], false);
    await expect(runDrill(deps, drill, { mode: 'plan', owner: 'test' })).rejects.toThrow(
      'cannot read its target health',
    );
  });
});
